"""`ingest` stores one message read from the mailbox: the reply row and its event compared whole,
what a bounce changes (the draft, its steps, the address), what the import report counts.

Called directly (not through the CLI), so a mutation run judges `ingest` by these tests."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant.replies.ingest import IngestReport, LinkContext, ingest
from assistant.replies.kinds import ReplyKind
from assistant.service import Service
from tests.support.mail import bounce, message
from tests.support.replies_world import EMAILS, INVOICES, REPLY_AT, customer_replies, sent_world

DATA = Path(__file__).resolve().parent.parent / "data" / "replies"
ARRIVED = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # when the message was read, not written
OWN = frozenset({"atelier.example"})
PUBLIC = frozenset({"gmail.com"})


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Service, dict[str, str]]]:
    svc, ids = sent_world(tmp_path)
    yield svc, ids
    svc.close()


def run(svc: Service, raw: bytes, report: IngestReport, source: str = "file:m.eml") -> int | None:
    ctx = LinkContext.load(svc.store, OWN, PUBLIC)
    return ingest(
        svc.store, raw, source=source, ctx=ctx, actor="anna", arrived=ARRIVED, report=report
    )


def stored(svc: Service, reply_id: int | None) -> dict[str, Any]:
    row = svc.store.query_one("SELECT * FROM replies WHERE id = ?", (reply_id,))
    assert row is not None
    out = dict(row)
    del out["id"], out["created_at"]
    if out["suggestion"] is not None:
        suggestion = json.loads(out.pop("suggestion"))
        out["suggestion"] = {k: suggestion[k] for k in ("outcome", "date", "invoice", "source")}
        out["instalments"] = suggestion["instalments"]
    return out


def ingested(svc: Service, raw: bytes) -> dict[str, Any]:
    """The stored row of one message ingested on its own."""
    return stored(svc, run(svc, raw, IngestReport()))


def events(svc: Service, kind: str) -> list[dict[str, Any]]:
    return [
        {k: e[k] for k in ("kind", "actor", "customer_id", "draft_id", "on_date", "data")}
        for e in svc.store.events(kinds=(kind,))
    ]


def draft_of(svc: Service, cid: str) -> int:
    return int(
        svc.store.scalar("SELECT id FROM drafts WHERE customer_id = ? AND status = 'sent'", (cid,))
    )


def from_customer(cid: str, **fields: Any) -> bytes:
    """A message from the customer's known address, written at REPLY_AT unless `when`."""
    return message(sender=f"<{EMAILS[cid]}>", **{"when": REPLY_AT, **fields})


NOTHING = {
    "return_on": None,
    "bounced_address": None,
    "bounce_status": None,
    "bounce_diagnostic": None,
    "outcome": None,
    "triage": None,
    "triaged_by": None,
    "triaged_on": None,
}


def test_a_threaded_reply_is_stored_whole_held_and_suggested(world: Any) -> None:
    svc, ids = world
    report = IngestReport()
    reply_id = run(svc, customer_replies(ids)["threaded"], report, source="imap:x:1:7")
    assert stored(svc, reply_id) == {
        **NOTHING,
        "dedupe_key": "<reply-1@client-un.example>",
        "source": "imap:x:1:7",
        "message_id": "<reply-1@client-un.example>",
        "kind": "reply",
        "status": "new",
        "customer_id": "C1",
        "draft_id": draft_of(svc, "C1"),
        "match": "thread",
        "received_at": "2026-11-24T14:00:00+00:00",  # its Date header, not when it was read
        "received_on": "2026-11-24",
        "from_address": "sophie.durand@client-un.example",
        "from_name": "Sophie Durand",
        "subject": "RE: Relance facture",
        "text": "Bonjour,\n\nNous avons réglé la facture FA-2026-0410 le 20 novembre par virement.",
        "body": "Bonjour,\n\nNous avons réglé la facture FA-2026-0410 le 20 novembre par"
        " virement.\n\nCordialement,\nSophie Durand\n\nLe mar. 24 nov. 2026 à 10:30, Atelier"
        " <compta@atelier.example> a écrit :\n> Bonjour,\n> Sauf erreur de notre part...",
        # the invoice is one of the customer's: the rules name it
        "suggestion": {
            "outcome": "paid",
            "date": "2026-11-20",
            "invoice": INVOICES["C1"],
            "source": "rules",
        },
        "instalments": None,
    }
    assert events(svc, "customer.replied") == [
        {
            "kind": "customer.replied",
            "actor": "anna",
            "customer_id": "C1",
            "draft_id": draft_of(svc, "C1"),
            "on_date": "2026-11-24",
            "data": {
                "reply_id": reply_id,
                "kind": "reply",
                "match": "thread",
                "invoices": [INVOICES["C1"]],
                "return_on": None,
            },
        }
    ]
    assert report.as_json() == {
        "read": 1,
        "added": 1,
        "duplicates": 0,
        "reply_ids": [reply_id],
        "kinds": {"reply": 1, "auto_reply": 0, "bounce": 0},
        "unmatched": 0,
        "held": ["C1"],
        "invalid_addresses": [],
        "suggested_by_llm": 0,
        "llm_violations": 0,
        "purged": 0,
    }
    assert events(svc, "message.bounced") == []


def test_a_reply_by_address_only_has_no_draft_nor_invoices(world: Any) -> None:
    svc, ids = world
    report = IngestReport()
    reply_id = run(svc, customer_replies(ids)["sender_only"], report)
    row = stored(svc, reply_id)
    assert (row["customer_id"], row["draft_id"], row["match"]) == ("C2", None, "address")
    assert (row["subject"], row["from_name"]) == ("Facture FA-2026-0411", "Marie Leroy")
    assert row["suggestion"]["outcome"] == "plan"
    assert row["instalments"] == 3
    (event,) = events(svc, "customer.replied")
    assert (event["draft_id"], event["data"]["invoices"]) == (None, [])
    assert report.held == {"C2"}


def test_an_automatic_reply_is_recorded_with_its_return_date_and_holds_no_one(world: Any) -> None:
    svc, ids = world
    report = IngestReport()
    reply_id = run(svc, customer_replies(ids)["out_of_office"], report)
    row = stored(svc, reply_id)
    assert {k: row[k] for k in ("kind", "status", "customer_id", "match", "return_on")} == {
        "kind": "auto_reply",
        "status": "recorded",
        "customer_id": "C3",
        "match": "thread",
        "return_on": "2027-01-04",
    }
    assert row["suggestion"] is None  # no suggestion for an automatic reply
    (event,) = events(svc, "customer.replied")
    assert event["data"] == {
        "reply_id": reply_id,
        "kind": "auto_reply",
        "match": "thread",
        "invoices": [INVOICES["C3"]],
        "return_on": "2027-01-04",
    }
    assert report.held == set()
    assert report.kinds == {ReplyKind.AUTO_REPLY: 1}


def test_the_return_date_is_read_in_the_whole_body_when_no_own_words_are_left(
    world: Any,
) -> None:
    svc, _ = world
    raw = from_customer(
        "C3",
        subject="Réponse automatique",
        # nothing above the quote: no own words; the date is in what it quotes
        body="Le 24 nov. 2026 à 10:30, Atelier <compta@atelier.example> a écrit :\n"
        "> Je suis absente jusqu'au 4 janvier 2027 inclus.\n",
        message_id="<ooo-quoted@client-trois.example>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    row = ingested(svc, raw)
    assert row["text"] == ""
    assert row["return_on"] == "2027-01-04"


def test_an_automatic_reply_without_a_return_date_has_none(world: Any) -> None:
    svc, _ = world
    raw = from_customer(
        "C3",
        subject="Réponse automatique",
        body="Bonjour,\nVotre message a bien été reçu.\n",
        message_id="<ooo-nodate@client-trois.example>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    row = ingested(svc, raw)
    assert (row["kind"], row["return_on"]) == ("auto_reply", None)
    (event,) = events(svc, "customer.replied")
    assert event["data"]["return_on"] is None


def test_a_bounce_marks_the_draft_forgets_its_steps_and_invalidates_the_address(
    world: Any,
) -> None:
    svc, ids = world
    draft_id = draft_of(svc, "C4")
    steps = "SELECT COUNT(*) FROM invoice_steps WHERE draft_id = ?"
    assert svc.store.scalar(steps, (draft_id,)) == 1
    report = IngestReport()
    reply_id = run(svc, customer_replies(ids)["bounce"], report)
    row = stored(svc, reply_id)
    assert {
        k: row[k] for k in ("kind", "status", "customer_id", "draft_id", "match", "bounced_address")
    } == {
        "kind": "bounce",
        "status": "recorded",
        "customer_id": "C4",
        "draft_id": draft_id,
        "match": "thread",
        "bounced_address": EMAILS["C4"],
    }
    assert row["bounce_status"] == "5.1.1"
    assert row["bounce_diagnostic"] == (
        f"smtp; 550 5.1.1 <{EMAILS['C4']}>: Recipient address rejected: User unknown in"
        " virtual mailbox table"
    )
    assert svc.store.scalar("SELECT bounced_on FROM drafts WHERE id = ?", (draft_id,)) == (
        "2026-11-24"
    )
    assert svc.store.scalar(steps, (draft_id,)) == 0  # it never reached the customer
    assert svc.store.query("SELECT address, reply_id, since, status FROM invalid_addresses") == [
        {"address": EMAILS["C4"], "reply_id": reply_id, "since": "2026-11-24", "status": "5.1.1"}
    ]
    assert events(svc, "message.bounced") == [
        {
            "kind": "message.bounced",
            "actor": "anna",
            "customer_id": "C4",
            "draft_id": draft_id,
            "on_date": "2026-11-24",
            "data": {"reply_id": reply_id, "address": EMAILS["C4"]},
        }
    ]
    assert events(svc, "customer.replied") == [
        {
            "kind": "customer.replied",
            "actor": "anna",
            "customer_id": "C4",
            "draft_id": draft_id,
            "on_date": "2026-11-24",
            "data": {
                "reply_id": reply_id,
                "kind": "bounce",
                "match": "thread",
                "invoices": [INVOICES["C4"]],
                "return_on": None,
                "address": EMAILS["C4"],
            },
        }
    ]
    assert report.invalid == [EMAILS["C4"]]
    assert report.held == set()  # a bounce is no person's reply
    assert report.kinds == {ReplyKind.BOUNCE: 1}


def test_a_second_bounce_of_the_same_draft_records_the_address_again_not_the_draft(
    world: Any,
) -> None:
    svc, ids = world
    draft_id = draft_of(svc, "C4")
    report = IngestReport()
    first = run(svc, customer_replies(ids)["bounce"], report)
    again = bounce(
        failed=EMAILS["C4"],
        original_id=ids["C4"],
        when=REPLY_AT + timedelta(days=1),
        message_id="<dsn-again@mx.atelier.example>",
    )
    second = run(svc, again, report)
    assert (first, second) != (None, None) and first != second
    assert len(events(svc, "message.bounced")) == 1  # the draft bounced once
    assert svc.store.scalar("SELECT bounced_on FROM drafts WHERE id = ?", (draft_id,)) == (
        "2026-11-24"
    )
    assert svc.store.query("SELECT reply_id, since FROM invalid_addresses") == [
        {"reply_id": second, "since": "2026-11-25"}
    ]
    assert report.invalid == [EMAILS["C4"], EMAILS["C4"]]


def _status(raw: bytes, status: str) -> bytes:
    return raw.replace(b"Status: 5.1.1", f"Status: {status}".encode())


def test_a_temporary_failure_proves_nothing_about_the_address(world: Any) -> None:
    svc, ids = world
    draft_id = draft_of(svc, "C4")
    report = IngestReport()
    reply_id = run(svc, _status(customer_replies(ids)["bounce"], "4.2.2"), report)
    assert stored(svc, reply_id)["bounce_status"] == "4.2.2"
    assert svc.store.scalar("SELECT bounced_on FROM drafts WHERE id = ?", (draft_id,)) is None
    assert svc.store.query("SELECT * FROM invalid_addresses") == []
    assert events(svc, "message.bounced") == []
    assert report.invalid == []
    (event,) = events(svc, "customer.replied")
    assert event["data"]["address"] == EMAILS["C4"]  # the event still names it


def test_a_bounce_without_a_status_counts_as_permanent(world: Any) -> None:
    svc, ids = world
    raw = customer_replies(ids)["bounce"].replace(b"Status: 5.1.1\r\n", b"")
    report = IngestReport()
    reply_id = run(svc, raw, report)
    assert stored(svc, reply_id)["bounce_status"] == ""
    assert report.invalid == [EMAILS["C4"]]
    assert len(events(svc, "message.bounced")) == 1


def test_a_message_already_stored_is_counted_not_stored_again(world: Any) -> None:
    svc, ids = world
    report = IngestReport()
    raw = customer_replies(ids)["threaded"]
    first = run(svc, raw, report)
    assert run(svc, raw, report) is None
    assert report.as_json() | {"reply_ids": None} == {
        "read": 2,
        "added": 1,
        "duplicates": 1,
        "reply_ids": None,
        "kinds": {"reply": 1, "auto_reply": 0, "bounce": 0},
        "unmatched": 0,
        "held": ["C1"],
        "invalid_addresses": [],
        "suggested_by_llm": 0,
        "llm_violations": 0,
        "purged": 0,
    }
    assert report.added == [first]
    assert svc.store.scalar("SELECT COUNT(*) FROM replies") == 1
    assert len(events(svc, "customer.replied")) == 1


def test_a_message_from_no_known_customer_is_unmatched_and_holds_no_one(world: Any) -> None:
    svc, ids = world
    report = IngestReport()
    reply_id = run(svc, customer_replies(ids)["unknown"], report)
    row = stored(svc, reply_id)
    assert (row["customer_id"], row["draft_id"], row["match"]) == (None, None, "none")
    assert row["suggestion"]["outcome"] == "question"
    (event,) = events(svc, "customer.replied")
    assert (event["customer_id"], event["draft_id"], event["data"]["match"]) == (
        None,
        None,
        "none",
    )
    assert (report.unmatched, report.held) == (1, set())
    other = message(
        sender="<paul@ailleurs.example>",
        body="Bonjour, qui êtes-vous ?\n",
        when=REPLY_AT,
        message_id="<u-7@ailleurs.example>",
    )
    run(svc, other, report)
    assert report.unmatched == 2  # counted, not flagged


def test_only_the_customers_own_invoices_are_named_in_the_suggestion(world: Any) -> None:
    svc, _ = world
    raw = from_customer(
        "C2",
        subject="Paiement",
        body=f"Bonjour,\nNous avons réglé la facture {INVOICES['C1']} le 20 novembre.\n",
        message_id="<other-invoice@client-deux.example>",
    )
    assert ingested(svc, raw)["suggestion"]["invoice"] is None  # not one of C2's


def _forwarded_by(sender: bytes) -> bytes:
    raw = (DATA / "forward_fr.eml").read_bytes()
    return raw.replace(b"Paul Martin <paul.martin@client-un.example>", sender, 1)


@pytest.mark.parametrize(
    ("sender", "customer", "mark"),
    [
        (b"<paul.martin@client-un.example>", "C1", "--- message transféré"),
        (b"<john@client-five.example>", "C5", "--- forwarded message"),  # C5 reads English
        (b"<someone@elsewhere.example>", None, "--- message transféré"),
    ],
)
def test_a_forwarded_message_is_marked_in_the_customers_language(
    world: Any, sender: bytes, customer: str | None, mark: str
) -> None:
    svc, _ = world
    row = ingested(svc, _forwarded_by(sender))
    assert row["customer_id"] == customer
    assert f"{mark} (Service achats <achats@client-un.example>) ---" in row["text"]
    assert row["text"].startswith("Bonjour,\n\nJe vous transfère la réponse")
    assert "Pouvez-vous vérifier" not in row["text"]  # the quote inside the forward is cut


def test_our_own_quoted_message_is_history_not_the_customers_words(world: Any) -> None:
    svc, _ = world
    raw = from_customer(
        "C2",
        subject="RE: Relance",
        body="D'accord.\n\n-----Original Message-----\nFrom: Atelier <compta@atelier.example>\n"
        "Sent: Tuesday, November 24, 2026 10:30 AM\nTo: marie@client-deux.example\n"
        "Subject: Relance\n\nBonjour, sauf erreur de notre part la facture reste due.\n",
        message_id="<own-quote@client-deux.example>",
    )
    assert ingested(svc, raw)["text"] == "D'accord."


def test_the_day_received_is_the_local_day_of_the_date_header(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc, _ = world
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        late = from_customer(
            "C2",
            body="Bonjour, c'est noté.\n",
            when=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),  # 00:30 on the 25th in Paris
            message_id="<late@client-deux.example>",
        )
        reply_id = run(svc, late, IngestReport())
    finally:
        monkeypatch.undo()
        time.tzset()
    row = stored(svc, reply_id)
    assert (row["received_at"], row["received_on"]) == ("2026-11-24T23:30:00+00:00", "2026-11-25")
    (event,) = events(svc, "customer.replied")
    assert event["on_date"] == "2026-11-25"


def test_a_message_without_a_date_is_dated_when_it_was_read(world: Any) -> None:
    svc, _ = world
    raw = from_customer(
        "C2",
        body="Bonjour, c'est noté.\n",
        message_id="<undated@client-deux.example>",
    )
    undated = b"".join(
        line for line in raw.splitlines(keepends=True) if not line.startswith(b"Date:")
    )
    row = ingested(svc, undated)
    assert (row["received_at"], row["received_on"]) == ("2026-11-25T08:00:00+00:00", "2026-11-25")


def _outlook_forward(subject: str, message_id: str) -> bytes:
    """C2 forwards (or quotes) a colleague's message the way Outlook lays it out."""
    return from_customer(
        "C2",
        subject=subject,
        body="Voir ci-dessous.\n\n-----Original Message-----\n"
        "From: Service achats <achats@client-deux.example>\n"
        "Sent: Tuesday, November 24, 2026 10:30 AM\n"
        "To: marie@client-deux.example\nSubject: Relance\n\n"
        "La facture a été payée le 20/11/2026.\n",
        message_id=message_id,
    )


def test_a_forward_is_told_by_its_subject_when_no_line_marks_it(world: Any) -> None:
    svc, _ = world
    forwarded = ingested(svc, _outlook_forward("TR: Relance", "<fwd@client-deux.example>"))
    assert forwarded["text"] == (
        "Voir ci-dessous.\n\n--- message transféré (Service achats <achats@client-deux.example>)"
        " ---\nLa facture a été payée le 20/11/2026."
    )
    # the same layout under "RE:" is a reply quoting a message: its own words only
    replied = ingested(svc, _outlook_forward("RE: Relance", "<re@client-deux.example>"))
    assert replied["text"] == "Voir ci-dessous."


def test_our_own_message_forwarded_back_is_not_the_customers_words(world: Any) -> None:
    svc, _ = world
    raw = from_customer(
        "C2",
        subject="TR: Relance facture",
        body="Pour info, je transmets à la compta.\n\n-------- Message transféré --------\n"
        "Sujet : Relance facture\nDate : Tue, 24 Nov 2026 10:30:00 +0100\n"
        "De : Atelier <compta@atelier.example>\nPour : marie@client-deux.example\n\n"
        "Bonjour, sauf erreur de notre part la facture FA-2026-0411 reste due.\n",
        message_id="<fwd-ours@client-deux.example>",
    )
    assert ingested(svc, raw)["text"] == "Pour info, je transmets à la compta."
