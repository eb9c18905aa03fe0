"""The send loop run directly (`Sender.run` and the steps it calls): what a delivery records,
what fails one draft only, the retries, the claim on the version read, and the attachments."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from assistant.delivery.message import BuildError, message_id
from assistant.delivery.transports import SetupError, TransientError
from assistant.errors import PolicyError
from assistant.models import InvoiceStatus
from assistant.money import Money
from assistant.reasons import Code, Reason, render
from assistant.rules.holds import Hold, Holds
from assistant.service import Service
from assistant.storage import balances, drafts_repo
from assistant.team import DIGEST_STEP
from tests.conftest import FIXED_NOW
from tests.unit.rules_builders import add_customer, add_invoice, mark
from tests.unit.test_rules_engine import promise

AS_OF = date(2026, 11, 24)


def email_and_sms(service: Service) -> dict[str, int]:
    """Approved reminder_2 of C1 (F1), by e-mail and by SMS: {channel: draft id}."""
    add_customer(service.store, "C1", phone="+33600000000", sms_opt_in=True)
    add_invoice(service.store, "F1", AS_OF - timedelta(days=12))
    mark(service.store, ["F1"], "reminder_1", AS_OF - timedelta(days=6))
    ids = service.draft(AS_OF, offline=True).created
    by_channel = {service.get_draft(i).channel: i for i in ids}
    service.approve([by_channel["email"], by_channel["sms"]], on=AS_OF)
    return by_channel


def reminder(service: Service, cid: str, number: str) -> int:
    """One approved reminder_1 of `cid` for invoice `number`."""
    add_customer(service.store, cid)
    add_invoice(service.store, number, AS_OF - timedelta(days=5), cid=cid)
    (draft_id,) = service.draft(AS_OF, offline=True).created
    service.approve([draft_id], on=AS_OF)
    return draft_id


def sent_event(service: Service, kind: str, draft_id: int) -> dict[str, object]:
    (event,) = [e for e in service.store.events(kinds=(kind,)) if e["draft_id"] == draft_id]
    return event


def test_each_message_sent_records_what_left_and_where_for_the_timeline(
    service: Service,
) -> None:
    ids = email_and_sms(service)
    sender = service.sender(backoff_s=0)
    report = sender.run()
    assert sorted(report.sent) == sorted(ids.values()) and report.failed == []
    mail, sms = service.get_draft(ids["email"]), service.get_draft(ids["sms"])
    for view in (mail, sms):
        assert view.status == "sent" and view.sent_at == FIXED_NOW.isoformat()
        assert view.error is None  # sent cleanly: no error note
    # the e-mail's Message-ID is stored (replies and a stuck draft's settling read it)
    assert drafts_repo.message_id(service.store, mail.id) == message_id(mail, sender.sender)
    event = sent_event(service, "message.sent", mail.id)
    assert event["on_date"] == AS_OF.isoformat()
    assert event["data"] == {
        "channel": "email", "step": "reminder_2", "recipient": "c1@example.com", "cc": [],
        "subject": mail.subject, "message_id": message_id(mail, sender.sender),
        "invoices": ["F1"], "error": None,
    }  # fmt: skip
    # an SMS has no Message-ID: none stored, none in its event
    assert drafts_repo.message_id(service.store, sms.id) is None
    assert sent_event(service, "message.sent", sms.id)["data"] == {
        "channel": "sms", "step": "reminder_2", "recipient": "+33600000000", "cc": [],
        "subject": "", "message_id": None, "invoices": ["F1"], "error": None,
    }  # fmt: skip
    (line,) = (service.home / "sms-outbox" / "outbox.jsonl").read_text().splitlines()
    assert json.loads(line) == {"to": "+33600000000", "text": sms.body, "ref": f"draft-{sms.id}"}


def test_a_message_that_cannot_be_built_fails_alone_with_the_reason(
    service: Service, tmp_path: Path
) -> None:
    first = reminder(service, "C1", "F1")
    second = reminder(service, "C2", "F2")
    gone = tmp_path / "F1.pdf"  # imported with the invoice, removed since
    service.store.conn.execute("UPDATE invoices SET pdf_path = ? WHERE number = 'F1'", (str(gone),))
    report = service.sender(backoff_s=0).run()
    assert report.failed == [first] and report.sent == [second]
    failed = service.get_draft(first)
    words = f"pièce jointe refusée : {gone} : fichier introuvable"
    assert failed.status == "failed" and render(failed.error) == words
    event = sent_event(service, "message.failed", first)
    assert event["data"]["error"] == words and event["data"]["channel"] == "email"
    steps = service.store.query("SELECT * FROM invoice_steps WHERE invoice_number = 'F1'")
    assert steps == []  # the step is open again: the next plan proposes it


class Failing:
    """A server that refuses every message with `error`, counting the tries."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.tries = 0

    def send(self, msg: EmailMessage) -> str | None:
        self.tries += 1
        raise self.error

    def close(self) -> None:
        pass


def test_a_transient_error_is_tried_retries_plus_one_times_then_left_approved(
    service: Service,
) -> None:
    draft_id = reminder(service, "C1", "F1")
    sender = service.sender(backoff_s=1)
    sleeps: list[float] = []
    sender.sleep, sender.email = sleeps.append, Failing(TransientError("451 réessayez plus tard"))
    report = sender.run()
    assert report.deferred == [draft_id] and report.sent == report.failed == []
    assert sender.email.tries == 4 and sleeps == [1, 2, 4]  # retries = 3, backoff x2
    attempts = service.store.scalar("SELECT attempts FROM drafts WHERE id = ?", (draft_id,))
    assert attempts == 4  # every try is counted on the draft
    view = service.get_draft(draft_id)
    assert view.status == "approved" and "451 réessayez plus tard" in render(view.error)
    assert sent_event(service, "message.deferred", draft_id)["data"] == {
        "error": "451 réessayez plus tard"
    }


def test_a_draft_changed_after_the_batch_read_it_is_not_sent_with_the_old_text(
    service: Service,
) -> None:
    draft_id = reminder(service, "C1", "F1")
    new_body = service.get_draft(draft_id).body + "\n\nP.S. Le nouveau texte."

    def edit_meanwhile(i: int, total: int) -> None:  # a person, while the batch runs
        if i == 0 and total == 1:
            service.unapprove([draft_id])
            service.edit_draft(draft_id, new_body)
            service.approve([draft_id], on=AS_OF)

    sender = service.sender(backoff_s=0)
    report = sender.run(progress=edit_meanwhile)
    assert report.sent == [] and service.get_draft(draft_id).status == "approved"
    assert not (service.home / "outbox" / f"draft-{draft_id}.eml").exists()
    assert service.sender(backoff_s=0).run().sent == [draft_id]  # the next run: the new text
    eml = (service.home / "outbox" / f"draft-{draft_id}.eml").read_bytes()
    assert "Le nouveau texte." in message_from_bytes(eml, policy=default).get_body().get_content()


def test_the_draft_being_sent_is_held_by_its_id_then_released(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft_id = reminder(service, "C1", "F1")
    held: list[int] = []
    released: list[int] = []
    monkeypatch.setattr(service.store, "hold_sending", held.append)
    monkeypatch.setattr(service.store, "release_sending", released.append)
    assert service.sender(backoff_s=0).run().sent == [draft_id]
    assert held == [draft_id] and released == [draft_id]


# -- attachments and the HTML part --------------------------------------------------------
def test_attachments_are_the_invoice_pdfs_inside_the_attachments_folder(
    service: Service, tmp_path: Path
) -> None:
    draft_id = reminder(service, "C1", "F1")
    add_invoice(service.store, "F2", AS_OF - timedelta(days=5))
    folder = tmp_path / "pdf"
    folder.mkdir()
    (folder / "F2.pdf").write_bytes(b"%PDF-1.4 facture F2")
    service.store.conn.execute(
        "UPDATE invoices SET pdf_path = ? WHERE number = 'F2'", (str(folder / "F2.pdf"),)
    )
    sender = service.sender(backoff_s=0)
    sender.attachments_root = folder
    draft = replace(service.get_draft(draft_id), invoices=["F1", "F2"])  # F1 has no PDF
    assert sender._attachments(draft) == [("F2.pdf", b"%PDF-1.4 facture F2")]
    sender.attachments_root = tmp_path / "elsewhere"  # RELANCE_ATTACHMENTS_DIR set elsewhere
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(BuildError, match="pièce jointe refusée"):
        sender._attachments(draft)


def notice_to_email(service: Service) -> tuple[int, Path]:
    """An approved formal notice of C2 (F2), to be e-mailed: (draft id, its PDF)."""
    add_customer(service.store, "C2", address_line1="1 rue X", postal_code="69001", city="Lyon")
    add_invoice(service.store, "F2", AS_OF - timedelta(days=60), cid="C2")
    made = service.create_notice("C2", AS_OF)
    service.approve([made.draft_id], on=AS_OF)
    return made.draft_id, Path(made.pdf_path)


def test_a_formal_notice_sends_its_own_pdf_first(service: Service) -> None:
    draft_id, pdf = notice_to_email(service)
    sender = service.sender(backoff_s=0)
    draft = service.get_draft(draft_id)
    assert draft.channel == "letter" and draft.recipient == "c2@example.com"
    assert sender._attachments(draft) == [(pdf.name, pdf.read_bytes())]


def test_a_formal_notice_whose_pdf_is_gone_fails_alone_and_the_batch_goes_on(
    service: Service,
) -> None:
    other = reminder(service, "C3", "F3")
    draft_id, pdf = notice_to_email(service)
    pdf.unlink()
    report = service.sender(backoff_s=0).run()
    assert report.failed == [draft_id] and report.sent == [other]
    failed = service.get_draft(draft_id)
    assert failed.status == "failed" and render(failed.error) == "PDF de la lettre introuvable"


class BrokenHtml:
    def render_html(self, name: str, body: str, context: dict[str, object]) -> str | None:
        raise PolicyError("fr/reminder_1.j2 (html): 'x' is undefined")


def test_the_html_part_gets_the_subject_company_language_and_body(service: Service) -> None:
    shipped = service.read_policy("templates/fr/reminder_1.j2")
    html = (
        '{% block html %}<html lang="{{ language }}"><h1>{{ company_name }}</h1>{{ body_html }}'
        "<footer>{{ subject }}</footer></html>{% endblock %}"
    )
    service.save_policy("templates/fr/reminder_1.j2", shipped + html)
    draft = service.get_draft(reminder(service, "C1", "F1"))
    sender = service.sender(backoff_s=0)
    rich = sender._html(draft)
    assert rich is not None and rich.startswith('<html lang="fr"><h1>')
    assert f"<h1>{sender.sender_name}</h1>" in rich
    assert f"<footer>{draft.subject}</footer>" in rich
    assert draft.body.splitlines()[0] in rich
    sender.templates = BrokenHtml()  # type: ignore[assignment]
    with pytest.raises(BuildError) as refused:
        sender._html(draft)
    assert str(refused.value) == "fr/reminder_1.j2 (html): 'x' is undefined"
    sender.templates = None  # no template store: no HTML part
    assert sender._html(draft) is None


@pytest.mark.parametrize(
    "error",
    [
        SetupError("535 authentification refusée"),
        TransientError("421 service indisponible", server_wide=True),
    ],
)
def test_a_batch_stopped_by_the_server_leaves_the_draft_approved_with_its_words(
    service: Service, error: Exception
) -> None:
    draft_id = reminder(service, "C1", "F1")
    sender = service.sender(backoff_s=0)
    sender.email = Failing(error)
    report = sender.run()
    assert report.deferred == [draft_id] and report.error == str(error)
    view = service.get_draft(draft_id)
    assert view.status == "approved" and str(error) in render(view.error)
    assert sent_event(service, "message.deferred", draft_id)["data"] == {"error": str(error)}


# -- the re-check right before sending, step by step -----------------------------------------
def test_an_sms_without_a_usable_number_cannot_be_built(service: Service) -> None:
    sms = service.get_draft(email_and_sms(service)["sms"])
    sender = service.sender(backoff_s=0)
    assert sender._build(sms) is None  # an SMS has no e-mail to build
    for number in (None, "  ", "+33 6\n00 00 00 00"):
        with pytest.raises(BuildError, match="numéro de téléphone invalide"):
            sender._build(replace(sms, recipient=number))


def bounced(address: str) -> Hold:
    return Hold("bounce", "C9", Reason.of(Code.DELIVERY, e="550"), address=address)


def test_a_digest_is_stopped_by_a_bounced_address_only(service: Service) -> None:
    draft = replace(
        service.get_draft(reminder(service, "C1", "F1")),
        step=DIGEST_STEP, recipient="Chef@acme.example", invoices=[],
    )  # fmt: skip
    sender = service.sender(backoff_s=0)
    holds = Holds()
    for cid in ("C1", "XXXX"):  # customers' holds (any id) are not about a digest
        holds.add(Hold("do_not_contact", cid, Reason.of(Code.DO_NOT_CONTACT)))
    assert sender._blocked(draft, {}, holds) is None
    holds.add(bounced("chef@acme.example"))
    assert sender._blocked(draft, {}, holds) == Reason.of(Code.DELIVERY, e="550")


def test_the_recheck_names_the_invoice_removed_paid_or_disputed(service: Service) -> None:
    draft = service.get_draft(reminder(service, "C1", "F1"))
    sender = service.sender(backoff_s=0)
    assert sender._blocked(draft, {}, Holds()) is None
    gone = replace(draft, invoices=["F404"])
    assert sender._blocked(gone, {}, Holds()) == Reason.of(Code.INVOICE_REMOVED, n="F404")
    add_invoice(service.store, "F2", AS_OF, outstanding=1)  # one cent left: still owed
    add_invoice(service.store, "F3", AS_OF, outstanding=0)
    add_invoice(service.store, "F4", AS_OF, status=InvoiceStatus.DISPUTED)
    assert sender._blocked(replace(draft, invoices=["F2"]), {}, Holds()) is None
    assert sender._blocked(replace(draft, invoices=["F3"]), {}, Holds()) == Reason.of(
        Code.INVOICE_NOW, n="F3", s_status="paid"
    )
    assert sender._blocked(replace(draft, invoices=["F4"]), {}, Holds()) == Reason.of(
        Code.INVOICE_NOW, n="F4", s_status="disputed"
    )
    add_invoice(service.store, "F5", AS_OF, status=InvoiceStatus.DISPUTED, outstanding=1)
    assert sender._blocked(replace(draft, invoices=["F5"]), {}, Holds()) == Reason.of(
        Code.INVOICE_NOW,
        n="F5",
        s_status="disputed",  # a cent still owed: disputed, not paid
    )


def test_the_recheck_names_the_invoice_whose_amount_changed_since_drafting(
    service: Service,
) -> None:
    draft = service.get_draft(reminder(service, "C1", "F1"))
    service.store.conn.execute("UPDATE invoices SET outstanding_cents = 60000 WHERE number = 'F1'")
    assert service.sender(backoff_s=0)._blocked(draft, {}, Holds()) == Reason.of(
        Code.OUTSTANDING_CHANGED, n="F1"
    )


def test_a_note_to_a_colleague_is_not_stopped_by_what_stops_writing_to_the_customer(
    service: Service,
) -> None:
    draft = service.get_draft(reminder(service, "C1", "F1"))
    note = replace(draft, channel="internal")
    sender = service.sender(backoff_s=0)
    credit(service, "C1", 150_000, AS_OF)  # more than the draft asks
    assert sender._blocked(note, {}, Holds()) is None
    assert sender._blocked(draft, {}, Holds()) == sender._new_credit(draft)
    service.store.conn.execute("DELETE FROM customer_credits")
    service.store.conn.execute("UPDATE customers SET do_not_contact = 1 WHERE id = 'C1'")
    assert sender._blocked(note, {}, Holds()) is None
    assert sender._blocked(draft, {}, Holds()) == Reason.of(Code.DO_NOT_CONTACT)


def credit(service: Service, cid: str, cents: int, on: date, currency: str = "EUR") -> None:
    source = f"test-{cid}-{on}-{currency}"
    stored = balances.StoredCredit(cid, source, f"{cid}{on}", on, Money(cents, currency))
    with service.store.transaction():
        balances.replace_credits(service.store, source, [cid], [stored])


def test_only_a_credit_of_the_customer_in_force_in_its_currency_can_cancel(
    service: Service,
) -> None:
    draft = service.get_draft(reminder(service, "C1", "F1"))  # asks 1 000,00 EUR
    sender = service.sender(backoff_s=0)
    add_customer(service.store, "C2")
    credit(service, "C2", 50_000, AS_OF)  # another customer's
    credit(service, "C1", 50_000, AS_OF + timedelta(days=1))  # not yet
    credit(service, "C1", 50_000, AS_OF, currency="USD")  # another currency
    assert sender._new_credit(draft) is None
    credit(service, "C1", 1, AS_OF)  # a cent, today: the draft asks too much
    assert sender._new_credit(draft) == Reason.of(
        Code.CREDIT_EXCEEDS, c_cents=1, t_cents=100_000, currency="EUR"
    )


def test_a_credit_known_when_drafting_does_not_cancel_the_draft_that_deducts_it(
    service: Service,
) -> None:
    add_customer(service.store, "C1")
    add_invoice(service.store, "F1", AS_OF - timedelta(days=5))
    credit(service, "C1", 30_000, AS_OF - timedelta(days=10))
    (draft_id,) = service.draft(AS_OF, offline=True).created
    draft = service.get_draft(draft_id)
    assert draft.total_cents == 70_000  # 1 000,00 less the credit
    sender = service.sender(backoff_s=0)
    assert sender._new_credit(draft) is None
    assert sender._new_credit(replace(draft, total_cents=1)) is None  # 1 <= 70 000 - 30 000
    credit(service, "C1", 100_000, AS_OF)  # now more than owed: even one cent is too much
    assert sender._new_credit(replace(draft, total_cents=1)) is not None


def test_the_minimum_gap_counts_the_messages_of_this_customer_only(service: Service) -> None:
    first = reminder(service, "C1", "F1")
    assert service.sender(backoff_s=0).run().sent == [first]
    # C2's next step, the same day: another customer's message does not hold it
    second = replace(service.get_draft(reminder(service, "C2", "F2")), step="reminder_2")
    sender = service.sender(backoff_s=0)
    sender.min_gap_days = 5
    paced = sender._pace(second, [])
    assert paced.hold is None and paced.cancel is None
    own = sender._pace(replace(second, customer_id="C1"), [])
    assert own.hold is not None  # C1 had one today: the gap holds its next


def test_a_bounced_address_stops_an_email_but_never_cancels_a_formal_notice(
    service: Service,
) -> None:
    # A formal notice is a letter: it is posted whatever happens to its e-mailed copy, and
    # cancelling it would drop the letter. The e-mail reminder to the same address is stopped.
    email_id = reminder(service, "C3", "F3")
    draft_id, _ = notice_to_email(service)
    notice = service.get_draft(draft_id)
    email = replace(service.get_draft(email_id), recipient=notice.recipient)
    holds = Holds()
    holds.add(bounced(notice.recipient.upper()))
    sender = service.sender(backoff_s=0)
    assert sender._blocked(notice, {}, holds) is None
    assert sender._blocked(email, {}, holds) == Reason.of(Code.DELIVERY, e="550")


def test_the_report_says_where_the_messages_went(service: Service) -> None:
    sender = service.sender(backoff_s=0)
    report = sender.run()
    assert report.destination == sender.destination()
    assert report.destination.startswith("fichiers .eml dans ")
    assert "(aucun serveur SMTP configuré)" in report.destination
    sender.email = Failing(TransientError("451"))  # any other transport: named by its class
    assert sender.destination().startswith("Failing")


def test_a_draft_another_live_process_is_sending_is_not_reported_stuck(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = reminder(service, "C1", "F1"), reminder(service, "C2", "F2")
    service.store.conn.execute("UPDATE drafts SET status = 'sending'")
    monkeypatch.setattr(service.store, "sent_elsewhere", lambda draft_id: draft_id == first)
    report = service.sender(backoff_s=0).run(dry_run=True)
    assert report.stuck == [second]


def test_a_large_batch_rechecks_the_promises_of_every_customer(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.delivery import send

    promised, other = reminder(service, "C1", "F1"), reminder(service, "C2", "F2")
    promise(service.store, "F1", AS_OF, AS_OF + timedelta(days=7))  # open until after today
    monkeypatch.setattr(send, "SCOPED_RECHECK_MAX", 1)  # two customers: read everything
    report = service.sender(backoff_s=0).run()
    assert (report.cancelled, report.sent) == ([promised], [other])


def test_a_formal_notice_to_post_only_is_left_for_the_post(service: Service) -> None:
    from tests.support.pg_neutral import put_policy

    put_policy(service.home, "statutory.yaml", "notice:\n  send_by_email: false\n")
    draft_id, _ = notice_to_email(service)
    assert not service.get_draft(draft_id).recipient
    add_customer(service.store, "C3")  # a reminder approved after it still leaves
    add_invoice(service.store, "F3", AS_OF - timedelta(days=5), cid="C3")
    created = service.draft(AS_OF, offline=True).created
    later = [i for i in created if service.get_draft(i).customer_id == "C3"]
    service.approve(later, on=AS_OF)
    report = service.sender(backoff_s=0).run()
    assert (report.sent, report.failed, report.cancelled) == (later, [], [])
    assert service.get_draft(draft_id).status == "approved"  # `relance notice ID --posted`


def twin(service: Service, draft_id: int, step: str | None = None) -> int:
    """An approved copy of a draft (same customer and invoices; same step unless `step`)."""
    conn = service.store.conn
    columns = [r[1] for r in conn.execute("PRAGMA table_info(drafts)") if r[1] != "id"]
    fixed = {"status": "'approved'", "message_id": "NULL", "step": f"'{step}'" if step else "step"}
    values = [fixed.get(c, c) for c in columns]
    cur = conn.execute(
        f"INSERT INTO drafts ({', '.join(columns)}) SELECT {', '.join(values)} FROM drafts"
        " WHERE id = ?",
        (draft_id,),
    )
    new = int(cur.lastrowid or 0)
    conn.execute(
        "INSERT INTO draft_invoices SELECT ?, invoice_number, outstanding_cents"
        " FROM draft_invoices WHERE draft_id = ?",
        (new, draft_id),
    )
    return new


def test_a_batch_cancels_a_duplicate_holds_the_next_step_and_goes_on(service: Service) -> None:
    first = reminder(service, "C1", "F1")
    assert service.sender(backoff_s=0).run().sent == [first]
    duplicate = twin(service, first)  # the same step for the same invoice: never twice
    nearer = twin(service, first, step="reminder_2")
    other = reminder(service, "C2", "F2")
    calls: list[tuple[int, int]] = []
    sender = service.sender(backoff_s=0)
    sender.min_gap_days = 5
    report = sender.run(progress=lambda done, total: calls.append((done, total)))
    already = Reason.of(Code.ALREADY_SENT, s_step="reminder_1", d=AS_OF.isoformat(), n="F1")
    gap = Reason.of(Code.PACING_GAP, d=AS_OF.isoformat(), n=(AS_OF + timedelta(days=5)).isoformat())
    assert (report.cancelled, report.held, report.sent) == ([duplicate], [nearer], [other])
    assert report.reasons == {duplicate: already, nearer: gap}
    assert service.get_draft(duplicate).status == "cancelled"
    assert service.get_draft(nearer).status == "approved"  # for a later run
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_a_dry_run_paces_by_what_would_leave_not_by_what_is_cancelled(
    service: Service,
) -> None:
    first = reminder(service, "C1", "F1")
    add_invoice(service.store, "F9", AS_OF - timedelta(days=5))
    second = twin(service, first, step="reminder_2")  # another message to C1, about F9 only
    service.store.conn.execute(
        "UPDATE draft_invoices SET invoice_number = 'F9' WHERE draft_id = ?", (second,)
    )
    service.store.conn.execute(
        "UPDATE invoices SET outstanding_cents = 0, status = 'paid' WHERE number = 'F1'"
    )
    sender = service.sender(backoff_s=0)
    sender.min_gap_days = 5
    report = sender.run(dry_run=True)
    # the first would be cancelled (F1 paid): it does not hold the second by the minimum gap
    assert (report.cancelled, report.held, report.would_send) == ([first], [], [second])
    assert service.get_draft(first).status == "approved"  # a dry run changes nothing
