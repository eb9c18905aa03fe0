"""What the snapshot hands the planner: one SQL pass, shaped for a single pass per customer."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.models import Invoice, InvoiceStatus
from assistant.rules import load_scenario, load_snapshot
from assistant.storage import repo
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
    add_invoice(store, "CENT", WED, 70_000, outstanding=1)  # one cent is still owed
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    assert snap.customers["C1"].outstanding_cents == 150_001
    assert [row[0] for row in snap.invoices] == ["CENT", "DUE"]


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


def test_a_closing_period_right_after_another_still_keeps_the_invoice_in_view(
    store: Store,
) -> None:
    # closed 15 days from tomorrow, then 14 days more (two periods, one after the other): the
    # pre-due reminder of an invoice due on the horizon's last day (today + 3 days before the
    # due date + the longest period, 14 days, + 15) comes back to today
    due = AS_OF + timedelta(days=32)
    first_end = AS_OF + timedelta(days=15)
    add_customer(
        store,
        closing=[
            (AS_OF + timedelta(days=1), first_end),
            (first_end + timedelta(days=1), due - timedelta(days=3)),
        ],
    )
    add_invoice(store, "EDGE", due)
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    assert [row[0] for row in snap.invoices] == ["EDGE"]
    (action,) = plan_on(store, AS_OF).actions
    assert (action.step, action.invoices) == ("pre_due", ("EDGE",))


def test_closing_periods_back_to_back_count_as_one_closing_for_the_view(store: Store) -> None:
    # closed 14 days from tomorrow, then 24 days more: 39 days in a row, longer than either
    # period alone. An invoice due the day after them has its pre-due reminder (3 days before)
    # inside the closing, so it comes back to today, before the closing; with the longest
    # single period (24 days) the invoice was out of view and the reminder never proposed.
    first_end = AS_OF + timedelta(days=15)
    second_end = AS_OF + timedelta(days=40)
    due = second_end + timedelta(days=3)
    add_customer(
        store,
        closing=[
            (AS_OF + timedelta(days=1), first_end),
            (first_end + timedelta(days=1), second_end),
        ],
    )
    add_invoice(store, "AFTER", due)
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    assert [row[0] for row in snap.invoices] == ["AFTER"]
    (action,) = plan_on(store, AS_OF).actions
    assert (action.step, action.invoices) == ("pre_due", ("AFTER",))


def test_the_longest_closed_run_joins_periods_a_short_gap_apart() -> None:
    from assistant.rules.snapshot import longest_closed_run

    day = AS_OF.toordinal()
    spans = [
        ("C1", day, day + 9),  # 9 days
        ("C2", day, day + 4),
        ("C2", day + 6, day + 10),  # one day open between: joined, 10 days
        ("C2", day + 2, day + 3),  # inside the first one
        ("C3", day, day + 4),
        ("C3", day + 10, day + 12),  # five days open between: apart
    ]
    assert longest_closed_run(spans) == 10
    assert longest_closed_run([]) == 0
    assert longest_closed_run(spans[4:]) == 4
    # four days open between two periods (a long weekend): still one run, 20 days
    assert longest_closed_run([("C4", day, day + 4), ("C4", day + 9, day + 20)]) == 20


def test_the_view_reaches_the_earliest_step_plus_the_longest_closing_plus_15_days(
    store: Store,
) -> None:
    # The planner is handed only the invoices a step could reach today: due within 3 days
    # (the pre-due reminder) + the longest closed run (9 days here) + 15 days of slack for
    # weekends and holidays next to it. The slack bounds the work, not what is planned.
    add_customer(store, closing=[(AS_OF + timedelta(days=1), AS_OF + timedelta(days=10))])
    add_invoice(store, "EDGE", AS_OF + timedelta(days=3 + 9 + 15))
    add_invoice(store, "BEYOND", AS_OF + timedelta(days=3 + 9 + 16))
    snap = load_snapshot(store, load_scenario(None), AS_OF)
    assert [row[0] for row in snap.invoices] == ["EDGE"]
    assert snap.customers["C1"].outstanding_cents == 200_000  # both still owed


def test_days_late_average_the_invoices_paid_in_the_last_365_days(store: Store) -> None:
    add_customer(store)
    paid = []
    for number, days_ago, late in (("OLD", 365, 100), ("YEAR", 364, 10), ("NOW", 0, 30)):
        on = AS_OF - timedelta(days=days_ago)
        paid.append(
            Invoice(
                number=number,
                customer_id="C1",
                issue_date=on - timedelta(days=60),
                due_date=on - timedelta(days=late),
                amount_cents=10_000,
                outstanding_cents=0,
                status=InvoiceStatus.PAID,
                paid_date=on,
            )
        )
    with store.transaction():
        repo.upsert_invoices(store, paid, actor="test")
    assert load_snapshot(store, load_scenario(None), AS_OF).customers["C1"].avg_days_late == 20


def test_a_message_sent_today_holds_the_next_with_a_minimum_gap_of_one_day(store: Store) -> None:
    policy = load_scenario(None).model_copy(update={"min_gap_days": 1})
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "reminder_1", AS_OF)
    assert load_snapshot(store, policy, AS_OF).customers["C1"].recent_auto_contact == (
        AS_OF.toordinal()
    )
    after = load_snapshot(store, policy, AS_OF + timedelta(days=1)).customers["C1"]
    assert after.recent_auto_contact is None  # outside the gap: not loaded


def test_broken_promises_count_those_promised_in_the_last_365_days(store: Store) -> None:
    add_customer(store)
    add_customer(store, "C2")
    add_invoice(store, "F1", AS_OF - timedelta(days=400))
    add_invoice(store, "F2", AS_OF - timedelta(days=400), cid="C2")
    policy = load_scenario(None)
    promised = (
        ("C1", 365),  # broken, but a year ago: not counted
        ("C1", 364),
        ("C1", 30),
        ("C1", -5),  # still open
        ("C2", 30),
    )
    with store.transaction():
        for cid, days_ago in promised:
            day = AS_OF - timedelta(days=days_ago)
            repo.insert_promise(store, cid, None, day, None, day - timedelta(days=1),
                                source="call", note=None, actor="test")  # fmt: skip
    facts = load_snapshot(store, policy, AS_OF).customers
    assert (facts["C1"].broken_promises, facts["C2"].broken_promises) == (2, 1)
    assert load_snapshot(store, policy, AS_OF, ("C2",)).customers["C2"].broken_promises == 1


def test_a_customer_s_risk_label_and_start_reach_the_planner(store: Store) -> None:
    add_customer(store, risk="high", segment="new", customer_since=date(2019, 1, 1))
    add_invoice(store, "F1", WED)
    facts = load_snapshot(store, load_scenario(None), AS_OF).customers["C1"]
    assert (facts.risk, facts.label, facts.since) == ("high", "new", date(2019, 1, 1).toordinal())
    (action,) = plan_on(store, AS_OF).actions
    assert action.segment == "new"  # the manual segment wins over a long-standing customer
