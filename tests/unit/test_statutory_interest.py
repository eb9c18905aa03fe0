"""Late interest by half-year: every expected figure below is computed by hand in the comment
(cents x days x rate / 365, half-up to the cent), not by the code under test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assistant.errors import PolicyError
from assistant.policyfile import parse_policy_text
from assistant.statutory.interest import late_interest
from assistant.statutory.rates import HalfYear, RateBook, RateTables, load_rate_tables

TABLES = load_rate_tables(None)  # the shipped table


def total(lines: list) -> int:  # type: ignore[type-arg]
    return sum(line.amount_cents for line in lines)


def test_partly_paid_invoice_bears_interest_on_what_was_unpaid_each_day() -> None:
    # C004 FA-2026-0345: 2 931,66 € due 16/10/2026, 1 100 € paid 23/11, as of 01/12/2026.
    # 17/10..23/11 = 38 days on 2 931,66 ; 24/11..01/12 = 8 days on 1 831,66 ; H2 2026: 12,15 %.
    # (293166 x 38 + 183166 x 8) x 0,1215 / 365 = 12605636 x 0,1215 / 365 = 4196,12 c -> 41,96 €
    lines = late_interest(
        date(2026, 10, 16), date(2026, 12, 1), 183_166, [(date(2026, 11, 23), 110_000)],
        RateBook(TABLES),
    )  # fmt: skip
    assert total(lines) == 4_196
    assert [(line.days, str(line.rate.rate)) for line in lines] == [(46, "12.15")]
    # the old computation (today's balance for every day) gave 28,05 €
    assert total(lines) != 2_805


def test_a_delay_crossing_1_january_and_1_july_is_split_by_half_year() -> None:
    # 10 000 € due 15/12/2024, as of 10/07/2025:
    #   H2 2024 (ECB 4,25 + 10): 16/12..31/12 = 16 d: 1000000 x 16 x 0,1425 / 365 -> 62,47 €
    #   H1 2025 (ECB 3,15 + 10): 181 d: 1000000 x 181 x 0,1315 / 365 = 65209,59 -> 652,10 €
    #   H2 2025 (ECB 2,15 + 10): 01/07..10/07 = 10 d: 1000000 x 10 x 0,1215 / 365 -> 33,29 €
    lines = late_interest(date(2024, 12, 15), date(2025, 7, 10), 1_000_000, [], RateBook(TABLES))
    assert [(ln.half.key, ln.days, str(ln.rate.rate), ln.amount_cents) for ln in lines] == [
        ("2024-H2", 16, "14.25", 6_247),
        ("2025-H1", 181, "13.15", 65_210),
        ("2025-H2", 10, "12.15", 3_329),
    ]
    assert total(lines) == 74_786


def test_first_half_2025_uses_13_15_percent() -> None:
    # 5 000 € due 31/03/2025, as of 30/06/2025: 91 days at 13,15 %:
    # 500000 x 91 x 0,1315 / 365 = 16392,43 -> 163,92 € (a single 12,15 % rate gave 151,46 €)
    lines = late_interest(date(2025, 3, 31), date(2025, 6, 30), 500_000, [], RateBook(TABLES))
    assert total(lines) == 16_392


def test_rounding_is_half_up_to_the_cent() -> None:
    # 10 950 € one day late at 12,15 %: 1095000 x 0,1215 / 365 = 364,5 c -> 3,65 € (not 3,64)
    lines = late_interest(date(2025, 9, 1), date(2025, 9, 2), 1_095_000, [], RateBook(TABLES))
    assert total(lines) == 365


def test_a_payment_bears_interest_on_its_own_day_and_a_later_one_is_ignored() -> None:
    # 1 000 € due 01/09/2025, paid in full on 03/09 (2 days: 02/09 and 03/09), as of 30/09;
    # a payment after as_of does not reduce anything before it (it is in unpaid_after already).
    # 100000 x 2 x 0,1215 / 365 = 66,58 c -> 0,67 €
    lines = late_interest(
        date(2025, 9, 1), date(2025, 9, 30), 0, [(date(2025, 9, 3), 100_000)], RateBook(TABLES)
    )
    assert total(lines) == 67
    assert late_interest(date(2025, 9, 1), date(2025, 9, 1), 100_000, [], RateBook(TABLES)) == []


def test_a_contractual_rate_overrides_the_default_but_never_goes_below_the_floor() -> None:
    # 10 000 € due 31/08/2025, as of 30/09/2025 = 30 days in H2 2025.
    # contractual 15 %: 1000000 x 30 x 0,15 / 365 = 12328,77 -> 123,29 €
    lines = late_interest(
        date(2025, 8, 31), date(2025, 9, 30), 1_000_000, [], RateBook(TABLES, Decimal("15"))
    )
    assert total(lines) == 12_329 and lines[0].rate.basis == "contractual"
    # contractual 5 % < floor 3 x 2,76 % = 8,28 %: 1000000 x 30 x 0,0828 / 365 = 6805,48 -> 68,05 €
    lines = late_interest(
        date(2025, 8, 31), date(2025, 9, 30), 1_000_000, [], RateBook(TABLES, Decimal("5"))
    )
    assert total(lines) == 6_805 and lines[0].rate.basis == "floor"
    assert lines[0].rate.rate == Decimal("8.28")


def test_a_half_year_missing_from_the_table_is_flagged_as_estimated() -> None:
    book = RateBook(TABLES)
    rate = book.for_half(HalfYear(2031, 1))
    assert rate.estimated and rate.rate == Decimal("12.15")
    assert not book.for_half(HalfYear(2026, 2)).estimated


def test_the_user_adds_a_half_year_in_the_table() -> None:
    text = """
ecb_refinancing_rate:
  - {half_year: "2027-H1", rate: "1.90", source: "ECB decision"}
legal_interest_rate:
  - {half_year: "2027-H1", rate: "2.00", source: "Arrêté"}
"""
    tables = parse_policy_text(text, RateTables, "statutory_rates.yaml")
    assert RateBook(tables).for_half(HalfYear(2027, 1)).rate == Decimal("11.90")
    with pytest.raises(PolicyError, match="listed twice"):
        parse_policy_text(text + '  - {half_year: "2027-H1", rate: "2", source: "dup"}\n',
                          RateTables, "statutory_rates.yaml")  # fmt: skip
    with pytest.raises(PolicyError, match="nombre à écrire comme du texte"):
        parse_policy_text(text.replace('"1.90"', "1.90"), RateTables, "statutory_rates.yaml")


def test_every_shipped_entry_names_its_source() -> None:
    assert all(e.source for e in TABLES.ecb_refinancing_rate + TABLES.legal_interest_rate)
    assert TABLES.ecb(HalfYear(2025, 1)).rate == Decimal("3.15")  # type: ignore[union-attr]
    assert TABLES.legal(HalfYear(2026, 1)).rate == Decimal("2.62")  # type: ignore[union-attr]


def test_only_positive_payments_from_the_first_late_day_to_as_of_count() -> None:
    # 1 000 € due 01/09/2025, nothing unpaid after as_of 30/09 (H2 2025, 12,15 %). Counted:
    # 400 € paid 02/09 (the first late day: 1 day), 500 € paid 30/09 (as_of: 29 days) and 1 cent
    # paid 10/09 (9 days). Not counted: a payment on the due day, one after as_of, a negative one.
    payments = [
        (date(2025, 9, 1), 50_000),
        (date(2025, 9, 2), 40_000),
        (date(2025, 9, 10), 1),
        (date(2025, 9, 30), 50_000),
        (date(2025, 10, 1), 70_000),
        (date(2025, 9, 5), -3_000),
    ]
    lines = late_interest(date(2025, 9, 1), date(2025, 9, 30), 0, payments, RateBook(TABLES))
    # 40000 x 1 + 1 x 9 + 50000 x 29 = 1490009 cents-days
    assert [(ln.days, ln.cents_days) for ln in lines] == [(29, 1_490_009)]
    # 1490009 x 0,1215 / 365 = 495,99 c -> 4,96 €
    assert total(lines) == 496


def test_nothing_unpaid_adds_no_cents_days_and_a_half_year_without_any_has_no_line() -> None:
    # 1 000 € due 30/06/2025, paid 01/07 (the first late day, also the first day of H2 2025);
    # as of 10/07/2025 with nothing left unpaid: one day on 100000, nothing else.
    lines = late_interest(
        date(2025, 6, 30), date(2025, 7, 10), 0, [(date(2025, 7, 1), 100_000)], RateBook(TABLES)
    )
    assert [(ln.half.key, ln.days, ln.cents_days) for ln in lines] == [("2025-H2", 10, 100_000)]
    # due 15/06/2025, paid 20/06: H1 has 5 days on 100000; H2 (01/07..10/07) owes nothing: no line
    lines = late_interest(
        date(2025, 6, 15), date(2025, 7, 10), 0, [(date(2025, 6, 20), 100_000)], RateBook(TABLES)
    )
    assert [(ln.half.key, ln.days, ln.cents_days) for ln in lines] == [("2025-H1", 15, 500_000)]
    # one cent unpaid for one day still makes a line (of 0,00 €): the sum is positive
    lines = late_interest(date(2025, 9, 1), date(2025, 9, 2), 1, [], RateBook(TABLES))
    assert [(ln.days, ln.cents_days, ln.amount_cents) for ln in lines] == [(1, 1, 0)]


def test_an_interest_line_in_json() -> None:
    lines = late_interest(date(2025, 9, 1), date(2025, 9, 2), 1_095_000, [], RateBook(TABLES))
    assert [ln.as_json() for ln in lines] == [
        {
            "half_year": "2025-H2",
            "from": "2025-09-02",
            "to": "2025-09-02",
            "days": 1,
            "rate": "12.15",
            "rate_basis": "statutory",
            "rate_estimated": False,
            "unpaid_cents_days": 1_095_000,
            "amount": "3.65",
        }
    ]
    assert lines[0].average_balance_cents == 1_095_000
