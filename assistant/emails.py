"""E-mail addresses, checked by `email-validator` (a maintained library, RFC 5322 / 6531).

A display name, a comment (`a(comment)@b.fr`), a header prefix (`Bcc: a@b.fr`), quoted tricks,
a reserved domain (`.test`, `.local`, `.invalid`) or a non-ASCII local part (it needs SMTPUTF8,
which many servers lack) are refused, never cleaned up: the address that is stored is the
address that receives the message. An accented domain is kept; headers carry its ASCII form.
No DNS lookup (offline, fast).
"""

from __future__ import annotations

import functools
import re

from email_validator import EmailNotValidError, validate_email

from assistant.i18n import tr

_SEPARATORS = re.compile(r"[;,]")


class AddressError(ValueError):
    """An address that cannot receive a message; the text says which and why."""


def check_address(text: str) -> str:
    """One address, normalised (the domain in lower case), or AddressError."""
    return _validated(text.strip())[0]


def header_address(text: str) -> str:
    """The address as it goes in a header: an accented domain in its ASCII (IDNA) form."""
    return _validated(text.strip())[1]


@functools.lru_cache(maxsize=65_536)  # exports repeat a customer's address on every invoice
def _validated(value: str) -> tuple[str, str]:
    """(normalised address, its ASCII form), or AddressError."""
    try:
        found = validate_email(value, check_deliverability=False, allow_smtputf8=False)
        return found.normalized, found.ascii_email or found.normalized
    except EmailNotValidError as exc:
        raise AddressError(
            tr(
                "adresse e-mail invalide : {v!r} ({e})",
                "invalid e-mail address: {v!r} ({e})",
                v=value,
                e=exc,
            )
        ) from None


def check_addresses(text: str) -> list[str]:
    """One or several addresses separated by `;` or `,` (as exports write them)."""
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    if not parts:
        raise AddressError(tr("adresse e-mail vide", "empty e-mail address"))
    return [check_address(p) for p in parts]
