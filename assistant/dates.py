"""Date parsing (French and ISO formats) and locale-aware formatting."""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import format_date as _babel_format_date

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: str | date | datetime) -> date:
    """Accept `dd/mm/yyyy` (also `-` or `.`), ISO `yyyy-mm-dd`, FEC `yyyymmdd`, or a date object."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _COMPACT.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueError(f"date impossible / impossible date: {text!r}") from exc
    raise ValueError(f"date invalide (attendu jj/mm/aaaa ou aaaa-mm-jj): {text!r}")


def parse_iso(text: str) -> date:
    """Strict ISO `YYYY-MM-DD` (command-line dates)."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        message = f"date invalide, attendu AAAA-MM-JJ / expected YYYY-MM-DD: {text!r}"
        raise ValueError(message) from exc


def format_date(value: date, locale: str = "fr_FR", fmt: str = "long") -> str:
    """`20 novembre 2026`, `1er décembre 2026` (fr) / `20 November 2026` (en)."""
    text = _babel_format_date(value, format=fmt, locale=locale)
    if value.day == 1 and locale.startswith("fr") and fmt in ("long", "full"):
        text = text.replace("1 ", "1er ", 1)  # French writes the first of the month 1er
    return text
