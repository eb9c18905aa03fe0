"""Date parsing (French and ISO formats) and locale-aware formatting."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta

from babel.dates import format_date as _babel_format_date

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time part, as Excel writes it
# re.ASCII: `\d` would also take Arabic-Indic or full-width digits, which int() reads
_DMY = re.compile(rf"^(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$", re.ASCII)
_YMD = re.compile(rf"^(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}$", re.ASCII)
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T.*$", re.ASCII)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
MIN_YEAR, MAX_YEAR = 1900, 2199  # outside: a typo (0026, 9999), never a real invoice date


class DateError(ValueError):
    """A date that cannot be read; `impossible` when the format is right but the day is not
    (31/02, month 13, year 0026); `us_order` when it reads as mm/dd/yyyy instead."""

    def __init__(self, text: str, *, impossible: bool = False, us_order: bool = False) -> None:
        what = "date impossible / impossible date" if impossible else "date invalide"
        super().__init__(f"{what} (attendu jj/mm/aaaa ou aaaa-mm-jj): {text!r}")
        self.text = text
        self.impossible = impossible
        self.us_order = us_order


def parse_date(value: str | date | datetime) -> date:
    """Accept `dd/mm/yyyy` (also `-` or `.`, a two-digit year 00-69 = 20xx, 70-99 = 19xx, and a
    time part `05/01/2026 00:00`), ISO `yyyy-mm-dd` (also `yyyy/mm/dd`), FEC `yyyymmdd`, or a
    date object."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if m := _DMY.match(text):
        year = int(m[4]) if len(m[4]) == 4 else _century(int(m[4]))
        day, month = int(m[1]), int(m[3])
        return _checked(text, year, month, day, us_order=month > 12 >= day)
    if (m := _YMD.match(text)) or (m := _ISO_DATETIME.match(text)):
        parts = (m[1], m[3], m[4]) if m.re is _YMD else (m[1], m[2], m[3])
        return _checked(text, *(int(p) for p in parts))
    if m := _COMPACT.match(text):
        return _checked(text, int(m[1]), int(m[2]), int(m[3]))
    raise DateError(text)


def _century(year: int) -> int:
    """Two-digit year: 00-69 -> 2000-2069, 70-99 -> 1970-1999 (the POSIX `%y` rule)."""
    return year + (2000 if year < 70 else 1900)


def _checked(text: str, year: int, month: int, day: int, *, us_order: bool = False) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(text, impossible=True)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(text, impossible=True, us_order=us_order) from None


def due_after(issued: date, days: int, end_of_month: bool = False) -> date:
    """Due date of payment terms: `days` after `issued`, then (`45 jours fin de mois`) the
    last day of that month."""
    due = issued + timedelta(days=days)
    if end_of_month:
        due = (due.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return due


def parse_iso(text: str) -> date:
    """Strict ISO `YYYY-MM-DD` (command-line dates)."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        message = f"date invalide, attendu AAAA-MM-JJ / expected YYYY-MM-DD: {text!r}"
        raise ValueError(message) from exc


@functools.lru_cache(maxsize=4096)  # babel is slow; a batch repeats amounts and dates
def format_date(value: date, locale: str = "fr_FR", fmt: str = "long") -> str:
    """`20 novembre 2026`, `1er octobre 2026` (fr) / `20 November 2026` (en)."""
    text = _babel_format_date(value, format=fmt, locale=locale)
    if value.day == 1 and locale.startswith("fr") and fmt in ("medium", "long", "full"):
        # French writes the first of the month as an ordinal; CLDR patterns cannot say so
        text = re.sub(r"(?<!\d)1(?= )", "1er", text, count=1)
    return text
