"""Promises to pay: kept, broken or open on a date (rules/promises.py), and what counts."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.models import Payment
from assistant.rules.promises import PromiseState, load_promises
from assistant.storage import repo
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer, add_invoice

MADE, PROMISED, GRACE = date(2026, 11, 2), date(2026, 11, 10), 3
DEADLINE = PROMISED + timedelta(days=GRACE)  # 13 November


def promise(
    invoice: str | None = "F1",
    amount: int | None = None,
    paid_in_window: int = 0,
    invoice_paid_on: date | None = None,
) -> PromiseState:
    return PromiseState(1, "C1", invoice, MADE, PROMISED, amount, paid_in_window, invoice_paid_on)


def test_an_invoice_promise_without_amount_is_kept_by_paying_the_invoice_in_full() -> None:
    assert promise(invoice_paid_on=DEADLINE).status(DEADLINE + timedelta(days=9), GRACE) == "kept"
    late = promise(invoice_paid_on=DEADLINE + timedelta(days=1))
    assert late.status(DEADLINE + timedelta(days=1), GRACE) == "broken"
    # a partial payment in the window does not keep it: the invoice is still owed
    partial = promise(paid_in_window=40_000)
    assert partial.status(DEADLINE, GRACE) == "open"
    assert partial.status(DEADLINE + timedelta(days=1), GRACE) == "broken"


def test_a_whole_balance_promise_without_amount_is_kept_by_any_payment() -> None:
    assert promise(invoice=None, paid_in_window=1).status(DEADLINE, GRACE) == "kept"
    assert promise(invoice=None).status(DEADLINE, GRACE) == "open"
    assert promise(invoice=None).status(DEADLINE + timedelta(days=1), GRACE) == "broken"


def test_a_promise_of_an_amount_is_kept_once_that_amount_is_paid_in_the_window() -> None:
    assert promise(amount=50_000, paid_in_window=50_000).status(MADE, GRACE) == "kept"
    short = promise(amount=50_000, paid_in_window=49_999, invoice_paid_on=PROMISED)
    assert short.status(DEADLINE + timedelta(days=1), GRACE) == "broken"
    assert promise(amount=50_000).deadline(GRACE) == DEADLINE


def pay(store: Store, number: str, day: date, cents: int) -> None:
    with store.transaction():
        repo.apply_payment(store, Payment(invoice_number=number, date=day, amount_cents=cents),
                           None, "t")  # fmt: skip


def test_payments_count_from_the_day_it_was_made_to_the_deadline(store: Store) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F1", date(2026, 10, 31), cents=100_000)
    add_invoice(store, "F2", date(2026, 10, 31), cents=100_000)
    with store.transaction():
        for number in ("F1", None):
            repo.insert_promise(store, "C1", number, PROMISED, 30_000, MADE, source="call",
                                note=None, actor="t")  # fmt: skip
    pay(store, "F1", MADE - timedelta(days=1), 1_000)  # before the promise: not counted
    pay(store, "F1", MADE, 2_000)
    pay(store, "F2", DEADLINE, 4_000)  # the customer-level promise counts every invoice
    pay(store, "F1", DEADLINE + timedelta(days=1), 8_000)  # after the deadline
    on_invoice, on_customer = load_promises(store, GRACE)
    assert on_invoice.paid_in_window_cents == 2_000
    assert on_customer.paid_in_window_cents == 6_000
    # as it stood on a day: payments made later are not counted yet
    early_invoice, early_customer = load_promises(store, GRACE, as_of=MADE)
    assert (early_invoice.paid_in_window_cents, early_customer.paid_in_window_cents) == (
        2_000,
        2_000,
    )


def test_the_promises_of_some_customers_are_theirs_only(store: Store) -> None:
    for cid in ("C1", "C2"):
        add_customer(store, cid)
        add_invoice(store, f"F-{cid}", date(2026, 10, 31), cid=cid)
        with store.transaction():
            repo.insert_promise(store, cid, f"F-{cid}", PROMISED, None, MADE, source="call",
                                note=None, actor="t")  # fmt: skip
    assert [p.customer_id for p in load_promises(store, GRACE, customer_ids=("C2",))] == ["C2"]
    assert [p.customer_id for p in load_promises(store, GRACE)] == ["C1", "C2"]
