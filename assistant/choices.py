"""One message for a value outside a fixed set (a status, an outcome): "X inconnu : v (attendu :
a, b)". The sets themselves are StrEnums next to their feature."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.errors import UserError
from assistant.i18n import tr


def unknown(value: object, expected: Iterable[str], *, fr: str, en: str) -> UserError:
    """`fr` / `en` name what was unknown, e.g. ("statut inconnu", "unknown status")."""
    return UserError(
        tr(
            fr + " : {v} (attendu : {a})",
            en + ": {v} (expected: {a})",
            v=value,
            a=", ".join(str(e) for e in expected),
        )
    )


def one_of(value: str, expected: Iterable[str], *, fr: str, en: str) -> str:
    """`value` if it is one of `expected`; the one-line UserError otherwise."""
    allowed = tuple(expected)
    if value not in allowed:
        raise unknown(value, allowed, fr=fr, en=en)
    return value
