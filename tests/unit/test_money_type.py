"""`Money` and `Totals`: arithmetic keeps the currency, mixing currencies is refused with a
message naming both, sums stay per currency and show the main currency first."""

from __future__ import annotations

import pytest

from assistant.money import CurrencyMismatch, Money, Totals

NBSP, NNBSP = "\xa0", "\u202f"


def test_arithmetic_keeps_the_currency() -> None:
    usd = Money(1_000, "USD")
    assert usd + Money(250, "USD") == Money(1_250, "USD")
    assert usd - Money(250, "USD") == Money(750, "USD")
    assert Money(250, "USD") - usd == Money(-750, "USD")
    assert -usd == Money(-1_000, "USD")
    assert Money.zero("USD") == Money(0, "USD") and Money.zero() == Money(0, "EUR")


def test_comparisons_and_the_smaller_of_two() -> None:
    assert not Money(5, "USD") < Money(5, "USD")
    assert Money(5, "USD") <= Money(5, "USD")
    assert Money(4, "USD") < Money(5, "USD")
    assert Money(700).min(Money(500)) == Money(500)
    assert Money(500).min(Money(700)) == Money(500)
    assert not Money(0) and Money(1) and Money(-1)


def test_mixing_currencies_or_types_is_refused_with_both_named() -> None:
    with pytest.raises(CurrencyMismatch, match=r"^EUR and USD$"):
        Money(1) - Money(1, "USD")
    with pytest.raises(TypeError, match=r"^cannot combine Money with int$"):
        Money(1) + 1  # type: ignore[operator]


def test_format_in_a_locale() -> None:
    assert Money(123_456).format() == f"1{NNBSP}234,56{NBSP}€"
    assert Money(123_456, "USD").format("en_GB") == "US$1,234.56"


def test_totals_stay_per_currency_with_the_main_one_first() -> None:
    assert Totals().main() == Money(0, "EUR")  # euros unless told otherwise
    totals = Totals("EUR")
    assert totals.main() == Money(0, "EUR") and totals.get("USD") == Money(0, "USD")
    assert totals.display() == f"0,00{NBSP}€"
    assert Totals("USD").display() == f"0,00{NBSP}$US"
    totals.add(Money(1_000, "USD"))
    totals.add(Money(123_456))
    totals.add(Money(44))
    assert totals.main() == Money(123_500, "EUR") and totals.get("USD") == Money(1_000, "USD")
    assert totals.display() == f"1{NNBSP}235,00{NBSP}€ + 10,00{NBSP}$US"
    usd_first = Totals("USD")
    usd_first.add(Money(123_456))
    usd_first.add(Money(1_000, "USD"))
    usd_first.add(Money(1, "CHF"))
    assert usd_first.display() == (f"10,00{NBSP}$US + 0,01{NBSP}CHF + 1{NNBSP}234,56{NBSP}€")


@pytest.mark.parametrize("currency", ["EU", "EURO", "eur", "Eur", "E1R", "€€€"])
def test_a_currency_is_three_capital_letters_and_the_error_names_it(currency: str) -> None:
    with pytest.raises(ValueError, match=rf"^currency must be an ISO 4217 code: '{currency}'$"):
        Money(100, currency)


@pytest.mark.parametrize("cents", [1.5, "100", None])
def test_cents_are_an_int_and_the_error_names_the_type_given(cents: object) -> None:
    with pytest.raises(
        TypeError, match=rf"^Money cents must be an int, not {type(cents).__name__}$"
    ):
        Money(cents)  # type: ignore[arg-type]
