"""What the planner holds back and why, compared whole (customer, invoice, code, reason), the
tasks holds ask for, and the pre-due reminder's edges (no pre-due step, a closing, a weekend)."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.reasons import Code, Reason, render
from assistant.rules import Planner, load_scenario, load_snapshot
from assistant.rules.engine import Skip
from assistant.rules.holds import Hold, Holds
from assistant.rules.policy import ScenarioPolicy
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer, add_invoice, mark, plan_on
from tests.unit.test_rules_engine import _facts, due_day_reminder, promise

WED = date(2026, 3, 11)  # a Wednesday with no holiday around it


def scenario(**changes: object) -> ScenarioPolicy:
    return load_scenario(None).model_copy(update=changes)


def test_a_customer_not_to_contact_is_held_with_that_reason(store: Store) -> None:
    add_customer(store, do_not_contact=True)
    add_invoice(store, "F1", WED)
    result = plan_on(store, WED + timedelta(days=5))
    assert result.actions == []
    assert result.skipped == [Skip("C1", None, "do_not_contact", Reason.of(Code.DO_NOT_CONTACT))]


def test_the_written_reminders_a_call_holds_are_each_skipped_with_the_call_s_reason(
    store: Store,
) -> None:
    add_customer(store)
    add_invoice(store, "LATE", WED - timedelta(days=18))
    mark(store, ["LATE"], "reminder_2", WED - timedelta(days=7))
    add_invoice(store, "RECENT", WED)  # its reminder_1 is due: held by the call
    result = plan_on(store, WED + timedelta(days=5))
    (call,) = result.actions
    assert (call.step, call.invoices) == ("call", ("LATE", "RECENT"))
    (skip,) = result.skipped
    assert (skip.customer_id, skip.invoice_number, skip.code) == (
        "C1",
        "RECENT",
        "held_by_human_task",
    )
    assert render(skip.reason) == "relance automatique suspendue : Appel à traiter par une personne"


def test_invoices_with_a_step_due_wait_for_the_follow_up_task(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "DONE", WED)
    mark(store, ["DONE"], "escalation", WED + timedelta(days=30))  # past the last step
    add_invoice(store, "NEW", WED + timedelta(days=30))  # its reminder_1 is due
    result = plan_on(store, WED + timedelta(days=35))
    assert [a.step for a in result.actions] == ["follow_up"]
    (skip,) = result.skipped
    assert (skip.customer_id, skip.invoice_number, skip.code) == ("C1", "NEW", "held_by_human_task")
    assert render(skip.reason) == (
        "relance automatique suspendue : Suivi à décider à traiter par une personne"
    )


def test_the_minimum_gap_holds_until_its_last_day_and_says_when(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED - timedelta(days=10))  # reminder_2 (J+10) due today
    mark(store, ["F1"], "reminder_1", WED - timedelta(days=4))  # 4 days ago, gap of 5
    result = plan_on(store, WED)
    assert result.actions == []
    last, next_ = WED - timedelta(days=4), WED + timedelta(days=1)
    gap = Reason.of(Code.MIN_GAP, last=last.isoformat(), next=next_.isoformat())
    assert result.skipped == [Skip("C1", None, "min_gap", gap)]
    # five days after the last message: it goes
    (action,) = plan_on(store, WED + timedelta(days=1)).actions
    assert action.step == "reminder_2"


def test_a_call_carries_the_tone_its_step_sets(store: Store) -> None:
    base = load_scenario(None)
    steps = [s.model_copy(update={"tone": "firm"}) if s.id == "call" else s for s in base.steps]
    policy = base.model_copy(update={"steps": steps})
    add_customer(store)
    add_invoice(store, "F1", WED - timedelta(days=20))
    mark(store, ["F1"], "reminder_2", WED - timedelta(days=10))
    (call,) = Planner(policy).plan(load_snapshot(store, policy, WED)).actions
    assert (call.step, call.tone) == ("call", "firm")


def test_a_due_day_reminder_lists_the_invoice_due_today(store: Store) -> None:
    policy, planner = due_day_reminder()
    add_customer(store)
    add_invoice(store, "TODAY", WED)
    (action,) = planner.plan(load_snapshot(store, policy, WED)).actions
    assert (action.step, action.invoices) == ("reminder_1", ("TODAY",))


def hold(code: str, invoice: str | None = None, invoices: tuple[str, ...] = ()) -> Hold:
    return Hold(code, "C1", Reason.of(Code.DO_NOT_CONTACT), invoice, True, invoices)


def test_one_task_per_hold_once_per_customer_code_and_invoices(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    add_invoice(store, "F2", WED)
    policy = load_scenario(None)
    snap = load_snapshot(store, policy, WED + timedelta(days=5))
    holds = Holds()
    for h in (
        hold("reply_pending"),  # about the customer: every open invoice in view
        hold("reply_pending"),  # the same task twice: once
        hold("payment_match", "F2"),  # about one invoice: that one
        hold("payment_match", "F2"),
        hold("unallocated_credit", invoices=("F1",)),  # names its own invoices
    ):
        holds.add(h)
    snap.holds = holds
    tasks = [(a.step, a.invoices) for a in Planner(policy).plan(snap).actions]
    assert sorted(tasks) == [
        ("payment_match", ("F2",)),
        ("reply_pending", ("F1", "F2")),
        ("unallocated_credit", ("F1",)),
    ]


def test_without_a_pre_due_step_the_first_step_is_an_ordinary_reminder(store: Store) -> None:
    base = load_scenario(None)
    policy = scenario(steps=[s for s in base.steps if s.id != "pre_due"])
    add_customer(store)
    add_invoice(store, "F3", WED - timedelta(days=5))  # reminder_1 (J+3) reached
    add_customer(store, "C2")
    add_invoice(store, "F12", WED - timedelta(days=12), cid="C2")
    actions = Planner(policy).plan(load_snapshot(store, policy, WED)).actions
    assert [(a.customer_id, a.step) for a in actions] == [
        ("C1", "reminder_1"),
        ("C2", "reminder_2"),
    ]


def test_no_pre_due_reminder_that_could_only_leave_on_or_after_the_due_date(
    store: Store,
) -> None:
    sat = date(2026, 3, 14)
    add_customer(store)
    add_invoice(store, "MON", sat + timedelta(days=2))  # next business day is the due day
    add_customer(store, "C2", closing=[(WED - timedelta(days=2), WED + timedelta(days=5))])
    add_invoice(store, "CLOSED", WED + timedelta(days=3), cid="C2")  # closed until after it
    assert plan_on(store, sat).actions == []
    assert [a.customer_id for a in plan_on(store, WED).actions if a.step == "pre_due"] == []


def test_holds_skip_with_their_own_reasons_and_plans_skip_their_invoices(store: Store) -> None:
    for cid, number in (("C1", "F1"), ("C2", "F2"), ("C3", "F3"), ("C4", "F4")):
        add_customer(store, cid)
        add_invoice(store, number, WED, cid=cid)
    add_invoice(store, "F3Z", WED, cid="C3")  # after the one in a plan: still reminded
    policy = load_scenario(None)
    snap = load_snapshot(store, policy, WED + timedelta(days=5))
    waiting = Reason.of(Code.DO_NOT_CONTACT)
    credit = Reason.of(Code.DELIVERY, e="550")
    snap.holds = Holds()
    snap.holds.add(Hold("reply_pending", "C1", waiting, task=False))
    snap.holds.add(Hold("payment_match", "C2", credit, "F2", task=False))
    snap.in_plan = frozenset({"F3"})
    result = Planner(policy).plan(snap)
    assert [(a.customer_id, a.step, a.invoices) for a in result.actions] == [
        ("C3", "reminder_1", ("F3Z",)),
        ("C4", "reminder_1", ("F4",)),
    ]
    plan_reason = Reason.of(Code.PAYMENT_PLAN)
    assert render(plan_reason) == "plan de paiement en cours"
    assert sorted(result.skipped, key=lambda s: s.customer_id) == [
        Skip("C1", None, "reply_pending", waiting),
        Skip("C2", "F2", "payment_match", credit),
        Skip("C3", "F3", "payment_plan", plan_reason),
    ]


def test_invoices_of_a_customer_missing_from_the_facts_are_passed_over(store: Store) -> None:
    for cid in ("C1", "C2"):
        add_customer(store, cid)
        add_invoice(store, f"F-{cid}", WED, cid=cid)
    policy = load_scenario(None)
    snap = load_snapshot(store, policy, WED + timedelta(days=5))
    del snap.customers["C1"]
    assert [a.customer_id for a in Planner(policy).plan(snap).actions] == ["C2"]


def test_a_hold_s_task_is_due_on_the_customer_s_next_open_day_in_its_segment(
    store: Store,
) -> None:
    add_customer(store, closing=[(WED, WED + timedelta(days=6))], strategic=True)
    add_invoice(store, "F1", WED - timedelta(days=5))
    policy = load_scenario(None)
    snap = load_snapshot(store, policy, WED)
    snap.holds = Holds()
    snap.holds.add(Hold("reply_pending", "C1", Reason.of(Code.DO_NOT_CONTACT)))
    (task,) = Planner(policy).plan(snap).actions
    assert (task.step, task.invoices, task.segment) == ("reply_pending", ("F1",), "strategic")
    assert task.scheduled_for == WED + timedelta(days=7)  # the first day after the closing


def test_the_large_amount_call_day_applies_from_the_threshold_itself(store: Store) -> None:
    base = load_scenario(None)
    policy = base.model_copy(update={"segments": base.segments[-1:]})  # standard only
    add_customer(store)
    add_invoice(store, "F1", WED - timedelta(days=15), cents=1_000_000)  # 10 000,00 exactly
    mark(store, ["F1"], "reminder_2", WED - timedelta(days=5))
    (action,) = Planner(policy).plan(load_snapshot(store, policy, WED)).actions
    assert (action.step, action.segment) == ("call", "standard")  # J+15, not J+20


def test_without_a_pre_due_step_nothing_is_proposed_before_the_due_date_even_when_closed(
    store: Store,
) -> None:
    # closed from tomorrow until well after the due date: no step's day has come
    base = load_scenario(None)
    policy = scenario(steps=[s for s in base.steps if s.id != "pre_due"])
    due = WED + timedelta(days=5)
    add_customer(store, closing=[(WED + timedelta(days=1), due + timedelta(days=40))])
    add_invoice(store, "F1", due)
    assert Planner(policy).plan(load_snapshot(store, policy, WED)).actions == []


def test_the_reminder_after_the_pre_due_one_names_it(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "pre_due", WED - timedelta(days=3))
    (action,) = plan_on(store, WED + timedelta(days=5)).actions  # J+3 on Saturday: Monday
    assert render(action.reason) == (
        "J+3 atteint le 2026-03-16 (échéance 2026-03-11) ; relance J-3 envoyée le 2026-03-08"
    )


def test_a_call_lists_the_overdue_invoices_not_one_due_today(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "LATE", WED - timedelta(days=20))
    mark(store, ["LATE"], "reminder_2", WED - timedelta(days=10))
    add_invoice(store, "TODAY", WED)  # due today: not late yet
    (call,) = plan_on(store, WED).actions
    assert (call.step, call.invoices) == ("call", ("LATE",))


def test_on_a_saturday_an_invoice_at_its_first_reminder_day_joins_the_next_message(
    store: Store,
) -> None:
    sat = WED + timedelta(days=3)
    add_customer(store)
    add_invoice(store, "A", WED - timedelta(days=8))  # J+10 on Friday: due
    mark(store, ["A"], "reminder_1", WED - timedelta(days=5))
    add_invoice(store, "B", WED)  # J+3 is today, Saturday: its own day is Monday
    (action,) = plan_on(store, sat).actions
    assert (action.step, action.invoices) == ("reminder_2", ("A", "B"))


def test_a_broken_promise_in_a_scenario_without_calls_resumes_the_reminders(
    store: Store,
) -> None:
    base = load_scenario(None)
    policy = scenario(steps=[s for s in base.steps if s.automatic], segments=base.segments[-1:])
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "reminder_1", WED + timedelta(days=3))
    promise(store, "F1", WED + timedelta(days=4), WED + timedelta(days=5))  # broken on + 9
    (action,) = Planner(policy).plan(load_snapshot(store, policy, WED + timedelta(days=12))).actions
    assert (action.step, action.requires_human) == ("reminder_2", False)


def test_actions_come_by_day_then_automatic_first_then_by_customer(store: Store) -> None:
    add_customer(store, "A-CALL")
    add_invoice(store, "F-A", WED - timedelta(days=20), cid="A-CALL")
    mark(store, ["F-A"], "reminder_2", WED - timedelta(days=10))
    add_customer(store, "B-MAIL")
    add_invoice(store, "F-B", WED - timedelta(days=3), cid="B-MAIL")
    add_customer(store, "C-LATER", closing=[(WED, WED + timedelta(days=1))])
    add_invoice(store, "F-C", WED - timedelta(days=4), cid="C-LATER")  # due, closed today
    add_customer(store, "0-HOLD")
    add_invoice(store, "F-0", WED - timedelta(days=3), cid="0-HOLD")
    policy = load_scenario(None)
    snap = load_snapshot(store, policy, WED)
    snap.holds = Holds()
    snap.holds.add(Hold("reply_pending", "0-HOLD", Reason.of(Code.DO_NOT_CONTACT)))
    actions = Planner(policy).plan(snap).actions
    assert [(a.scheduled_for, a.requires_human, a.customer_id) for a in actions] == [
        (WED, False, "B-MAIL"),
        (WED, True, "0-HOLD"),  # a hold's task, listed after the planning: sorted in
        (WED, True, "A-CALL"),
        (WED + timedelta(days=2), False, "C-LATER"),
    ]


def test_a_manual_label_that_is_no_segment_falls_back_to_the_rules() -> None:
    policy = load_scenario(None)
    planner = Planner(policy)
    assert planner.segment_for(_facts(label="vip"), WED).id == "standard"
    assert planner.segment_for(_facts(label="strategic"), WED).id == "strategic"
    # no segment matches: the last one listed applies
    three = Planner(policy.model_copy(update={"segments": policy.segments[:3]}))
    assert [s.id for s in policy.segments[:3]] == ["strategic", "large_account", "chronic_late"]
    assert three.segment_for(_facts(), WED).id == "chronic_late"
