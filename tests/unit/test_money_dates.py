from datetime import date
from decimal import Decimal

import pytest

from assistant.dates import format_date, parse_date, parse_iso
from assistant.money import (
    AmountError,
    cents_to_str,
    currency_in,
    format_money,
    locale_for,
    parse_amount,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1 234,56", 123456),
        ("1234.56", 123456),
        ("1 234,56 €", 123456),
        ("1\u202f234,56\u00a0€", 123456),
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("-12,5", -1250),
        ("(12,50)", -1250),
        ("12", 1200),
        ("1234.560", 123456),
        (1234.5, 123450),
        (0.1 + 0.2, 30),
        (Decimal("10.005"), 1001),
        (7, 700),
        ("150,00-", -15000),  # trailing minus (Sage, SAP exports)
        ("1\u202f234\u202f567,89", 123456789),  # Excel fr: narrow no-break spaces
        ("1.234.567,89", 123456789),
        ("1,234,567.89", 123456789),
        ("1,234,567", 123456700),
        ("1'234.50", 123450),
        ("12,00 CHF", 1200),
        ("EUR 12", 1200),
        # signs outside the fast path (grouped with dots, a currency): every digit kept
        ("-1.234,56", -123456),
        ("+1.234,56", 123456),
        ("(12,34)", -1234),
        ("(1.234,56 €)", -123456),
        ("150,25-", -15025),
        (",5", 50),  # no whole part: zero euros
        ("5,", 500),  # a separator with nothing after it
    ],
)
def test_parse_amount_accepts_french_and_iso_forms(text: object, cents: int) -> None:
    assert parse_amount(text) == cents  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "invalid"), ("abc", "invalid"), ("12,34,5", "invalid"), ("-", "invalid"),
     (".", "invalid"), (True, "invalid"), ("1e3", "invalid"), ("NaN", "invalid"),
     ("=A1+B1", "invalid"), ("--5", "invalid"), ("(5)-", "invalid"),
     ("12 34,5", "invalid"), ("12.3.4", "invalid"), ("1.23.456,00", "invalid"),
     ("1.234 567,00", "invalid"), ("12 € $", "invalid"), ("1 000 000 000 000,00", "invalid"),
     ("99999999999999999999", "invalid"), (10**20, "invalid"),
     ("1,2345", "decimals"), ("0,001", "decimals"), ("1 234,567", "decimals"),
     ("(12,50", "invalid"), ("12,50)", "invalid"),
     ("12,3 4", "invalid"), ("1 2,5", "invalid"),
     ("\u0661\u0662\u0663 \u0664\u0665\u0666", "invalid"),  # Arabic-Indic digits, grouped
     ("1,234", "ambiguous"), ("1.234", "ambiguous"), ("12.345", "ambiguous")],
)  # fmt: skip
def test_parse_amount_rejects_garbage_bad_grouping_and_sub_cent_text(
    text: object, reason: str
) -> None:
    """Wrong grouping is refused, never read as another amount (12.3.4 is not 1234)."""
    with pytest.raises(AmountError) as caught:
        parse_amount(text)  # type: ignore[arg-type]
    assert caught.value.reason == reason
    raw = text.strip() if isinstance(text, str) else str(text)
    assert caught.value.raw == raw and str(caught.value).endswith(f": {raw!r}")


def test_currency_written_in_an_amount() -> None:
    assert currency_in("1 234,56 €") == "EUR" and currency_in("12,00 CHF") == "CHF"
    assert currency_in("1 234,56") is None
    with pytest.raises(AmountError):
        currency_in("12 € USD")


def test_money_json_form_and_locale_formatting() -> None:
    assert cents_to_str(123456) == "1234.56"
    assert cents_to_str(-5) == "-0.05"
    assert format_money(123456, "EUR", "fr_FR").replace("\u202f", " ").replace("\xa0", " ") == (
        "1 234,56 €"
    )
    assert format_money(123456, "EUR", "en_GB") == "€1,234.56"
    assert locale_for("fr", "BE") == "fr_BE"
    assert locale_for("xx", "ZZ") == "fr_FR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("05/03/2026", date(2026, 3, 5)), ("5/3/2026", date(2026, 3, 5)),
     ("2026-03-05", date(2026, 3, 5)), ("20260305", date(2026, 3, 5)),
     ("05.03.2026", date(2026, 3, 5)), ("2026/03/05", date(2026, 3, 5)),
     ("05/03/26", date(2026, 3, 5)), ("05/03/95", date(1995, 3, 5)),
     ("05/03/2026 00:00", date(2026, 3, 5)), ("05/03/2026 14:30:00", date(2026, 3, 5)),
     ("2026-03-05T14:30:00+01:00", date(2026, 3, 5)), ("2026-3-5", date(2026, 3, 5))],
)  # fmt: skip
def test_parse_date_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31/02/2026", "2026-13-01", "00/01/2026", "05/03/0026", "05/03/9999", "05/03/2026 midi",
     "5 mars 2026", "05/03-2026", "hier", ""],
)  # fmt: skip
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_parse_iso_is_strict_and_formatting_is_localised() -> None:
    assert parse_iso("2026-11-20") == date(2026, 11, 20)
    with pytest.raises(ValueError):
        parse_iso("20/11/2026")
    assert format_date(date(2026, 11, 20), "fr_FR") == "20 novembre 2026"
    assert format_date(date(2026, 11, 20), "en_GB") == "20 November 2026"
    assert format_date(date(2026, 10, 1), "fr_FR") == "1er octobre 2026"
    assert format_date(date(2026, 10, 1), "fr_FR", "full") == "jeudi 1er octobre 2026"
    assert format_date(date(2026, 12, 1), "fr_FR", "medium") == "1er déc. 2026"
    assert format_date(date(2026, 12, 1), "en_GB", "medium") == "1 Dec 2026"
    assert format_date(date(2026, 10, 1), "en_GB") == "1 October 2026"
    assert format_date(date(2026, 10, 11), "fr_FR") == "11 octobre 2026"


@pytest.mark.parametrize(
    ("value", "raw"),
    [(float("nan"), "nan"), (float("inf"), "inf"), (Decimal("NaN"), "NaN"),
     (Decimal("-Infinity"), "-Infinity")],
)  # fmt: skip
def test_a_spreadsheet_nan_or_infinity_is_an_invalid_amount(value: object, raw: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(value)  # type: ignore[arg-type]
    assert (caught.value.reason, caught.value.raw) == ("invalid", raw)
    assert str(caught.value) == f"montant invalide / invalid amount: {raw!r}"


def test_an_amount_error_names_its_reason_and_the_text_it_read() -> None:
    expected = {
        " 1,2345 ": (
            "decimals",
            "1,2345",
            "montant avec plus de 2 décimales / more than 2 decimals",
        ),
        "1,234": ("ambiguous", "1,234", "montant ambigu / ambiguous amount"),
        "abc": ("invalid", "abc", "montant invalide / invalid amount"),
    }
    for text, (reason, raw, words) in expected.items():
        with pytest.raises(AmountError) as caught:
            parse_amount(text)
        assert (caught.value.reason, caught.value.raw) == (reason, raw)
        assert str(caught.value) == f"{words}: {raw!r}"


def test_display_money_follows_the_interface_language() -> None:
    from assistant.i18n import set_language
    from assistant.money import display_money

    assert display_money(123456) == "1\u202f234,56\u00a0€"
    assert display_money(99, "USD") == "0,99\u00a0$US"
    set_language("en")
    assert display_money(123456) == "€1,234.56"
    assert display_money(99, "USD") == "US$0.99"


def test_the_largest_amount_is_just_under_a_trillion() -> None:
    assert parse_amount(Decimal("999999999999.99")) == 99_999_999_999_999
    assert parse_amount("999 999 999 999,99 €") == 99_999_999_999_999
    for too_big in (Decimal("1000000000000"), "1 000 000 000 000,00 €"):
        with pytest.raises(AmountError) as caught:
            parse_amount(too_big)  # type: ignore[arg-type]
        assert (caught.value.reason, caught.value.raw) == ("invalid", str(too_big))


def test_two_currencies_in_one_amount_are_refused_with_the_text() -> None:
    with pytest.raises(AmountError) as caught:
        currency_in("12 € USD")
    assert (caught.value.reason, caught.value.raw) == ("invalid", "12 € USD")
    assert currency_in("€ 12 EUR") == "EUR" and currency_in("12 euros") == "EUR"


def test_a_whole_number_cell_is_euros_up_to_just_under_a_trillion() -> None:
    """A spreadsheet integer is a number of euros; a boolean cell is no amount at all."""
    assert parse_amount(999_999_999_999) == 99_999_999_999_900
    assert parse_amount(-999_999_999_999) == -99_999_999_999_900
    for value, raw in ((10**12, "1000000000000"), (-(10**12), "-1000000000000"), (True, "True")):
        with pytest.raises(AmountError) as caught:
            parse_amount(value)
        assert (caught.value.reason, caught.value.raw) == ("invalid", raw)
        assert str(caught.value) == f"montant invalide / invalid amount: {raw!r}"


def test_a_locale_from_a_full_language_tag_or_a_subdivision_code() -> None:
    assert locale_for("en_GB", "GB") == "en_GB" and locale_for("en-US", "us") == "en_US"
    assert locale_for("fr", "CH-GE") == "fr_CH"  # ISO 3166-2: the country is its first two letters
