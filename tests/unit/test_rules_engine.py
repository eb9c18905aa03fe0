"""Rules engine on hand-built cases: one test per rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.models import InvoiceStatus
from assistant.reasons import render
from assistant.rules import Planner, load_scenario, load_snapshot
from assistant.rules.policy import Condition, ScenarioPolicy, Segment
from assistant.rules.snapshot import CustomerFacts
from assistant.storage.db import Store
from tests.support.stores import store_dump
from tests.unit.rules_builders import add_customer, add_invoice, mark, plan_on, simulate

WED = date(2026, 3, 11)  # a Wednesday with no holiday around it


def steps_by_day(seen: list[tuple]) -> list[tuple[str, date, date]]:
    return [(a.step, day, a.scheduled_for) for day, a in seen]


def test_seed_scenario_end_to_end_on_business_days(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    seen = simulate(store, WED - timedelta(days=5), WED + timedelta(days=40))
    standing = [(day, a) for day, a in seen if a.standing]
    seen = [(day, a) for day, a in seen if not a.standing]
    # J-3 is a Sunday -> previous business day (Friday 6 March); J+3 is a Saturday -> Monday 16;
    # J+10 is a Saturday -> Monday 23; J+20 is Tuesday 31; J+30 is Friday 10 April.
    # After the last step the invoice never leaves the plan: a follow-up task every day.
    assert [day for day, _ in standing] == [
        date(2026, 4, 10) + timedelta(days=n) for n in range(1, 11)
    ]
    assert {(a.step, a.invoices, render(a.reason)) for _, a in standing} == {
        ("follow_up", ("F1",), "à traiter : escalade du 2026-04-10 sans suite")
    }
    assert steps_by_day(seen) == [
        ("pre_due", date(2026, 3, 6), date(2026, 3, 6)),
        ("reminder_1", date(2026, 3, 16), date(2026, 3, 16)),
        ("reminder_2", date(2026, 3, 23), date(2026, 3, 23)),
        ("call", date(2026, 3, 31), date(2026, 3, 31)),
        ("escalation", date(2026, 4, 10), date(2026, 4, 10)),
    ]
    call = seen[3][1]
    assert call.requires_human and call.notify_salesperson and call.channel == "phone"
    assert not seen[0][1].requires_human


def test_reason_explains_the_step_and_the_previous_one(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", date(2026, 11, 10))
    mark(store, ["F1"], "reminder_1", date(2026, 11, 13))
    (action,) = plan_on(store, date(2026, 11, 20)).actions
    assert action.step == "reminder_2"
    assert render(action.reason) == (
        "J+10 atteint le 2026-11-20 (échéance 2026-11-10) ; relance J+3 envoyée le 2026-11-13"
    )


def test_reason_in_english(store: Store) -> None:
    from assistant.i18n import set_language

    add_customer(store)
    add_invoice(store, "F1", date(2026, 11, 10))
    set_language("en")
    (action,) = plan_on(store, date(2026, 11, 20)).actions
    assert render(action.reason).startswith("D+10 reached on 2026-11-20 (due 2026-11-10)")


@pytest.mark.parametrize(
    "status", [InvoiceStatus.DISPUTED, InvoiceStatus.PAID, InvoiceStatus.CREDITED,
               InvoiceStatus.CANCELLED],
)  # fmt: skip
def test_never_a_closed_or_disputed_invoice(store: Store, status: InvoiceStatus) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED, status=status, outstanding=0 if status == "paid" else None)
    assert plan_on(store, WED + timedelta(days=12)).actions == []


def test_fully_paid_outstanding_zero_is_never_reminded(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED, outstanding=0)
    assert plan_on(store, WED + timedelta(days=12)).actions == []


def test_do_not_contact_customer_gets_nothing_and_is_explained(store: Store) -> None:
    add_customer(store, do_not_contact=True)
    add_invoice(store, "F1", WED)
    result = plan_on(store, WED + timedelta(days=25))
    assert result.actions == []
    assert [s.code for s in result.skipped] == ["do_not_contact"]


def test_dispute_blocks_at_once_and_resolving_resumes(service) -> None:
    store = service.store
    add_customer(store)
    add_invoice(store, "F1", WED)
    day = WED + timedelta(days=5)
    assert [a.step for a in service.plan(day).actions] == ["reminder_1"]
    service.open_dispute("F1", "prestation contestée")
    assert service.plan(day).actions == []
    service.resolve_dispute("F1")
    assert [a.step for a in service.plan(day).actions] == ["reminder_1"]
    kinds = [e["kind"] for e in store.events(invoice_number="F1")]
    assert "dispute.opened" in kinds and "dispute.resolved" in kinds


def test_each_step_at_most_once_per_invoice(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    day = WED + timedelta(days=5)
    (action,) = plan_on(store, day).actions
    mark(store, action.invoices, action.step, day)
    for later in range(1, 5):
        assert plan_on(store, day + timedelta(days=later)).actions == []


def test_catch_up_proposes_only_the_most_advanced_step(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    # never run since before the due date: at J+12 only reminder_2, not pre_due + reminder_1
    (action,) = plan_on(store, WED + timedelta(days=12)).actions
    assert action.step == "reminder_2"
    mark(store, action.invoices, action.step, WED + timedelta(days=12))
    # the missed reminder_1 is never proposed afterwards
    assert plan_on(store, WED + timedelta(days=13)).actions == []


def test_minimum_gap_between_two_messages_to_one_customer(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    add_invoice(store, "F2", WED + timedelta(days=4))  # due Sunday 15: J+3 = Wednesday 18
    first = WED + timedelta(days=5)  # Monday 16: F1 reminder_1 (F2 not yet at J+3)
    (action,) = plan_on(store, first).actions
    assert action.invoices == ("F1",)
    mark(store, action.invoices, action.step, first)
    # F2 reaches J+3 two days later but the 5-day gap holds it back
    blocked = plan_on(store, first + timedelta(days=2))
    assert blocked.actions == []
    assert [s.code for s in blocked.skipped] == ["min_gap"]
    assert plan_on(store, first + timedelta(days=4)).actions == []
    # Saturday 21: the gap holds again; the message is scheduled for the next business day
    (later,) = plan_on(store, first + timedelta(days=5)).actions
    assert (later.step, later.invoices) == ("reminder_1", ("F2",))
    assert later.scheduled_for == date(2026, 3, 23)


def test_grouping_one_action_per_customer_and_step(store: Store) -> None:
    add_customer(store, "C1")
    add_customer(store, "C2")
    for n in ("F1", "F2", "F3"):
        add_invoice(store, n, WED)
    add_invoice(store, "G1", WED, cid="C2")
    actions = plan_on(store, WED + timedelta(days=5)).actions
    assert [(a.customer_id, a.step, a.invoices) for a in actions] == [
        ("C1", "reminder_1", ("F1", "F2", "F3")),
        ("C2", "reminder_1", ("G1",)),
    ]
    assert "3 factures regroupées" in render(actions[0].reason)


def test_one_message_per_customer_at_the_most_advanced_step(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "OLD", WED - timedelta(days=7))
    add_invoice(store, "NEW", WED)
    actions = plan_on(store, WED + timedelta(days=5)).actions
    assert [(a.step, a.invoices) for a in actions] == [("reminder_2", ("NEW", "OLD"))]


def test_a_reminder_lists_every_overdue_invoice_not_yet_at_its_step(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "A", WED - timedelta(days=6))  # J+10 reached on WED + 4
    add_invoice(store, "B", WED)  # J+4 on WED + 4: its own J+10 is 6 days away
    add_invoice(store, "C", WED - timedelta(days=6))
    add_invoice(store, "LATER", WED + timedelta(days=20))  # not overdue: not listed
    mark(store, ["A", "B"], "reminder_1", WED + timedelta(days=3))
    mark(store, ["C"], "reminder_2", WED + timedelta(days=1))  # already had this step
    day = WED + timedelta(days=9)  # a Friday, past the minimum gap
    (action,) = plan_on(store, day).actions
    assert (action.step, action.invoices) == ("reminder_2", ("A", "B"))
    assert "2 factures regroupées" in render(action.reason)


def test_human_task_holds_automatic_emails_and_lists_all_overdue(store: Store) -> None:
    add_customer(store, salesperson_email="vendeur@example.com")
    add_invoice(store, "LATE", WED - timedelta(days=18))
    mark(store, ["LATE"], "reminder_2", WED - timedelta(days=7))
    add_invoice(store, "RECENT", WED)
    result = plan_on(store, WED + timedelta(days=5))
    (action,) = result.actions
    assert action.step == "call" and action.requires_human
    assert action.invoices == ("LATE", "RECENT")
    assert action.notify_salesperson
    assert [s.code for s in result.skipped] == ["held_by_human_task"]


def test_human_task_stays_until_done(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "reminder_2", WED + timedelta(days=10))
    day = WED + timedelta(days=20)
    for offset in range(3):
        steps = [a.step for a in plan_on(store, day + timedelta(days=offset)).actions]
        assert steps == ["call"]
    mark(store, ["F1"], "call", day + timedelta(days=2))
    assert plan_on(store, day + timedelta(days=3)).actions == []


def test_promise_window_pauses_then_broken_promise_calls_a_human(service) -> None:
    store = service.store
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "reminder_1", WED + timedelta(days=5))
    service.record_promise("F1", WED + timedelta(days=12), made_on=WED + timedelta(days=6))
    # reminder_2 (J+10) would be due, but the promise (+3 days grace) pauses everything
    paused = service.plan(WED + timedelta(days=13))
    assert paused.actions == [] and paused.skipped[0].code == "promise"
    assert service.plan(WED + timedelta(days=15)).actions == []  # last day of grace
    (action,) = service.plan(WED + timedelta(days=16)).actions  # broken
    assert action.step == "call"
    assert "non tenue" in render(action.reason)


def test_kept_promise_resumes_normal_schedule(service) -> None:
    from assistant.models import Payment
    from assistant.storage import repo

    store = service.store
    add_customer(store)
    add_invoice(store, "F1", WED, cents=100_000)
    service.record_promise("F1", WED + timedelta(days=8), 40_000, made_on=WED + timedelta(days=5))
    with store.transaction():
        repo.apply_payment(store, Payment(invoice_number="F1", date=WED + timedelta(days=7),
                                          amount_cents=40_000), None, "test")  # fmt: skip
    (action,) = service.plan(WED + timedelta(days=13)).actions
    assert action.step == "reminder_2"  # promise kept: no escalation, the scenario resumes


def test_public_holiday_moves_post_due_step_to_next_business_day(store: Store) -> None:
    add_customer(store)
    # due Monday 2 Nov 2026: J+10 = Thursday 12 Nov... use 11 Nov (Armistice, a Wednesday)
    add_invoice(store, "F1", date(2026, 11, 1))  # J+10 = 11 Nov 2026, a public holiday
    mark(store, ["F1"], "reminder_1", date(2026, 11, 4))
    assert plan_on(store, date(2026, 11, 11)).actions == []
    (action,) = plan_on(store, date(2026, 11, 12)).actions
    assert action.step == "reminder_2" and action.scheduled_for == date(2026, 11, 12)


def test_holidays_follow_the_customer_country(store: Store) -> None:
    add_customer(store, "FR1", country="FR")
    add_customer(store, "GB1", country="GB", language="en")
    # 8 May is a holiday in France, not in the UK (2026-05-08 is a Friday)
    add_invoice(store, "F", date(2026, 5, 5), cid="FR1")
    add_invoice(store, "G", date(2026, 5, 5), cid="GB1")
    mark(store, ["F", "G"], "pre_due", date(2026, 4, 30))
    day = date(2026, 5, 8)
    assert [a.customer_id for a in plan_on(store, day).actions] == ["GB1"]


def test_pre_due_moves_to_previous_business_day_and_stays_before_due(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", date(2026, 11, 16))  # Monday; J-3 = Friday 13 -> stays Friday
    add_invoice(store, "F2", date(2026, 11, 18), cid="C1")  # J-3 = Sunday 15 -> Friday 13
    add_invoice(store, "F3", date(2026, 11, 19), cid="C1")  # J-3 = Monday 16
    assert plan_on(store, date(2026, 11, 12)).actions == []
    (action,) = plan_on(store, date(2026, 11, 13)).actions
    assert action.step == "pre_due" and action.invoices == ("F1", "F2")
    assert action.scheduled_for == date(2026, 11, 13)


def test_closing_period_defers_messages(store: Store) -> None:
    closed = (date(2026, 12, 21), date(2027, 1, 3))
    add_customer(store, closing=[closed])
    add_invoice(store, "F1", date(2026, 12, 17))
    add_invoice(store, "F2", date(2026, 12, 17), cid="C1")
    mark(store, ["F1", "F2"], "reminder_1", date(2026, 12, 18))
    # J+10 = 27 Dec: inside the closing period -> first business day after it: Monday 4 Jan
    for day in (date(2026, 12, 28), date(2026, 12, 31)):
        assert plan_on(store, day).actions == []
    (action,) = plan_on(store, date(2027, 1, 4)).actions
    assert action.step == "reminder_2" and action.scheduled_for == date(2027, 1, 4)


def test_a_pre_due_reminder_falling_in_a_closing_is_sent_before_it(store: Store) -> None:
    """Due on Tuesday 5 January, J-3 falls in the customer's closing (21 Dec - 3 Jan): the
    courteous reminder leaves on its last business day before, 18 December, although the due
    date is then 18 days away (the snapshot must keep such invoices in view)."""
    add_customer(store, closing=[(date(2026, 12, 21), date(2027, 1, 3))])
    add_invoice(store, "F1", date(2027, 1, 5))
    assert plan_on(store, date(2026, 12, 17)).actions == []
    (action,) = plan_on(store, date(2026, 12, 18)).actions
    assert (action.step, action.invoices) == ("pre_due", ("F1",))
    assert action.scheduled_for == date(2026, 12, 18)


def test_strategic_customer_gets_template_no_sms_and_earlier_call(store: Store) -> None:
    add_customer(store, strategic=True, sms_opt_in=True, phone="+33600000000")
    add_invoice(store, "F1", WED)
    seen = simulate(store, WED, WED + timedelta(days=20))
    steps = {a.step: (day, a) for day, a in seen}
    assert all(a.segment == "strategic" and a.template == "strategic" for _, a in seen)
    assert not steps["reminder_2"][1].also_sms
    assert steps["call"][0] == date(2026, 3, 26)  # J+15, not J+20


def test_sms_only_for_opted_in_customers_with_a_phone(store: Store) -> None:
    add_customer(store, "SMS", sms_opt_in=True, phone="+33600000000")
    add_customer(store, "NOSMS", sms_opt_in=False, phone="+33600000001")
    add_invoice(store, "A", WED, cid="SMS")
    add_invoice(store, "B", WED, cid="NOSMS")
    actions = plan_on(store, WED + timedelta(days=12)).actions
    assert {a.customer_id: a.also_sms for a in actions} == {"SMS": True, "NOSMS": False}


def test_large_amount_goes_to_a_human_earlier(store: Store) -> None:
    add_customer(store, "BIG")
    add_customer(store, "SMALL")
    add_invoice(store, "B1", WED, cents=1_500_000, cid="BIG")
    add_invoice(store, "S1", WED, cents=150_000, cid="SMALL")
    mark(store, ["B1", "S1"], "reminder_2", WED + timedelta(days=12))
    day = WED + timedelta(days=15)  # Thursday 26 March
    actions = plan_on(store, day).actions
    assert [(a.customer_id, a.step, a.segment) for a in actions] == [
        ("BIG", "call", "large_account")
    ]


def test_segments_new_and_chronic_late(store: Store) -> None:
    from assistant.models import Payment
    from assistant.storage import repo

    as_of = date(2026, 11, 24)
    add_customer(store, "NEW", customer_since=as_of - timedelta(days=60))
    add_customer(store, "LATE", customer_since=date(2019, 1, 1))
    add_customer(store, "OK", customer_since=date(2019, 1, 1))
    add_invoice(store, "OLD-L", date(2026, 6, 1), cid="LATE")
    add_invoice(store, "OLD-K", date(2026, 6, 1), cid="OK")
    with store.transaction():
        repo.apply_payment(store, Payment(invoice_number="OLD-L", date=date(2026, 7, 1),
                                          amount_cents=100_000), None, "t")  # fmt: skip
        repo.apply_payment(store, Payment(invoice_number="OLD-K", date=date(2026, 6, 1),
                                          amount_cents=100_000), None, "t")  # fmt: skip
    for cid in ("NEW", "LATE", "OK"):
        add_invoice(store, f"N-{cid}", as_of - timedelta(days=5), cid=cid)
    segments = {a.customer_id: a.segment for a in plan_on(store, as_of).actions}
    assert segments == {"NEW": "new", "LATE": "chronic_late", "OK": "standard"}


def test_plan_has_no_side_effects(service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    before = service.store.conn.execute("SELECT count(*) FROM events").fetchone()
    dump_before = store_dump(service.store)
    service.plan(WED + timedelta(days=12))
    assert store_dump(service.store) == dump_before
    assert service.store.conn.execute("SELECT count(*) FROM events").fetchone() == before


def test_a_call_lists_only_the_invoices_not_called_yet(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "CALLED", WED - timedelta(days=5))  # its call was made on WED + 15
    mark(store, ["CALLED"], "call", WED + timedelta(days=15))
    add_invoice(store, "NEXT", WED)  # reaches its own call (J+20) on Tuesday 31 March
    mark(store, ["NEXT"], "reminder_2", WED + timedelta(days=12))
    # CALLED is overdue but already had this call, and its escalation (J+30) is 5 days away
    (action,) = plan_on(store, WED + timedelta(days=20)).actions
    assert (action.step, action.invoices) == ("call", ("NEXT",))
    assert "factures regroupées" not in render(action.reason)


def promise(store: Store, number: str | None, made: date, promised: date, cid: str = "C1") -> None:
    from assistant.storage import repo

    with store.transaction():
        repo.insert_promise(store, cid, number, promised, None, made, source="call", note=None,
                            actor="test")  # fmt: skip


def test_a_newer_whole_balance_promise_wins_over_an_older_broken_invoice_promise(
    store: Store,
) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "reminder_1", WED + timedelta(days=5))
    promise(store, "F1", WED + timedelta(days=6), WED + timedelta(days=7))  # broken on WED + 11
    promise(store, None, WED + timedelta(days=12), WED + timedelta(days=20))  # the whole balance
    day = WED + timedelta(days=13)
    result = plan_on(store, day)
    assert result.actions == []  # no call: the customer's latest promise is still open
    (skip,) = result.skipped
    assert (skip.code, skip.invoice_number) == ("promise", "F1")
    assert "2026-03-31" in render(skip.reason)
    # and once the whole-balance promise is broken too, a person calls about it
    (call,) = plan_on(store, WED + timedelta(days=26)).actions
    assert call.step == "call" and "2026-03-31 non tenue" in render(call.reason)


def test_a_newer_invoice_promise_wins_over_an_older_broken_whole_balance_promise(
    store: Store,
) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "reminder_1", WED + timedelta(days=5))
    promise(store, None, WED + timedelta(days=6), WED + timedelta(days=7))
    promise(store, "F1", WED + timedelta(days=12), WED + timedelta(days=20))
    result = plan_on(store, WED + timedelta(days=13))
    assert result.actions == [] and [s.code for s in result.skipped] == ["promise"]


def test_plan_json_is_the_contract_keys_then_the_extensions(store: Store) -> None:
    add_customer(store, sms_opt_in=True, phone="+33600000000")
    add_invoice(store, "F1", WED)
    add_invoice(store, "F2", WED)
    mark(store, ["F1", "F2"], "reminder_1", WED + timedelta(days=5))
    (action,) = plan_on(store, WED + timedelta(days=12)).actions
    data = action.as_json()
    assert list(data)[:7] == [
        "customer_id", "step", "channel", "invoices", "scheduled_for", "requires_human", "reason",
    ]  # fmt: skip
    assert data == {
        "customer_id": "C1",
        "step": "reminder_2",
        "channel": "email",
        "invoices": ["F1", "F2"],
        "scheduled_for": "2026-03-23",
        "requires_human": False,
        "reason": "J+10 atteint le 2026-03-23 (échéance 2026-03-11) ; relance J+3 envoyée le"
        " 2026-03-16 ; 2 factures regroupées",
        "segment": "standard",
        "tone": "firm",
        "template": None,
        "also_sms": True,
        "notify_salesperson": False,
        "instalment_id": None,
        "amount": "2000.00",  # what is asked, net of credits, capped by the balance (issue 12)
        "currency": "EUR",
        "standing": False,
        "reason_code": "step_reached",  # the code behind `reason` (assistant/reasons.py)
    }


def _facts(**fields: object) -> CustomerFacts:
    base: dict[str, object] = dict(
        id="C1", country="FR", strategic=False, do_not_contact=False,
        sms_ok=False, since=None, risk=None, label=None,
    )  # fmt: skip
    return CustomerFacts(**{**base, **fields})  # type: ignore[arg-type]


def test_segment_thresholds_count_from_their_exact_value() -> None:
    day = date(2026, 11, 24)
    planner = Planner(load_scenario(None).model_copy(update={"new_customer_months": 6}))

    def segment(**fields: object) -> str:
        return planner.segment_for(_facts(**fields), day).id

    # 10,000.00 owed is a large account, one cent less is not
    assert segment(outstanding_cents=1_000_000) == "large_account"
    assert segment(outstanding_cents=999_999) == "standard"
    # 15 days late on average, or one broken promise, is chronic
    assert segment(avg_days_late=15.0) == "chronic_late"
    assert segment(avg_days_late=14.9) == "standard"
    assert segment(broken_promises=1) == "chronic_late"
    # new for 6 months: 6 x 365 // 12 = 182 days
    assert segment(since=day.toordinal() - 181) == "new"
    assert segment(since=day.toordinal() - 182) == "standard"
    assert segment(strategic=True, outstanding_cents=1_000_000) == "strategic"
    assert segment(label="new", outstanding_cents=1_000_000) == "new"  # a manual label wins


def test_segment_conditions_on_a_ceiling_and_on_risk() -> None:
    day = date(2026, 11, 24)
    policy = load_scenario(None).model_copy(
        update={
            "segments": [
                Segment(id="small", when=Condition.model_validate({"max_outstanding": "100"})),
                Segment(id="risky", when=Condition(risk=["high"])),
                Segment(id="loyal", when=Condition(relationship="loyal", strategic=False)),
                Segment(id="other"),
            ]
        }
    )
    planner = Planner(policy)

    def segment(**fields: object) -> str:
        return planner.segment_for(_facts(**fields), day).id

    assert segment(outstanding_cents=10_000) == "small"
    assert segment(outstanding_cents=10_001, risk="high") == "risky"
    assert segment(outstanding_cents=10_001, risk="low") == "loyal"
    assert segment(outstanding_cents=10_001, since=day.toordinal()) == "other"
    assert segment(outstanding_cents=10_001, strategic=True) == "other"
    # no segment matches: the last one applies
    last_only = Planner(policy.model_copy(update={"segments": policy.segments[:2]}))
    assert last_only.segment_for(_facts(outstanding_cents=10_001), day).id == "risky"


def due_day_reminder(without: str = "") -> tuple[ScenarioPolicy, Planner]:
    """The seed scenario with reminder_1 on the due day (J+0), less the step `without`."""
    policy = load_scenario(None)
    steps = [s.model_copy(update={"offset_days": 0}) if s.id == "reminder_1" else s
             for s in policy.steps if s.id != without]  # fmt: skip
    return policy, Planner(policy.model_copy(update={"steps": steps}))


def test_a_reminder_on_the_due_day_counts_as_the_written_reminder_before_a_call(
    store: Store,
) -> None:
    policy, planner = due_day_reminder()
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "reminder_1", WED)
    day = WED + timedelta(days=20)  # the call's day; reminder_2 (J+10) was never sent
    (action,) = planner.plan(load_snapshot(store, policy, day)).actions
    assert (action.step, action.requires_human) == ("call", True)


def test_the_follow_up_task_names_the_latest_broken_promise_and_counts_its_invoices(
    store: Store,
) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    add_invoice(store, "F2", WED)
    mark(store, ["F1", "F2"], "escalation", WED + timedelta(days=30))
    # both broken; F2's was made last (its promised day is named), F1's promised a later day
    # (40 days late: the customer is chronic_late)
    promise(store, "F2", WED + timedelta(days=32), WED + timedelta(days=33))
    promise(store, "F1", WED + timedelta(days=31), WED + timedelta(days=34))
    (task,) = plan_on(store, WED + timedelta(days=40)).actions
    assert (task.step, task.channel, task.invoices, task.segment) == (
        "follow_up", "task", ("F1", "F2"), "chronic_late"
    )  # fmt: skip
    assert task.requires_human and task.standing
    assert task.scheduled_for == WED + timedelta(days=40)
    assert render(task.reason) == (
        "promesse de paiement du 2026-04-13 non tenue ; "
        "à traiter : escalade du 2026-04-10 sans suite ; 2 factures"
    )


def test_never_reminded_when_the_escalation_comes_the_latest_written_reminder_goes_first(
    store: Store,
) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    (action,) = plan_on(store, WED + timedelta(days=35)).actions
    # not the call (J+20) nor J+3: J+10, reached on its business day (Saturday 21 -> Monday 23)
    assert (action.step, action.requires_human) == ("reminder_2", False)
    assert render(action.reason) == "J+10 atteint le 2026-03-23 (échéance 2026-03-11)"


def test_the_written_reminder_before_a_call_keeps_its_day_out_of_the_customers_closing(
    store: Store,
) -> None:
    add_customer(store, closing=[(date(2026, 3, 21), date(2026, 3, 29))])
    add_invoice(store, "F1", WED)
    (action,) = plan_on(store, WED + timedelta(days=25)).actions
    assert action.step == "reminder_2"
    assert render(action.reason) == "J+10 atteint le 2026-03-30 (échéance 2026-03-11)"


def test_a_due_day_reminder_is_the_written_one_before_a_call_when_none_comes_later(
    store: Store,
) -> None:
    policy, planner = due_day_reminder(without="reminder_2")
    add_customer(store)
    add_invoice(store, "F1", WED)
    day = WED + timedelta(days=21)  # the call's day; nothing was ever sent
    (action,) = planner.plan(load_snapshot(store, policy, day)).actions
    assert action.step == "reminder_1"
    assert render(action.reason) == "J+0 atteint le 2026-03-11 (échéance 2026-03-11)"


def test_each_customer_gets_its_own_reason_when_many_share_a_step(store: Store) -> None:
    # reasons are built once per (step, dates, count) and reused: never across different dates,
    # and never for (or from) a customer whose promise was broken
    for cid in ("C1", "C2", "C3", "C4"):
        add_customer(store, cid)
    for cid, due in (("C1", WED), ("C2", WED), ("C3", WED), ("C4", WED - timedelta(days=1))):
        add_invoice(store, f"F{cid}", due, cid=cid)
        mark(store, [f"F{cid}"], "reminder_1", WED + timedelta(days=3))
    promise(store, "FC2", WED + timedelta(days=4), WED + timedelta(days=6), cid="C2")
    actions = {a.customer_id: a for a in plan_on(store, WED + timedelta(days=12)).actions}
    assert {cid: (a.step, render(a.reason)) for cid, a in actions.items()} == {
        "C1": ("reminder_2", "J+10 atteint le 2026-03-23 (échéance 2026-03-11) ; "
                             "relance J+3 envoyée le 2026-03-14"),
        "C2": ("call", "promesse de paiement du 2026-03-17 non tenue (échéance 2026-03-11) ; "
                       "relance J+3 envoyée le 2026-03-14 ; appel à passer, commercial prévenu"),
        "C3": ("reminder_2", "J+10 atteint le 2026-03-23 (échéance 2026-03-11) ; "
                             "relance J+3 envoyée le 2026-03-14"),
        "C4": ("reminder_2", "J+10 atteint le 2026-03-20 (échéance 2026-03-10) ; "
                             "relance J+3 envoyée le 2026-03-14"),
    }  # fmt: skip


def test_the_escalation_s_reason_says_the_call_was_done_and_a_broken_promise_is_its_own(
    store: Store,
) -> None:
    # three customers at the same step on the same dates: the reason built for C1 is reused for
    # C3, never for C2, whose promise made after the call was broken (nor C2's for C3)
    for cid in ("C1", "C2", "C3"):
        add_customer(store, cid)
        add_invoice(store, f"F{cid}", WED, cid=cid)
        mark(store, [f"F{cid}"], "reminder_2", WED + timedelta(days=10))
        mark(store, [f"F{cid}"], "call", WED + timedelta(days=20))
    promise(store, "FC2", WED + timedelta(days=21), WED + timedelta(days=25), cid="C2")
    # on J+30 itself: C2's call-back day (today) is the step's day of the others, same key
    actions = plan_on(store, WED + timedelta(days=30)).actions
    after = (
        " ; étape J+20 faite le 2026-03-31 ; "
        "décision au cas par cas (plan de paiement, blocage des commandes, mise en demeure)"
    )
    assert [(a.customer_id, a.step, render(a.reason)) for a in actions] == [
        ("C1", "escalation", "J+30 atteint le 2026-04-10 (échéance 2026-03-11)" + after),
        ("C2", "escalation",
         "promesse de paiement du 2026-04-05 non tenue (échéance 2026-03-11)" + after),
        ("C3", "escalation", "J+30 atteint le 2026-04-10 (échéance 2026-03-11)" + after),
    ]  # fmt: skip


def test_a_large_amount_s_own_call_day_applies_before_its_segment_s(store: Store) -> None:
    policy = load_scenario(None)
    assert policy.large_amount is not None
    early = policy.large_amount.model_copy(update={"call_offset_days": 12})
    planner = Planner(policy.model_copy(update={"large_amount": early}))
    add_customer(store, "BIG")
    add_customer(store, "SMALL")
    add_invoice(store, "B1", WED, cents=1_500_000, cid="BIG")
    add_invoice(store, "S1", WED, cents=150_000, cid="SMALL")
    mark(store, ["B1", "S1"], "reminder_2", WED + timedelta(days=10))
    day = WED + timedelta(
        days=13
    )  # past the large amount's call day (J+12), not the segment's (J+15)
    actions = planner.plan(load_snapshot(store, policy, day)).actions
    assert [(a.customer_id, a.step) for a in actions] == [("BIG", "call")]


def test_after_a_due_day_reminder_every_invoice_overdue_since_joins_the_next_message(
    store: Store,
) -> None:
    # reminder_1 on the due day (J+0): an invoice overdue for any day has reached it
    policy, planner = due_day_reminder()
    add_customer(store)
    add_invoice(store, "A", WED - timedelta(days=10))  # J+10 today
    add_invoice(store, "B", WED - timedelta(days=6))  # J+6: its own J+10 is 4 days away
    mark(store, ["A"], "reminder_1", WED - timedelta(days=10))
    mark(store, ["B"], "reminder_1", WED - timedelta(days=6))
    (action,) = planner.plan(load_snapshot(store, policy, WED)).actions
    assert (action.step, action.invoices) == ("reminder_2", ("A", "B"))


def test_a_scenario_without_a_written_reminder_after_the_due_date_still_plans(
    store: Store,
) -> None:
    policy = load_scenario(None)
    steps = [s for s in policy.steps if s.id in ("pre_due", "call")]
    scenario = policy.model_copy(update={"steps": steps, "segments": policy.segments[-1:]})
    add_customer(store)
    add_invoice(store, "LATE", WED - timedelta(days=25))  # past the call's day (J+20)
    add_invoice(store, "SOON", WED + timedelta(days=3))  # its pre-due reminder is today
    add_customer(store, "C2")
    add_invoice(store, "OTHER", WED - timedelta(days=5), cid="C2")  # overdue, no step yet
    actions = Planner(scenario).plan(load_snapshot(store, scenario, WED)).actions
    assert [(a.customer_id, a.step, a.invoices) for a in actions] == [
        ("C1", "call", ("LATE",)),
    ]


@pytest.mark.parametrize(("reminded", "called"), [(10, True), (11, False)])
def test_a_broken_promise_calls_unless_a_reminder_already_followed_its_deadline(
    store: Store, reminded: int, called: bool
) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    promise(store, "F1", WED + timedelta(days=6), WED + timedelta(days=7))  # deadline WED + 10
    mark(store, ["F1"], "reminder_1", WED + timedelta(days=reminded))
    steps = [a.step for a in plan_on(store, WED + timedelta(days=13)).actions]
    assert steps == (["call"] if called else [])
