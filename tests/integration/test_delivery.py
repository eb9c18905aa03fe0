"""Delivery against a real SMTP server (aiosmtpd on 127.0.0.1): headers, failures, exactly once."""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from datetime import date, timedelta
from email.policy import default
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import PolicyError
from assistant.labels import step_phrase
from assistant.money import format_money
from assistant.reasons import render
from assistant.service import Service
from tests.conftest import FIXED_NOW, write_company
from tests.support.smtp import Inbox, smtp_server
from tests.unit.rules_builders import add_customer, add_invoice, mark

AS_OF = date(2026, 11, 24)
pytestmark = pytest.mark.usefixtures("store_kind")  # every test on SQLite and on PostgreSQL


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as served:
        yield served


def open_service(home: Path, port: int | None) -> Service:
    env: dict[str, object] = {"RELANCE_HOME": home, "RELANCE_FROM": "relances@acme.example"}
    if port is not None:
        env |= {"RELANCE_SMTP_HOST": "127.0.0.1", "RELANCE_SMTP_PORT": port}
        env |= {"RELANCE_SMTP_TLS": "none"}
    write_company(home)
    return Service.open(Settings(**env), clock=lambda: FIXED_NOW)  # type: ignore[arg-type]


def approved_drafts(svc: Service, customers: int = 1, *, second: bool = False) -> list[int]:
    for i in range(1, customers + 1):
        cid = f"C{i}"
        add_customer(svc.store, cid, salesperson_email=f"vendeur{i}@acme.example")
        due = AS_OF - timedelta(days=12 if second else 5)
        add_invoice(svc.store, f"F{i}", due, cents=123_400 + i, cid=cid)
        if second:
            mark(svc.store, [f"F{i}"], "reminder_1", AS_OF - timedelta(days=6))
    ids = svc.draft(AS_OF, offline=True).created
    customer_ids = [d for d in ids if svc.get_draft(d).channel == "email"]
    svc.approve(customer_ids, on=AS_OF)
    return customer_ids


def test_messages_arrive_with_the_right_headers(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    (draft_id,) = approved_drafts(svc, second=True)
    report = svc.sender(backoff_s=0).run()
    assert report.sent == [draft_id]
    (msg,) = inbox.messages
    draft = svc.get_draft(draft_id)
    assert msg["To"] == "c1@example.com" and msg["Cc"] == "vendeur1@acme.example"
    assert "relances@acme.example" in msg["From"] and msg["Reply-To"] == "relances@acme.example"
    assert msg["Subject"] == draft.subject
    assert msg["Message-ID"].startswith(f"<relance.{draft_id}.")
    assert inbox.envelopes[0] == ["c1@example.com", "vendeur1@acme.example"]
    body = msg.get_content()
    assert format_money(123_401, "EUR", "fr_FR") in body and msg.get_content_charset() == "utf-8"
    assert draft.status == "sent" and draft.sent_at
    (event,) = svc.store.query("SELECT data FROM events WHERE kind = 'message.sent'")
    assert json.loads(event["data"])["message_id"] == msg["Message-ID"]
    # the sent message is in the customer's timeline, as the call brief shows it
    timeline = svc.factsheet("C1", AS_OF).timeline
    assert any(
        t.step == "reminder_2" and t.invoices == ("F1",) and "2e relance (F1)" in t.text
        for t in timeline
    ), timeline


def test_server_failing_mid_batch_defers_then_resends_without_duplicates(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    ids = approved_drafts(svc, customers=3)
    inbox.fail_after = 1
    first = svc.sender(backoff_s=0).run()
    assert len(first.sent) == 1 and len(first.deferred) == 2 and first.failed == []
    for draft_id in first.deferred:
        draft = svc.get_draft(draft_id)
        assert draft.status == "approved" and "451" in render(draft.error)
    inbox.fail_after = None
    second = svc.sender(backoff_s=0).run()
    assert sorted(second.sent) == sorted(first.deferred)
    assert sorted(m["X-Relance-Draft"] for m in inbox.messages) == sorted(map(str, ids))
    assert svc.sender(backoff_s=0).run().sent == []  # nothing left, nothing twice


def test_a_bad_address_fails_with_the_server_message(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    ids = approved_drafts(svc, customers=2)
    inbox.reject = {"c2@example.com": "550 5.1.1 <c2@example.com>: utilisateur inconnu"}
    report = svc.sender(backoff_s=0).run()
    bad = next(i for i in ids if svc.get_draft(i).customer_id == "C2")
    assert report.failed == [bad] and len(report.sent) == 1
    draft = svc.get_draft(bad)
    assert draft.status == "failed" and "550" in render(draft.error)
    assert "utilisateur inconnu" in render(draft.error)
    # the step is open again: the engine proposes it anew once the address is fixed
    assert [a.customer_id for a in svc.plan(AS_OF).actions] == ["C2"]


class CrashAfterDelivery:
    """Delivers, then the process 'dies' before `sent` is written."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def send(self, msg: object) -> None:
        self.inner.send(msg)  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    def close(self) -> None:
        self.inner.close()  # type: ignore[attr-defined]


def test_killed_between_sending_and_sent_is_never_resent(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    (draft_id,) = approved_drafts(svc)
    sender = svc.sender(backoff_s=0)
    sender.email = CrashAfterDelivery(sender.email)  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        sender.run()
    svc.close()
    svc = open_service(tmp_path / "h", port)  # a new process
    assert svc.get_draft(draft_id).status == "sending"
    report = svc.sender(backoff_s=0).run()
    assert report.stuck == [draft_id] and report.sent == []
    assert len(inbox.messages) == 1
    assert svc.resolve_stuck(draft_id, was_sent=True).status == "sent"
    assert svc.sender(backoff_s=0).run().stuck == []
    assert len(inbox.messages) == 1
    # settled as sent, it is in the timeline like any message, with the id that left
    (event,) = svc.store.query("SELECT data FROM events WHERE kind = 'message.sent'")
    data = json.loads(event["data"])
    assert data["message_id"] == inbox.messages[0]["Message-ID"] and data["invoices"] == ["F1"]
    timeline = [line.text for line in svc.factsheet("C1", AS_OF).timeline]
    assert any(step_phrase("reminder_1") in t and "F1" in t for t in timeline), timeline


def test_disputed_after_approval_is_cancelled_not_sent(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    (draft_id,) = approved_drafts(svc)
    # the invoice changes behind the service's back (e.g. edited in the database by an import)
    svc.store.conn.execute("UPDATE invoices SET status = 'disputed' WHERE number = 'F1'")
    report = svc.sender(backoff_s=0).run()
    assert report.cancelled == [draft_id] and inbox.messages == []
    assert svc.get_draft(draft_id).status == "cancelled"
    assert svc.store.query("SELECT * FROM invoice_steps WHERE draft_id = ?", (draft_id,)) == []


def test_default_outbox_writes_eml_and_sms_files(tmp_path: Path) -> None:
    home = tmp_path / "h"
    svc = open_service(home, None)
    add_customer(svc.store, "C1", phone="+33600000000", sms_opt_in=True)
    add_invoice(svc.store, "F1", AS_OF - timedelta(days=12))
    mark(svc.store, ["F1"], "reminder_1", AS_OF - timedelta(days=6))
    ids = svc.draft(AS_OF, offline=True).created
    channels = {svc.get_draft(i).channel: i for i in ids}
    assert {"email", "sms"} <= set(channels)
    svc.approve([channels["email"], channels["sms"]], on=AS_OF)
    assert svc.send(dry_run=True).would_send == sorted([channels["email"], channels["sms"]])
    assert svc.get_draft(channels["email"]).status == "approved"  # dry run changed nothing
    report = svc.send()
    assert sorted(report.sent) == sorted([channels["email"], channels["sms"]])
    eml = home / "outbox" / f"draft-{channels['email']}.eml"
    msg = email.message_from_bytes(eml.read_bytes())
    assert msg["To"] == "c1@example.com"
    (line,) = (home / "sms-outbox" / "outbox.jsonl").read_text().splitlines()
    sms = json.loads(line)
    assert sms["to"] == "+33600000000" and len(sms["text"]) <= 320


def test_invoice_pdf_from_the_import_is_attached(tmp_path: Path) -> None:
    home = tmp_path / "h"
    svc = open_service(home, None)
    exports = tmp_path / "exports"
    (exports / "pdf").mkdir(parents=True)
    (exports / "pdf" / "F9.pdf").write_bytes(b"%PDF-1.4 facture F9")
    csv = exports / "factures.csv"
    csv.write_text(
        "N° facture;Code client;Raison sociale;Email;Date facture;Date d'échéance;"
        "Montant TTC;PDF\n"
        "F9;C9;Neuf SARL;neuf@example.com;15/10/2026;19/11/2026;1 200,00;pdf/F9.pdf\n",
        encoding="utf-8",
    )
    svc.import_file("invoices", csv)
    invoice = svc.store.query_one("SELECT pdf_path FROM invoices WHERE number = 'F9'")
    assert invoice is not None and invoice["pdf_path"] == str(exports / "pdf" / "F9.pdf")
    (draft_id,) = svc.draft(AS_OF, offline=True).created
    svc.approve([draft_id], on=AS_OF)
    assert svc.send().sent == [draft_id]
    msg = email.message_from_bytes(
        (home / "outbox" / f"draft-{draft_id}.eml").read_bytes(), policy=default
    )
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "F9.pdf"
    assert attachment.get_content() == b"%PDF-1.4 facture F9"


def test_a_template_with_an_html_block_sends_an_escaped_html_alternative(tmp_path: Path) -> None:
    home = tmp_path / "h"
    svc = open_service(home, None)
    shipped = svc.read_policy("templates/fr/reminder_1.j2")
    html = (
        "{% block html %}<html><body><h1>{{ company_name }}</h1>{{ body_html }}"
        "<footer>{{ subject }}</footer></body></html>{% endblock %}"
    )
    svc.validate_policy("templates/fr/reminder_1.j2", shipped + html)  # accepted
    with pytest.raises(PolicyError):  # an unknown variable in the HTML part is refused
        svc.validate_policy("templates/fr/reminder_1.j2", shipped + html.replace("subject", "x"))
    svc.save_policy("templates/fr/reminder_1.j2", shipped + html)  # the file, or the row
    add_customer(svc.store, "C1")
    add_invoice(svc.store, "F1", AS_OF - timedelta(days=5))
    (draft_id,) = svc.draft(AS_OF, offline=True).created
    body = svc.get_draft(draft_id).body + "\n\nP.S. <script>alert(1)</script> & merci"
    svc.edit_draft(draft_id, body)
    svc.approve([draft_id], on=AS_OF)
    assert svc.send().sent == [draft_id]
    msg = email.message_from_bytes(
        (home / "outbox" / f"draft-{draft_id}.eml").read_bytes(), policy=default
    )
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    rich = msg.get_body(("html",)).get_content()
    assert "<script>alert(1)</script>" in plain
    assert "&lt;script&gt;" in rich and "<script>" not in rich and "&amp; merci" in rich
    assert "<h1>" in rich and "<p>" in rich
