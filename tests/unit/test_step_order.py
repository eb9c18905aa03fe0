"""A newer step supersedes a pending older one; at send time the minimum gap holds whatever was
approved (issue 19, item 4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from assistant.delivery.pacing import Pacing, pace
from assistant.demo.home import write_demo_company
from assistant.reasons import render
from assistant.service import Service
from assistant.storage.review import Delivered
from tests.unit.rules_builders import add_customer, add_invoice

WED = date(2026, 3, 11)


def at(service: Service, day: date) -> None:
    service.store.clock = lambda: datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def test_reminder_1_supersedes_a_pending_pre_due_for_the_same_invoice(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    service.draft(WED - timedelta(days=3))
    (pre_due,) = service.drafts("pending")
    assert pre_due.step == "pre_due"
    service.draft(WED + timedelta(days=5))  # nobody looked at the queue for a week
    (pending,) = service.drafts("pending")
    assert pending.step == "reminder_1"
    assert service.get_draft(pre_due.id).status == "superseded"
    events = service.store.events(kinds=("draft.superseded",))
    assert [(e["draft_id"], e["data"]["by"]) for e in events] == [(pre_due.id, pending.id)]


def test_the_minimum_gap_holds_at_send_time_whatever_was_approved(service: Service) -> None:
    write_demo_company(service.home)
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    first, second = WED + timedelta(days=5), WED + timedelta(days=12)
    service.draft(first)
    service.approve([d.id for d in service.drafts("pending")], on=first)  # not sent that day
    service.draft(second)
    (newer,) = service.drafts("pending")
    assert newer.step == "reminder_2"
    service.approve([newer.id], on=second)
    at(service, second)
    dry = service.send(dry_run=True)  # a dry run paces the batch as the real one will
    assert len(dry.would_send) == 1 and dry.held == [newer.id] and dry.sent == []
    service.actor = "camille.compta"  # who runs the send
    report = service.send()  # reminder_1 leaves; reminder_2 the same day would break the gap
    assert len(report.sent) == 1 and report.held == [newer.id]
    assert service.get_draft(report.sent[0]).error is None  # sent cleanly: no error note
    held = service.get_draft(newer.id)
    assert held.status == "approved" and "écart minimum" in render(held.error)
    (event,) = service.store.events(kinds=("draft.held",))  # who held which draft, and why
    assert (event["actor"], event["customer_id"], event["draft_id"]) == (
        "camille.compta",
        "C1",
        newer.id,
    )
    assert event["data"] == {"why": render(held.error)} and "écart minimum" in event["data"]["why"]
    at(service, second + timedelta(days=4))
    assert service.send().held == [newer.id]  # still inside the gap
    at(service, second + timedelta(days=5))
    assert service.send().sent == [newer.id]


def test_an_approved_older_step_never_follows_a_newer_one_sent(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    add_invoice(service.store, "F2", WED)
    service.draft(WED - timedelta(days=3))
    (pre_due,) = service.drafts("pending")
    today = WED + timedelta(days=20)
    sent = Delivered("C1", WED + timedelta(days=12), "reminder_2", "email", ("F2",), 99, None)
    verdict = pace(pre_due, [sent], today, 5)
    assert verdict.cancel is not None and "Relance 2 déjà envoyée" in render(verdict.cancel)
    # the e-mail and the SMS of one step, drafted and sent together, are one message
    sms = Delivered("C1", today, "pre_due", "sms", ("F1",), 98, pre_due.plan_date)
    assert pace(pre_due, [sms], today, 5) == Pacing()
    # the same step sent on another day is a second message: the gap applies
    assert pace(pre_due, [replace(sms, on=today - timedelta(days=1))], today, 5).hold
