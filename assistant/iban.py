"""IBAN validation with schwifty: checksum, country, length and national format."""

from __future__ import annotations

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)

from assistant.i18n import tr


def parse_iban(text: str) -> str:
    """The IBAN in its printed form (`FR76 3000 6000 ...`), or ValueError saying what is wrong."""
    try:
        return IBAN(text).formatted
    except InvalidChecksumDigits:
        problem = tr("clé de contrôle fausse", "wrong check digits")
    except InvalidBBANChecksum:
        problem = tr("clé RIB fausse", "wrong national check digits")
    except InvalidCountryCode:
        problem = tr("code pays inconnu", "unknown country code")
    except InvalidLength:
        problem = tr("longueur incorrecte pour ce pays", "wrong length for this country")
    except SchwiftyException:
        problem = tr("format incorrect pour ce pays", "wrong format for this country")
    raise ValueError(tr("IBAN invalide ({p})", "invalid IBAN ({p})", p=problem))


def compact(text: str) -> str:
    """`FR7630006000...`: spaces removed, upper case (for comparisons)."""
    return "".join(text.split()).upper()
