"""Facts written in a reply: dates, amounts, instalment counts, references, with where they are.

French and English. A date is read relative to the day the message arrived: "lundi dernier",
"hier", "on Monday", "le 2 décembre", "02/12", "2026-12-02". A bare weekday ("lundi") may be
past or coming: both days are candidates, the outcome decides (paid: past; promise: coming).
Amounts need a currency (`1 250,00 €`, `EUR 300`, `300 euros`) or French decimals (`1 250,00`).
The same finders check what a language model extracted: a value it returns must be one of these.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.money import AmountError, parse_amount


@dataclass(frozen=True, slots=True)
class Found:
    """A fact in the text: `text[start:end]`, and what it may mean (dates: one or two days)."""

    start: int
    end: int
    values: tuple[object, ...]


def fold(text: str) -> str:
    """Lower case without accents, same length as `text` (spans stay valid)."""
    out = []
    for ch in text.casefold() if len(text.casefold()) == len(text) else text.lower():
        base = unicodedata.normalize("NFKD", ch)
        out.append(base[0] if base else ch)
    return "".join(out)


_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip
_RELATIVE = {
    "aujourd'hui": 0, "aujourd’hui": 0, "ce jour": 0, "today": 0, "hier": -1, "yesterday": -1,
    "avant-hier": -2, "demain": 1, "tomorrow": 1, "apres-demain": 2,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:er|st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<y>20\d\d))?"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>20\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    re.compile(r"\b(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)(?:[/.-](?P<y>(?:20)?\d\d))?\b(?![/.-]\d)"),
    re.compile(rf"\b{_DAY}\s+(?P<mn>{_MONTH})\b\.?{_YEAR}"),
    re.compile(rf"\b(?P<mn>{_MONTH})\b\.?\s+{_DAY}\b{_YEAR}"),
)
_WEEKDAY = re.compile(
    r"\b(?:(?P<last1>last|dernier)\s+|(?P<next1>next|prochain)\s+|(?:on|ce|this)\s+)?"
    r"(?P<w>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)\b(?:\s+(?P<last2>dernier|passe|last)|\s+(?P<next2>"
    r"prochain|qui vient|next))?"
)
_RELATIVE_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(k) for k in sorted(_RELATIVE, key=len, reverse=True)) + r")\b"
)
_MONTH_END = re.compile(
    r"\b(?:(?:a la |d'ici la |avant la )?fin (?:du |de )?mois|end of (?:the )?month)\b"
)


def _year_near(day: int, month: int, ref: date) -> date | None:
    """A date written without its year: the one closest to the day the message arrived."""
    options = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - ref).days)) if options else None


def _absolute(m: re.Match[str], ref: date) -> date | None:
    month = _MONTHS[m.group("mn")] if m.groupdict().get("mn") else int(m.group("m"))
    day, year_text = int(m.group("d")), m.group("y")
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    if year_text is None:
        return _year_near(day, month, ref)
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, ref: date) -> list[Found]:
    """Every date written in `text`, each with its candidate days (relative to `ref`)."""
    low = fold(text)
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, values: tuple[date, ...]) -> None:
        if values and not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            found.append(Found(start, end, values))

    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(low):
            day = _absolute(m, ref)
            end = m.end()
            if low[end - 1] == "." and len(m.groupdict().get("mn") or "") > 4:
                end -= 1  # "2 décembre." ends a sentence; "2 déc." is an abbreviation
            if day is not None:
                add(m.start(), end, (day,))
    for m in _WEEKDAY.finditer(low):
        target = _WEEKDAYS[m.group("w")]
        back = (ref.weekday() - target) % 7 or 7
        ahead = (target - ref.weekday()) % 7 or 7
        past, coming = ref - timedelta(days=back), ref + timedelta(days=ahead)
        if m.group("last1") or m.group("last2"):
            add(m.start(), m.end(), (past,))
        elif m.group("next1") or m.group("next2"):
            add(m.start(), m.end(), (coming,))
        else:
            add(m.start(), m.end(), (past, coming))
    for m in _RELATIVE_RE.finditer(low):
        add(m.start(), m.end(), (ref + timedelta(days=_RELATIVE[m.group()]),))
    for m in _MONTH_END.finditer(low):
        last = calendar.monthrange(ref.year, ref.month)[1]
        add(m.start(), m.end(), (date(ref.year, ref.month, last),))
    return sorted(found, key=lambda f: f.start)


_AMOUNT = re.compile(
    r"(?:(?P<cur1>€|eur\b|euros?\b)\s?)?"
    r"(?P<n>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d{1,2})?|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    r"|\d+(?:[,.]\d{1,2})?)"
    r"(?:\s?(?P<cur2>€|eur\b|euros?\b|k€))?",
    re.I,
)


def find_amounts(text: str) -> list[Found]:
    """Amounts of money written in `text` (with a currency, or French decimals)."""
    found = []
    for m in _AMOUNT.finditer(text):
        number = m.group("n")
        marked = m.group("cur1") or m.group("cur2")
        if not marked and not re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})*,\d\d", number):
            continue
        before = text[max(m.start() - 1, 0) : m.start()]
        after = text[m.end() : m.end() + 1]
        if (before and (before.isalnum() or before in "-/")) or (after and after in "-/"):
            continue  # part of a reference or a date
        try:
            cents = parse_amount(number)
        except (AmountError, ValueError):
            continue
        if (m.group("cur2") or "").lower() == "k€":
            cents *= 1000
        if cents > 0:
            found.append(Found(m.start(), m.end(), (cents,)))
    return found


_NUMBER_WORDS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "douze": 12, "two": 2, "three": 3, "four": 4, "five": 5,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
}  # fmt: skip
_INSTALMENTS = re.compile(
    r"\b(?P<n>\d{1,2}|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|two|three|four"
    r"|five|seven|eight|nine|ten|twelve)\s+(?:fois|echeances|mensualites|versements|paiements"
    r"|instal?lments|monthly payments|payments|times)\b"
)


def find_instalments(text: str) -> list[Found]:
    """'en trois fois', '3 échéances', 'three instalments': the number of instalments asked."""
    found = []
    for m in _INSTALMENTS.finditer(fold(text)):
        word = m.group("n")
        count = int(word) if word.isdigit() else _NUMBER_WORDS[word]
        if 2 <= count <= 24:
            found.append(Found(m.start(), m.end(), (count,)))
    return found


_REFERENCE = re.compile(
    r"\b(?:ref(?:erence)?|reference|n°)\s*(?:du virement|of the transfer|:|\.)?\s*"
    r"(?P<r>[A-Z0-9][A-Z0-9/_.-]{2,})",
    re.I,
)


def find_reference(text: str) -> Found | None:
    """A payment reference ("référence VIR-88", "ref: 12345")."""
    m = _REFERENCE.search(fold(text))
    if m is None:
        return None
    raw = text[m.start("r") : m.end("r")].rstrip(".,;")
    return Found(m.start("r"), m.start("r") + len(raw), (raw,))


_CANDIDATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]*\d[A-Za-z0-9/_-]*")


def reference_tokens(text: str) -> list[tuple[int, int, str]]:
    """Tokens that could be invoice numbers (letters, digits, dashes, with a digit)."""
    return [(m.start(), m.end(), m.group().rstrip(".")) for m in _CANDIDATE.finditer(text)]
