"""IBANs (schwifty): validation, compact form, and the IBAN of a French RIB (CFONB files)."""

from __future__ import annotations

from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException


@lru_cache(maxsize=65_536)
def compact_iban(text: str | None) -> str | None:
    """The compact IBAN if `text` is a valid one (checksum and national format), else None."""
    if not text or len(text) < 15:
        return None
    try:
        return IBAN(text).compact
    except (SchwiftyException, ValueError):
        return None


def iban_from_rib(bank: str, branch: str, account: str) -> str | None:
    """French IBAN of a RIB (bank, branch, account number; the RIB key is computed)."""
    try:
        return IBAN.generate("FR", bank_code=bank + branch, account_code=account).compact
    except (SchwiftyException, ValueError):
        return None


def display_iban(iban: str) -> str:
    """`FR76 3000 6000 ...` for people (the compact form stays the key)."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
