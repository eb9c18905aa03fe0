"""Holds (rules/holds.py): one mechanism stops the plan and the send alike, with a task."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pytest

from assistant.reasons import render
from assistant.rules import hold_sources
from assistant.rules.holds import Hold
from assistant.service import Service
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer, add_invoice, plan_on

WED = date(2026, 3, 11)
DAY = WED + timedelta(days=5)  # Monday: reminder_1 due for invoices due on WED


def _source(*holds: Hold):  # type: ignore[no-untyped-def]
    def source(store: Store, as_of: date) -> Iterable[Hold]:
        return holds

    return source


def test_a_customer_hold_stops_every_step_and_lists_a_task(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_customer(store, "C1")
    add_customer(store, "C2")
    add_invoice(store, "F-1", WED, cid="C1")
    add_invoice(store, "F-2", WED - timedelta(days=30), cid="C1")
    add_invoice(store, "F-3", WED, cid="C2")
    hold = Hold("reply_pending", "C1", "réponse du client à traiter")
    monkeypatch.setattr(hold_sources, "SOURCES", (_source(hold),))

    plan = plan_on(store, DAY)
    by_customer = {(a.customer_id, a.step): a for a in plan.actions}
    assert ("C2", "reminder_1") in by_customer  # the other customer is untouched
    task = by_customer[("C1", "reply_pending")]
    assert task.requires_human and task.channel == "task"
    assert task.invoices == ("F-1", "F-2") and render(task.reason) == "réponse du client à traiter"
    assert not [a for a in plan.actions if a.customer_id == "C1" and not a.requires_human]
    assert [(s.customer_id, s.code) for s in plan.skipped if s.customer_id == "C1"] == [
        ("C1", "reply_pending")
    ]


def test_an_invoice_hold_stops_that_invoice_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F-1", WED)
    add_invoice(store, "F-2", WED)
    quiet = Hold("payment_match", "C1", "virement à rapprocher", invoice_number="F-1", task=False)
    monkeypatch.setattr(hold_sources, "SOURCES", (_source(quiet),))

    plan = plan_on(store, DAY)
    assert [(a.step, a.invoices) for a in plan.actions] == [("reminder_1", ("F-2",))]
    assert [(s.invoice_number, s.code) for s in plan.skipped] == [("F-1", "payment_match")]


def test_an_approved_draft_is_cancelled_at_send_time_by_a_new_hold(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_customer(service.store, "C1")
    add_invoice(service.store, "F-1", WED)
    service.draft(DAY)
    service.approve([1], on=DAY)
    hold = Hold("reply_pending", "C1", "réponse du client du 2026-03-16 à traiter")
    monkeypatch.setattr(hold_sources, "SOURCES", (_source(hold),))

    report = service.send()
    assert report.cancelled == [1] and report.sent == []
    draft = service.get_draft(1)
    assert draft.status == "cancelled" and render(draft.error) == render(hold.reason)


def test_holds_are_empty_until_one_is_added() -> None:
    from assistant.rules.holds import Holds

    assert not Holds()
    on_invoice, on_customer, on_address = Holds(), Holds(), Holds()
    on_invoice.add(Hold("payment_match", "C1", "virement", invoice_number="F-1"))
    on_customer.add(Hold("reply_pending", "C2", "réponse"))
    on_address.add(Hold("invalid_address", "C3", "adresse invalide", address="X@Client.example"))
    assert on_invoice and on_customer and on_address
    assert on_address.for_customer("C3") == []  # an address hold is kept by its address
    assert on_address.blocking("C3", [], ["x@client.example"]).code == "invalid_address"  # type: ignore[union-attr]
    assert on_invoice.for_invoice("F-1")[0].code == "payment_match"
    assert on_invoice.for_customer("C1") == [] and on_customer.for_invoice("F-1") == []
    assert on_invoice.blocking("C1", ["F-0", "F-1"]).code == "payment_match"  # type: ignore[union-attr]
    assert on_invoice.blocking("C1", ["F-0"]) is None
    assert on_customer.blocking("C2", []).code == "reply_pending"  # type: ignore[union-attr]


def test_a_source_that_cannot_narrow_its_read_is_read_whole_and_filtered(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source without `customer_ids` gets the store and the day; asked for some customers,
    load_holds keeps theirs and every address hold."""
    from assistant.rules.holds import load_holds

    seen: list[tuple[object, date]] = []

    def unscoped(given: Store, as_of: date) -> Iterable[Hold]:
        seen.append((given, as_of))
        return (
            Hold("reply_pending", "C1", "réponse"),
            Hold("reply_pending", "C2", "réponse"),
            Hold("invalid_address", "C3", "adresse invalide", address="x@client.example"),
        )

    monkeypatch.setattr(hold_sources, "SOURCES", (unscoped,))
    holds = load_holds(store, DAY, ("C1",))
    assert seen == [(store, DAY)]
    assert [h.customer_id for h in holds.for_customer("C1")] == ["C1"]
    assert holds.for_customer("C2") == [] and list(holds.address) == ["x@client.example"]
