from datetime import date
from decimal import Decimal

import pytest

from assistant.dates import format_date, parse_date, parse_iso
from assistant.money import cents_to_str, format_money, locale_for, parse_amount


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
    ],
)
def test_parse_amount_accepts_french_and_iso_forms(text: object, cents: int) -> None:
    assert parse_amount(text) == cents  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "abc", "12,34,5", "1,2345", "1,234", "-", ".", True])
def test_parse_amount_rejects_garbage_and_sub_cent_text(text: object) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)  # type: ignore[arg-type]


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
     ("05.03.2026", date(2026, 3, 5))],
)  # fmt: skip
def test_parse_date_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "2026/03/05", "05/03/26", "hier", ""])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_parse_iso_is_strict_and_formatting_is_localised() -> None:
    assert parse_iso("2026-11-20") == date(2026, 11, 20)
    with pytest.raises(ValueError):
        parse_iso("20/11/2026")
    assert format_date(date(2026, 11, 20), "fr_FR") == "20 novembre 2026"
    assert format_date(date(2026, 11, 20), "en_GB") == "20 November 2026"
    # French typography: the first of the month is "1er"
    assert format_date(date(2026, 10, 1), "fr_FR") == "1er octobre 2026"
    assert format_date(date(2026, 10, 11), "fr_FR") == "11 octobre 2026"
    assert format_date(date(2026, 10, 1), "en_GB") == "1 October 2026"
