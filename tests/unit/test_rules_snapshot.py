"""What the snapshot hands the planner: one SQL pass, shaped for a single pass per customer."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.models import InvoiceStatus
from assistant.rules import load_scenario, load_snapshot
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer, add_invoice, mark, plan_on

WED = date(2026, 3, 11)
AS_OF = WED + timedelta(days=12)


def test_invoices_come_grouped_by_customer_whatever_the_insertion_order(store: Store) -> None:
    add_customer(store, "C2")
    add_customer(store, "C1")
    for number, cid in (("B2", "C2"), ("A9", "C1"), ("B1", "C2"), ("A1", "C1")):
        add_invoice(store, number, WED, cid=cid)
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    assert [(row[1], row[0]) for row in snap.invoices] == [
        ("C1", "A1"), ("C1", "A9"), ("C2", "B1"), ("C2", "B2"),
    ]  # fmt: skip
    actions = plan_on(store, AS_OF).actions
    assert [(a.customer_id, a.invoices) for a in actions] == [
        ("C1", ("A1", "A9")),
        ("C2", ("B1", "B2")),
    ]


def test_outstanding_counts_every_open_invoice_the_planner_gets_those_due(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "DUE", WED, 100_000)
    add_invoice(store, "FAR", WED + timedelta(days=200), 50_000)  # far beyond any step
    add_invoice(store, "SETTLED", WED, 70_000, outstanding=0)
    add_invoice(store, "PAID", WED, 90_000, status=InvoiceStatus.PAID, outstanding=0)
    add_invoice(store, "DISPUTED", WED, 30_000, status=InvoiceStatus.DISPUTED)
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    assert snap.customers["C1"].outstanding_cents == 150_000
    assert [row[0] for row in snap.invoices] == ["DUE"]


def test_last_step_done_is_the_most_advanced_one_up_to_the_plan_date(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    add_invoice(store, "F2", WED)
    add_invoice(store, "F3", WED)
    mark(store, ["F1"], "reminder_2", WED + timedelta(days=10))
    mark(store, ["F1"], "reminder_1", WED + timedelta(days=11))  # later, but an earlier step
    mark(store, ["F2"], "reminder_1", WED + timedelta(days=3))
    mark(store, ["F2"], "call", AS_OF + timedelta(days=1))  # after the plan date: not yet
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    done = {row[0]: row[4:] for row in snap.invoices}
    assert done == {
        "F1": (2, (WED + timedelta(days=10)).toordinal()),
        "F2": (1, (WED + timedelta(days=3)).toordinal()),
        "F3": (None, None),
    }


def test_only_an_automatic_message_inside_the_minimum_gap_is_loaded(store: Store) -> None:
    policy = load_scenario(None)
    for cid in ("RECENT", "OLD", "REJECTED"):
        add_customer(store, cid)
        add_invoice(store, f"F-{cid}", WED, cid=cid)
    mark(store, ["F-RECENT"], "reminder_1", AS_OF - timedelta(days=policy.min_gap_days - 1))
    mark(store, ["F-OLD"], "reminder_1", AS_OF - timedelta(days=policy.min_gap_days))
    with store.transaction():
        store.conn.execute(
            "INSERT INTO invoice_steps (invoice_number, step, done_on, source)"
            " VALUES ('F-REJECTED', 'reminder_1', ?, 'rejected')",
            (AS_OF.isoformat(),),
        )
    facts = load_snapshot(store, policy, AS_OF).customers
    recent = AS_OF - timedelta(days=policy.min_gap_days - 1)
    assert facts["RECENT"].recent_auto_contact == recent.toordinal()
    assert facts["OLD"].recent_auto_contact is None
    assert facts["REJECTED"].recent_auto_contact is None


def test_a_plan_for_a_past_day_ignores_a_promise_made_after_it(store: Store) -> None:
    from assistant.storage import repo

    add_customer(store)
    add_invoice(store, "F1", WED)
    made, promised = WED + timedelta(days=6), WED + timedelta(days=20)
    with store.transaction():
        repo.insert_promise(store, "C1", "F1", promised, None, made, source="call", note=None,
                            actor="test")  # fmt: skip
    # the day before the promise was made, reminder_1 was due as if it did not exist
    (action,) = plan_on(store, made - timedelta(days=1)).actions
    assert action.step == "reminder_1"
    policy = load_scenario(None)
    assert load_snapshot(store, policy, made - timedelta(days=1)).invoice_promise == {}
    # from the day it was made, it pauses the reminders
    assert plan_on(store, made).actions == []
    assert "F1" in load_snapshot(store, policy, made).invoice_promise


def test_an_invoice_whose_pre_due_reminder_a_closing_brings_forward_is_in_view(
    store: Store,
) -> None:
    # the customer is closed from tomorrow to the day before the due date (36 days): the
    # pre-due reminder (3 days before) moves back to the last business day before the
    # closing, today, although the due date is 38 days away
    due = AS_OF + timedelta(days=38)
    add_customer(store, closing=[(AS_OF + timedelta(days=1), due - timedelta(days=1))])
    add_invoice(store, "FAR", due)
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    assert [row[0] for row in snap.invoices] == ["FAR"]
    (action,) = plan_on(store, AS_OF).actions
    assert (action.step, action.invoices) == ("pre_due", ("FAR",))
