"""Money as integer cents. Parsing of French/ISO amount strings, formatting with babel."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"(€|eur|euros?|\$|usd|£|gbp|chf)", re.IGNORECASE)
_CENT = Decimal("0.01")


def parse_amount(text: str | int | float | Decimal) -> int:
    """Parse `1 234,56`, `1234.56`, `1 234,56 €`, `1.234,56`, `-12,5` into integer cents.

    Raises ValueError with a short French/English message on anything else.
    Floats (from spreadsheets) are converted through their shortest repr, then rounded to the cent.
    """
    if isinstance(text, bool):
        raise ValueError("montant invalide / invalid amount")
    if isinstance(text, int):
        return text * 100
    if isinstance(text, float):
        return _to_cents(Decimal(repr(text)), repr(text), exact=False)
    if isinstance(text, Decimal):
        return _to_cents(text, str(text), exact=False)
    raw = text.strip()
    s = _CURRENCY.sub("", raw)
    s = _SPACES.sub("", s)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not re.fullmatch(r"[0-9]*[.,]?[0-9.,]*[0-9][0-9.,]*|[0-9]+", s):
        raise ValueError(f"montant invalide / invalid amount: {raw!r}")
    if "," in s and "." in s:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        s = s.replace(group_sep, "").replace(decimal_sep, ".")
    elif "," in s:
        if s.count(",") > 1:
            raise ValueError(f"montant invalide / invalid amount: {raw!r}")
        s = s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")  # 1.234.567 : dots as thousands separators
    value = _to_cents(Decimal(s), raw, exact=True)
    return -value if negative else value


def _to_cents(value: Decimal, raw: str, *, exact: bool) -> int:
    """Exact input (text) must not carry sub-cent digits; spreadsheet floats are rounded."""
    try:
        quantized = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"montant invalide / invalid amount: {raw!r}") from exc
    if exact and quantized != value:
        raise ValueError(f"montant avec plus de 2 décimales / more than 2 decimals: {raw!r}")
    return int(quantized * 100)


def to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENT)


def cents_to_str(cents: int) -> str:
    """The JSON form of money: a decimal string `"1234.56"` (never a float)."""
    return str(to_decimal(cents))


def format_money(cents: int, currency: str = "EUR", locale: str = "fr_FR") -> str:
    """`1 234,56 €` for fr_FR, `€1,234.56` for en_GB..."""
    return format_currency(to_decimal(cents), currency, locale=locale)


def locale_for(language: str, country: str = "FR") -> str:
    """Babel locale from a customer's language and country (fr + BE -> fr_BE)."""
    language = (language or "fr").lower()[:2]
    country = (country or "FR").upper()[:2]
    candidate = f"{language}_{country}"
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(candidate)
        return candidate
    except (UnknownLocaleError, ValueError):
        return {"fr": "fr_FR", "en": "en_GB"}.get(language, "fr_FR")
