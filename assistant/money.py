"""Money as integer cents (and `Money`: cents + currency). Parsing of French/ISO amount strings,
formatting with babel."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering
from typing import ClassVar

_SPACES = re.compile(r"[\s\u00a0\u202f']+")  # group separators: spaces of any kind, apostrophe
_CURRENCY = re.compile(r"€|\b(?:eur|euros?|usd|gbp|chf)\b|\$|£", re.IGNORECASE)
_CURRENCY_CODES = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD",
                   "usd": "USD", "£": "GBP", "gbp": "GBP", "chf": "CHF"}  # fmt: skip
_GROUPED = re.compile(r"\d{1,3}(?:(?P<sep>[ .,])\d{3})(?:(?P=sep)\d{3})*")
# ASCII digits only: `\d` would take Arabic-Indic or full-width digits, which int() reads
_PLAIN = re.compile(r"(-?)(\d{1,3}(?: \d{3}){1,3}|\d{1,12})(?:[.,](\d{1,2}))?", re.ASCII)
_NUMBER = re.compile(r"[0-9 .,]*[0-9][0-9 .,]*")
_DIGITS = re.compile(r"[0-9]*")
_ONE_GROUP = re.compile(r"[1-9][0-9]{0,2}")  # 1,234: a thousands group, or 3 decimals?
_SEPARATORS = re.compile(r"[ .,]")
_NUMERIC = re.compile(r"[\d\s.,()+'\u00a0\u202f-]*")  # nothing that could be a currency
_CENT = Decimal("0.01")
MAX_CENTS = 10**14  # a trillion euros: more is a typo, and SQLite integers stop at 2**63


class AmountError(ValueError):
    """An amount that cannot be read; `reason` is `invalid`, `decimals` or `ambiguous`."""

    _TEXT: ClassVar[dict[str, str]] = {
        "invalid": "montant invalide / invalid amount",
        "decimals": "montant avec plus de 2 décimales / more than 2 decimals",
        "ambiguous": "montant ambigu / ambiguous amount",
    }

    def __init__(self, reason: str, raw: str) -> None:
        super().__init__(f"{self._TEXT[reason]}: {raw!r}")
        self.reason = reason
        self.raw = raw


def currency_in(text: str) -> str | None:
    """The ISO code of a currency written in an amount (`1 234,56 €` -> EUR), or None."""
    if _NUMERIC.fullmatch(text) or _CURRENCY.search(text) is None:  # the common cases, fast
        return None
    codes = {_CURRENCY_CODES[m.group().lower()] for m in _CURRENCY.finditer(text)}
    if len(codes) > 1:
        raise AmountError("invalid", text)
    return codes.pop() if codes else None


def parse_amount(text: str | int | float | Decimal) -> int:
    """Parse `1 234,56`, `1234.56`, `1 234,56 €`, `1.234,56`, `1,234.56`, `-12,5`, `(12,50)`
    or `12,50-` (trailing minus, as some accounting software writes) into integer cents.

    Thousands separators must group by three (`12 34,5` is refused, not read as 1234.50).
    A lone `,` or `.` is the decimal separator; `1,234` / `1.234` (thousands or decimals?)
    is refused as ambiguous rather than guessed. Anything else raises AmountError.
    Floats (from spreadsheets) are converted through their shortest repr, then rounded to the cent.
    """
    if isinstance(text, bool):
        raise AmountError("invalid", str(text))
    if isinstance(text, int):
        if abs(text) * 100 >= MAX_CENTS:
            raise AmountError("invalid", str(text))
        return text * 100
    if isinstance(text, float):
        return _to_cents(Decimal(repr(text)), repr(text), exact=False)
    if isinstance(text, Decimal):
        return _to_cents(text, str(text), exact=False)
    raw = text.strip()
    if m := _PLAIN.fullmatch(raw):  # fast path: 1234, 1 234,5, 1234.56, -12,50
        value = int(m[2].replace(" ", "")) * 100 + int((m[3] or "").ljust(2, "0"))
        return -value if m[1] else value
    s, currencies = _CURRENCY.subn(" ", raw)
    if currencies > 1:
        currency_in(raw)  # two different currencies in one amount are refused
    s = _SPACES.sub(" ", s).strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    elif s.endswith("-") and not negative:
        negative, s = True, s[:-1].strip()
    if not s or not _NUMBER.fullmatch(s):
        raise AmountError("invalid", raw)
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
    elif commas == 1 or dots == 1:
        decimal_sep = "," if commas else "."
    else:
        decimal_sep = None  # no separator, or the same one repeated: thousands only
    whole, _, fraction = s.rpartition(decimal_sep) if decimal_sep else (s, "", "")
    if decimal_sep and (not _DIGITS.fullmatch(fraction) or not (whole or fraction)):
        raise AmountError("invalid", raw)
    if not _DIGITS.fullmatch(whole) and not _GROUPED.fullmatch(whole):
        raise AmountError("invalid", raw)
    digits = _SEPARATORS.sub("", whole) or "0"
    if decimal_sep and len(fraction) == 3 and _ONE_GROUP.fullmatch(whole):
        raise AmountError("ambiguous", raw)
    value = _to_cents(Decimal(f"{digits}.{fraction or '0'}"), raw, exact=True)
    return -value if negative else value


def _to_cents(value: Decimal, raw: str, *, exact: bool) -> int:
    """Exact input (text) must not carry sub-cent digits; spreadsheet floats are rounded."""
    if value.is_nan():  # a NaN float or Decimal: quantize() lets it through, comparisons raise
        raise AmountError("invalid", raw)
    try:
        quantized = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise AmountError("invalid", raw) from exc
    if exact and quantized != value:
        raise AmountError("decimals", raw)
    if abs(quantized) * 100 >= MAX_CENTS:
        raise AmountError("invalid", raw)
    return int(quantized * 100)


def to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENT)


def cents_to_str(cents: int) -> str:
    """The JSON form of money: a decimal string `"1234.56"` (never a float)."""
    return str(to_decimal(cents))


@functools.lru_cache(maxsize=4096)  # babel is slow; a batch repeats amounts and dates
def format_money(cents: int, currency: str = "EUR", locale: str = "fr_FR") -> str:
    """`1 234,56 €` for fr_FR, `€1,234.56` for en_GB..."""
    from babel.numbers import format_currency  # locale data: not for JSON or a count

    return format_currency(to_decimal(cents), currency, locale=locale)


def display_money(cents: int, currency: str = "EUR") -> str:
    """Money in messages and reports, in the interface language: `1 234,56 €` / `€1,234.56`."""
    from assistant.i18n import language

    return format_money(cents, currency, "en_GB" if language() == "en" else "fr_FR")


# Countries whose conventions are those of the language (else the language's main locale):
# an English message to a French customer writes `€5,796.00`, not `5 796,00 €`.
_LANGUAGE_COUNTRIES = {
    "en": ("GB", "IE", "US", "CA", "AU", "NZ", "ZA", "IN", "SG", "MT"),
    "fr": ("FR", "BE", "CH", "LU", "MC", "CA"),
}
_MAIN_LOCALE = {"en": "en_GB", "fr": "fr_FR"}


def locale_for(language: str, country: str = "FR") -> str:
    """Babel locale of a message: the message's language decides (fr + BE -> fr_BE; en + FR ->
    en_GB, so English text never carries French number formats)."""
    language = (language or "fr").lower()[:2]
    country = (country or "FR").upper()[:2]
    if language not in _MAIN_LOCALE:
        language = "fr"
    if country in _LANGUAGE_COUNTRIES[language]:
        return f"{language}_{country}"
    return _MAIN_LOCALE[language]


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were added or compared."""


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """An amount with its currency: integer cents + ISO 4217 code. Adding or comparing two
    currencies raises `CurrencyMismatch` (never a silent sum); JSON is a decimal string."""

    cents: int
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if type(self.cents) is not int:
            raise TypeError(f"Money cents must be an int, not {type(self.cents).__name__}")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"currency must be an ISO 4217 code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(0, currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + self._same(other).cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - self._same(other).cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.cents < self._same(other).cents

    def __bool__(self) -> bool:
        return self.cents != 0

    def min(self, other: Money) -> Money:
        return self if self <= other else other

    def json(self) -> str:
        """The JSON form: a decimal string `"1234.56"` (the currency travels beside it)."""
        return cents_to_str(self.cents)

    def display(self) -> str:
        """`1 234,56 €` / `US$1,234.56` in the interface language."""
        return display_money(self.cents, self.currency)

    def format(self, locale: str = "fr_FR") -> str:
        return format_money(self.cents, self.currency, locale)


class Totals:
    """Sums per currency (never mixing them): `add(money)`, `by_currency()`, `main()`."""

    def __init__(self, main_currency: str = "EUR") -> None:
        self.main_currency = main_currency
        self._sums: dict[str, int] = {}

    def add(self, money: Money) -> None:
        self._sums[money.currency] = self._sums.get(money.currency, 0) + money.cents

    def get(self, currency: str) -> Money:
        return Money(self._sums.get(currency, 0), currency)

    def main(self) -> Money:
        return self.get(self.main_currency)

    def currencies(self) -> list[str]:
        return sorted(self._sums)

    def by_currency(self) -> dict[str, str]:
        """`{"EUR": "1234.56", "USD": "10.00"}` for JSON."""
        return {c: cents_to_str(self._sums[c]) for c in self.currencies()}

    def display(self) -> str:
        """`1 234,56 € + 10,00 $US` (main currency first)."""
        order = sorted(self._sums, key=lambda c: (c != self.main_currency, c))
        return (
            " + ".join(Money(self._sums[c], c).display() for c in order)
            or Money(0, self.main_currency).display()
        )
