"""What a message says matches what the customer received (issue 19, item 5) and its money and
dates are written in the message's language (item 7)."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.service import Service
from tests.unit.rules_builders import add_customer, add_invoice

WED = date(2026, 3, 11)


def test_a_first_message_never_claims_an_earlier_one(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    day = WED + timedelta(days=12)  # first run ever, at J+12: catch-up to reminder_2
    service.draft(day)
    (draft,) = service.drafts("pending")
    assert draft.step == "reminder_2"
    assert "Deuxième relance" not in draft.subject and draft.subject.startswith("Relance : ")
    assert "précédent message" not in draft.body
    assert draft.body.startswith("Bonjour,\n\nSauf erreur de notre part")


def test_a_second_reminder_says_so_only_after_the_first_was_sent(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    first = WED + timedelta(days=5)
    service.store.clock = lambda: _at(first)
    service.draft(first)
    service.approve([service.drafts("pending")[0].id], on=first)
    assert service.send().sent  # reminder_1 delivered (.eml outbox)
    later = WED + timedelta(days=12)
    service.store.clock = lambda: _at(later)
    service.draft(later)
    (draft,) = service.drafts("pending")
    assert draft.step == "reminder_2"
    assert draft.subject.startswith("Deuxième relance : ")
    assert "Malgré notre précédent message" in draft.body


def test_an_approved_but_unsent_reminder_is_not_claimed(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    first = WED + timedelta(days=5)
    service.draft(first)
    service.approve([service.drafts("pending")[0].id], on=first)  # approved, never sent
    service.store.conn.execute("UPDATE drafts SET status = 'cancelled'")  # e.g. lost
    service.draft(WED + timedelta(days=12))
    (draft,) = service.drafts("pending")
    assert "Deuxième relance" not in draft.subject


def test_english_messages_write_money_and_dates_in_english(service: Service) -> None:
    add_customer(service.store, language="en", country="FR")
    add_invoice(service.store, "F1", WED, cents=579_600)
    service.draft(WED + timedelta(days=5))
    (draft,) = service.drafts("pending")
    assert "Total amount outstanding: €5,796.00" in draft.body
    assert "5 796,00" not in draft.body and "11 March 2026" in draft.body


def _at(day: date):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)
