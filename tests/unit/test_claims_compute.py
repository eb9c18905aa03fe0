"""`compute_claims` on hand-built invoices: which list each invoice lands in and what it carries,
indemnities and interest switched off, the late-payment window, the rates of the half-year in
force on its first and last days, the currency of a customer who owes nothing, the home's own
rate table and plan policy. Expected figures worked out by hand (12,15 % = ECB 2,15 + 10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.briefs.options import LateInterest, PaymentPlanPolicy, RecoveryIndemnity
from assistant.models import InvoiceStatus
from assistant.money import Money
from assistant.service import Service
from assistant.statutory.claims import (
    Claims,
    LimitationWarning,
    PaidLate,
    claims_for,
    compute_claims,
)
from assistant.statutory.rates import load_rate_tables, load_statutory_policy
from assistant.storage.balances import StoredCredit, replace_credits
from assistant.storage.db import Store
from tests.support.pg_neutral import put_policy
from tests.unit.rules_builders import add_customer, add_invoice
from tests.unit.test_statutory_claims import pay

AS_OF = date(2026, 11, 30)
PLANS = PaymentPlanPolicy()
NOTHING_LEGAL = PaymentPlanPolicy(
    recovery_indemnity=RecoveryIndemnity(enabled=False), late_interest=LateInterest(enabled=False)
)


def claims(
    store: Store, as_of: date = AS_OF, plans: PaymentPlanPolicy = PLANS, **kw: str
) -> Claims:
    return compute_claims(
        store,
        "C1",
        as_of,
        policy=load_statutory_policy(None),
        tables=load_rate_tables(None),
        plans=plans,
        **kw,  # type: ignore[arg-type]
    )


def test_each_invoice_lands_in_its_list_with_what_it_carries(store: Store) -> None:
    add_customer(store, "C1")
    add_invoice(
        store, "F-LATE", date(2026, 10, 31), 100_000, reference="CMD-7", pdf_path="f/late.pdf"
    )
    add_invoice(
        store, "F-SOON", date(2026, 12, 15), 50_000, reference="CMD-8", pdf_path="f/soon.pdf"
    )
    add_invoice(store, "F-DISP", date(2026, 10, 15), 30_000, status=InvoiceStatus.DISPUTED)
    got = claims(store)
    assert (got.customer_id, got.as_of, got.currency) == ("C1", AS_OF, "EUR")
    (late,) = got.overdue
    (soon,) = got.not_due
    (disputed,) = got.disputed
    # 100000 x 30 days x 12,15 % / 365 = 998,6 -> 999 c
    assert late.as_json() | {"interest_by_half_year": None} == {
        "invoice_number": "F-LATE",
        "issue_date": "2026-10-01",  # 30 days before the due date
        "due_date": "2026-10-31",
        "amount": "1000.00",
        "outstanding": "1000.00",
        "currency": "EUR",
        "days_late": 30,
        "recovery_indemnity": "40.00",
        "late_interest": "9.99",
        "interest_by_half_year": None,
        "limitation_date": "2031-10-31",
        "reference": "CMD-7",
    }
    assert late.pdf_path == "f/late.pdf"
    # not due yet: no day late, no indemnity, no interest
    assert (soon.number, soon.days_late, soon.indemnity_cents, soon.interest) == (
        "F-SOON",
        0,
        0,
        (),
    )
    assert (soon.interest_cents, soon.reference, soon.pdf_path) == (0, "CMD-8", "f/soon.pdf")
    # disputed: its indemnity is shown, but no interest runs on a disputed sum
    assert (disputed.number, disputed.days_late, disputed.indemnity_cents, disputed.interest) == (
        "F-DISP",
        46,
        4_000,
        (),
    )
    assert (got.principal_cents, got.outstanding_cents) == (100_000, 150_000)
    assert got.total_cents == 100_000 + 4_000 + 999
    assert (got.paid_late, got.limitations, got.credits_cents) == ([], [], 0)
    assert got.indemnity_per_invoice_cents == 4_000
    assert got.owed_currencies == ("EUR",)


def test_without_indemnities_nor_interest_only_the_principal_is_claimed(store: Store) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F-LATE", date(2026, 10, 31), 100_000)
    add_invoice(store, "F-SOON", date(2026, 12, 15), 50_000)
    add_invoice(store, "F-PAID", date(2026, 10, 15), 20_000)
    pay(store, "F-PAID", date(2026, 11, 2), 20_000)  # 18 days late
    got = claims(store, plans=NOTHING_LEGAL)
    (late,) = got.overdue
    (soon,) = got.not_due
    assert (late.indemnity_cents, late.interest, soon.indemnity_cents) == (0, (), 0)
    assert got.paid_late == [PaidLate("F-PAID", date(2026, 10, 15), date(2026, 11, 2), 18, 0)]
    assert got.total_cents == 100_000
    # the same invoices under the default policy: an indemnity each, and interest
    default = claims(store)
    assert default.paid_late[0].indemnity_cents == 4_000
    assert default.overdue[0].indemnity_cents == 4_000 and default.overdue[0].interest != ()


def test_only_invoices_paid_after_their_due_date_within_the_window_are_paid_late(
    store: Store,
) -> None:
    add_customer(store, "C1")
    window_start = date(2025, 11, 30)  # 12 months before AS_OF (statutory.yaml)
    cases = {
        "P-LATE": (date(2026, 10, 15), date(2026, 11, 2)),  # 18 days late: listed
        "P-ON-DUE": (date(2026, 11, 10), date(2026, 11, 10)),  # on the due date: not late
        "P-EARLY": (date(2026, 11, 20), date(2026, 11, 5)),  # before the due date
        "P-EDGE": (date(2025, 10, 1), window_start),  # late, but on the window's first day
        "P-IN": (date(2025, 10, 1), date(2025, 12, 1)),  # late, the day after it: listed
    }
    for number, (due, paid) in cases.items():
        add_invoice(store, number, due, 10_000)
        pay(store, number, paid, 10_000)
    # paid by an import without a date: nothing says it was late
    add_invoice(
        store, "P-NODATE", date(2026, 9, 1), 10_000, status=InvoiceStatus.PAID, outstanding=0
    )
    got = claims(store)
    assert got.paid_late == [
        PaidLate("P-IN", date(2025, 10, 1), date(2025, 12, 1), 61, 4_000),
        PaidLate("P-LATE", date(2026, 10, 15), date(2026, 11, 2), 18, 4_000),
    ]
    assert got.overdue == got.not_due == got.disputed == []
    assert got.paid_late_indemnity_cents == 8_000


def test_a_limitation_warning_names_the_due_date_and_the_limit(store: Store) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F-OLD", date(2021, 12, 31), 10_000)  # time-barred on 31/12/2026
    add_invoice(store, "F-NEW", date(2021, 6, 1), 10_000, status=InvoiceStatus.DISPUTED)
    got = claims(store)
    assert got.limitations == [
        LimitationWarning("F-NEW", date(2021, 6, 1), date(2026, 6, 1)),
        LimitationWarning("F-OLD", date(2021, 12, 31), date(2026, 12, 31)),
    ]


@pytest.mark.parametrize("as_of", [date(2026, 7, 1), date(2026, 12, 31), date(2026, 1, 1)])
def test_the_rates_list_each_half_year_once_with_the_one_in_force(
    store: Store, as_of: date
) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F-1", date(2025, 12, 1), 100_000)
    got = claims(store, as_of=as_of)
    halves = [r.half.key for r in got.rates]
    assert halves == sorted(set(halves))  # each once, in order
    assert halves[-1] == f"{as_of.year}-H{1 if as_of.month < 7 else 2}"
    in_force = got.rate_in_force()
    assert in_force is not None and in_force.half.key == halves[-1]
    assert in_force.rate == Decimal("12.15")


def test_no_rate_in_force_is_none_not_an_error() -> None:
    empty = Claims("C1", AS_OF, "EUR", [], [], [], [], 0, [], 4_000)
    assert empty.rate_in_force() is None
    assert empty.interest_by_half_year() == {}


def test_interest_is_summed_per_half_year_over_every_invoice(store: Store) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F-A", date(2026, 5, 31), 100_000)
    add_invoice(store, "F-B", date(2026, 6, 20), 200_000)
    got = claims(store)
    # F-A: H1 30 d (998,6 -> 999), H2 153 d (5 093,0 -> 5 093);
    # F-B: H1 10 d (665,8 -> 666), H2 153 d (10 186,0 -> 10 186)
    assert got.interest_by_half_year() == {"2026-H1": 999 + 666, "2026-H2": 5_093 + 10_186}
    assert got.interest_cents == 999 + 666 + 5_093 + 10_186


def test_a_customer_who_owes_nothing_is_claimed_in_the_currency_of_its_invoices(
    store: Store,
) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F-USD", date(2026, 10, 15), 20_000, currency="USD")
    pay(store, "F-USD", date(2026, 11, 2), 20_000)
    credit = StoredCredit("C1", "fec", "AV-1", date(2026, 11, 20), Money(5_000, "USD"))
    with store.transaction():
        replace_credits(store, "fec", ["C1"], [credit])
    got = claims(store)
    assert got.currency == "USD"
    assert [p.number for p in got.paid_late] == ["F-USD"]
    assert got.credits_cents == 5_000  # the credit in the claim's currency
    assert got.owed_currencies == ()


def test_claims_for_reads_the_home_s_rate_table_and_plan_policy(service: Service) -> None:
    add_customer(service.store, "C1")
    add_invoice(service.store, "F-1", date(2026, 10, 31), 100_000)
    embedded = Path(__file__).resolve().parents[2] / "policies" / "statutory_rates.yaml"
    rates = embedded.read_text(encoding="utf-8")
    old = '{half_year: "2026-H2", rate: "2.15"'
    assert old in rates
    put_policy(service.home, "statutory_rates.yaml", rates.replace(old, old[:-6] + '"3.00"'))
    put_policy(
        service.home, "payment_plans.yaml", 'recovery_indemnity:\n  amount_per_invoice: "50"\n'
    )
    got = claims_for(service.store, service.home, "C1", AS_OF)
    (claim,) = got.overdue
    # 13 % (3,00 + 10): 100000 x 30 x 0,13 / 365 = 1 068,5 -> 1 068 c; a 50 € indemnity
    assert (claim.interest_cents, claim.indemnity_cents) == (1_068, 5_000)
    assert got.rate_in_force() is not None and got.rate_in_force().rate == Decimal("13.00")
