"""Payment plans agreed on a call: each instalment is reminded, a missed one becomes a call."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.models import Payment
from assistant.money import format_money
from assistant.reasons import render
from assistant.service import Service
from assistant.storage import repo
from tests.unit.rules_builders import add_customer, add_invoice, mark

AS_OF = date(2026, 11, 24)


def agree_plan(service: Service) -> list[dict[str, object]]:
    store = service.store
    add_customer(store, "C1", salesperson_email="v@example.com")
    add_invoice(store, "F1", AS_OF - timedelta(days=22), cents=300_000)
    mark(store, ["F1"], "reminder_2", AS_OF - timedelta(days=12))
    service.log_call("C1", "plan", on=AS_OF, instalments=3)
    return store.query("SELECT id, seq, due_date, amount_cents FROM instalments ORDER BY seq")


def due_of(row: dict[str, object]) -> date:
    return date.fromisoformat(str(row["due_date"]))


def steps_on(service: Service, day: date) -> list[tuple[str, int | None]]:
    return [(a.step, a.instalment_id) for a in service.plan(day).actions]


def test_reminder_three_days_before_each_instalment(service: Service) -> None:
    first, *_ = agree_plan(service)
    due = due_of(first)
    assert steps_on(service, due - timedelta(days=6)) == []
    # J-3 is a Saturday here (due on Tuesday 1 December): moved back to Friday
    assert due == date(2026, 12, 1)
    window = [d for d in (due - timedelta(days=n) for n in (5, 4, 3, 2, 1)) if steps_on(service, d)]
    assert window[0] == date(2026, 11, 27)
    (action,) = service.plan(window[0]).actions
    assert action.step == "instalment_reminder" and not action.requires_human
    assert action.instalment_id == first["id"] and action.invoices == ("F1",)
    assert steps_on(service, due) == []  # on the day itself: nothing yet


def test_instalment_draft_shows_the_instalment_and_approval_marks_it(service: Service) -> None:
    first, *_ = agree_plan(service)
    day = due_of(first) - timedelta(days=3)
    while not steps_on(service, day):
        day += timedelta(days=1)
    report = service.draft(day, offline=True)
    (draft_id,) = report.created
    draft = service.get_draft(draft_id)
    assert draft.step == "instalment_reminder" and draft.instalment_id == first["id"]
    assert "1/3" in draft.subject and format_money(100_000, "EUR", "fr_FR") in draft.body
    assert "{{" not in draft.body and "[[" not in draft.body
    service.approve([draft_id], on=day)
    assert steps_on(service, day) == []
    assert steps_on(service, day + timedelta(days=1)) == []
    # the invoice's own scenario steps are untouched by an instalment step
    assert not service.store.query("SELECT 1 FROM invoice_steps WHERE step = 'instalment_reminder'")


def test_missed_instalment_becomes_a_call_and_a_logged_call_closes_it(service: Service) -> None:
    first, *_ = agree_plan(service)
    late = due_of(first) + timedelta(days=10)
    (action,) = service.plan(late).actions
    assert action.step == "instalment_missed" and action.requires_human
    assert action.notify_salesperson and "1/3" in render(action.reason)
    service.log_call("C1", "promise", on=late, promised=late + timedelta(days=3))
    assert steps_on(service, late + timedelta(days=1)) == []


def test_a_paid_instalment_moves_on_to_the_next(service: Service) -> None:
    first, second, _ = agree_plan(service)
    with service.store.transaction():
        repo.apply_payment(
            service.store,
            Payment(
                invoice_number="F1", date=due_of(first), amount_cents=int(first["amount_cents"])
            ),
            None,
            "t",
        )
    assert steps_on(service, due_of(first) + timedelta(days=10)) == []
    # due Monday 4 January 2027; J-3 is New Year's Day: the reminder moves back to 31 December
    assert steps_on(service, date(2026, 12, 30)) == []
    assert steps_on(service, date(2026, 12, 31)) == [("instalment_reminder", second["id"])]


def test_a_partial_payment_does_not_count_as_the_instalment(service: Service) -> None:
    first, *_ = agree_plan(service)
    with service.store.transaction():
        repo.apply_payment(
            service.store,
            Payment(invoice_number="F1", date=due_of(first), amount_cents=50_000),
            None,
            "t",
        )
    assert steps_on(service, due_of(first) + timedelta(days=10)) == [
        ("instalment_missed", first["id"])
    ]


def test_the_first_unpaid_instalment_is_the_first_the_payments_do_not_cover() -> None:
    from assistant.rules.instalments import InstalmentState, PlanState

    items = tuple(
        InstalmentState(i, i, 3, date(2026, 12, i), 100_00, 100_00 * i) for i in (1, 2, 3)
    )

    def plan(paid: int) -> PlanState:
        return PlanState(7, "C1", AS_OF, ("F1",), items, paid, frozenset())

    assert plan(0).first_unpaid() == items[0]
    assert plan(99_99).first_unpaid() == items[0]
    assert plan(100_00).first_unpaid() == items[1]  # covered exactly: the next one is due
    assert plan(250_00).first_unpaid() == items[2]
    assert plan(300_00).first_unpaid() is None


def test_the_plans_of_some_customers_are_theirs_only(service: Service) -> None:
    from assistant.rules.instalments import load_plans

    agree_plan(service)
    store = service.store
    add_customer(store, "C2")
    add_invoice(store, "F2", AS_OF - timedelta(days=22), cents=200_000, cid="C2")
    mark(store, ["F2"], "reminder_2", AS_OF - timedelta(days=12))
    service.log_call("C2", "plan", on=AS_OF, instalments=2)
    assert sorted(p.customer_id for p in load_plans(store, AS_OF)) == ["C1", "C2"]
    assert [p.customer_id for p in load_plans(store, AS_OF, ["C2"])] == ["C2"]
    assert [len(p.instalments) for p in load_plans(store, AS_OF, ["C1"])] == [3]
    agreed = store.query("SELECT id, customer_id FROM payment_plans ORDER BY id")
    assert [(p.id, p.customer_id) for p in load_plans(store, AS_OF)] == [
        (row["id"], row["customer_id"]) for row in agreed
    ]


def test_an_instalment_counts_the_plan_s_invoices_not_due_for_a_while(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "F1", AS_OF - timedelta(days=22), cents=10_000)
    mark(store, ["F1"], "reminder_2", AS_OF - timedelta(days=12))
    add_invoice(store, "F2", AS_OF + timedelta(days=90), cents=290_000)  # out of the view
    service.log_call("C1", "plan", on=AS_OF, instalments=3)
    rows = store.query("SELECT amount_cents FROM instalments ORDER BY seq")
    assert [r["amount_cents"] for r in rows] == [100_000] * 3
    day = date(2026, 11, 27)  # the first instalment's reminder (see above)
    (action,) = [a for a in service.plan(day).actions if a.step == "instalment_reminder"]
    assert action.invoices == ("F1", "F2")
    assert action.amount_cents == 100_000  # not the 100,00 of the invoice in view
