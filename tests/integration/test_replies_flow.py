"""Replies end to end: a reminder sent, the customer's answer fetched, the next reminder held,
the triage acting like a call; assignment, questions, bounces, retention and erasure."""

from __future__ import annotations

import json
import mailbox
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import UserError
from assistant.reasons import render
from assistant.replies.triage import TriageInput
from assistant.service import Service
from tests.conftest import run_cli, write_company
from tests.support.imap import Dovecot
from tests.support.mail import bounce, message
from tests.support.pg_neutral import another_database_url, stored_bytes
from tests.support.replies_world import EMAILS, customer_replies, sent_world
from tests.unit.rules_builders import add_customer, add_invoice

OURS = "compta@atelier.example"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def day(self, d: date, hour: int = 9) -> date:
        self.now = datetime(d.year, d.month, d.day, hour, tzinfo=UTC)
        return d


def reminded(home: Path, clock: Clock, **env: str) -> tuple[Service, str]:
    """FA-2026-0410 (due 2026-11-19): reminder_1 sent on 2026-11-24; returns its Message-ID."""
    write_company(home)  # real company facts: placeholders refuse every approval
    svc = Service.open(Settings(RELANCE_HOME=home, RELANCE_FROM=OURS, **env), clock=clock)  # type: ignore[arg-type]
    add_customer(svc.store, "C1")
    svc.store.conn.execute("UPDATE customers SET email = 'paul@client-un.example'")
    add_invoice(svc.store, "FA-2026-0410", date(2026, 11, 19), 125_000, cid="C1")
    day = clock.day(date(2026, 11, 24))
    svc.draft(day)
    svc.approve([d.id for d in svc.drafts("pending")], on=day)
    assert len(svc.send().sent) == 1
    mid = svc.store.scalar("SELECT message_id FROM drafts WHERE status = 'sent'")
    return svc, str(mid)


def paid_reply(mid: str) -> bytes:
    return message(
        sender="Paul Martin <paul@client-un.example>",
        body="Bonjour,\n\nnous avons réglé la facture FA-2026-0410 le 2 décembre.\n\nCordialement,"
        f"\nPaul\n\nLe mar. 24 nov. 2026 à 10:30, Atelier <{OURS}> a écrit :\n> Bonjour,\n",
        when=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
        message_id="<paid-1@client-un.example>",
        in_reply_to=mid,
    )


def test_end_to_end_a_reply_holds_the_next_reminder_and_paid_waits_like_a_call(
    tmp_path: Path,
    dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    folder = "e2e-paid"
    dovecot.empty(folder)
    env = {
        "RELANCE_IMAP_HOST": "127.0.0.1",
        "RELANCE_IMAP_PORT": str(dovecot.port),
        "RELANCE_IMAP_USER": "compta@atelier.example",
        "RELANCE_IMAP_PASSWORD": "imap-S3cret-9f2b",
        "RELANCE_IMAP_TLS": "none",
        "RELANCE_IMAP_FOLDER": folder,
    }
    clock = Clock(datetime(2026, 11, 24, 9, tzinfo=UTC))
    svc, mid = reminded(tmp_path / "h", clock, **env)
    # the next reminder is drafted and approved before the customer answers
    day = clock.day(date(2026, 12, 1))
    svc.draft(day)
    (second,) = [d.id for d in svc.drafts("pending")]
    svc.approve([second], on=day)
    assert svc.get_draft(second).step == "reminder_2"

    dovecot.deliver(paid_reply(mid), folder=folder)
    day = clock.day(date(2026, 12, 3))
    report = svc.fetch_replies()
    assert report.held == {"C1"}
    (reply,) = svc.replies()
    assert reply.match == "thread" and reply.text.startswith("Bonjour,\n\nnous avons réglé")
    # held: the plan lists a task for a person instead of the reminder ...
    plan = svc.plan(day)
    assert [(a.step, render(a.reason)) for a in plan.actions] == [
        ("reply_pending", "réponse du client du 2026-12-03 à traiter")
    ]
    # ... and the approved reminder is cancelled at send time with that reason
    sent = svc.send()
    assert sent.cancelled == [second] and sent.sent == []
    assert render(svc.get_draft(second).error) == "réponse du client du 2026-12-03 à traiter"

    # a person triages it as paid, on the day the customer says, from the command line
    svc.close()
    s = reply.suggestion
    assert s is not None and (s.outcome, s.date, s.invoice) == (
        "paid",
        date(2026, 12, 2),
        "FA-2026-0410",
    )
    out = run_cli(
        "triage",
        str(reply.id),
        "--outcome",
        "paid",
        "--date",
        "2026-12-02",
        "--as-of",
        "2026-12-03",
        home=tmp_path / "h",
    )
    assert out.returncode == 0, out.stderr
    assert "paiement annoncé" in out.stdout

    # the same customer, the same day, told on a call instead
    clock2 = Clock(datetime(2026, 11, 24, 9, tzinfo=UTC))
    with monkeypatch.context() as second:  # a second home: on PostgreSQL, a database of its own
        if other := another_database_url(request):
            second.setenv("RELANCE_DATABASE_URL", other)
        twin, _ = reminded(tmp_path / "twin", clock2)
    clock2.day(date(2026, 12, 3))
    twin.log_call("C1", "paid", on=date(2026, 12, 3), promised=date(2026, 12, 2))

    write_company(tmp_path / "h")
    svc = Service.open(Settings(RELANCE_HOME=tmp_path / "h"), clock=clock)
    assert svc.reply(reply.id).status == "triaged"
    waits = False
    for offset in range(0, 30):
        on = date(2026, 12, 3) + timedelta(days=offset)
        mine = [(a.step, a.invoices, a.requires_human) for a in svc.plan(on).actions]
        theirs = [(a.step, a.invoices, a.requires_human) for a in twin.plan(on).actions]
        assert mine == theirs, on
        waits = waits or not mine
    assert waits  # the engine waits for the funds ...
    assert [a.step for a in svc.plan(date(2026, 12, 31)).actions] == ["call"]  # ... then calls
    promise = svc.store.query_one("SELECT source, promised_date, made_on FROM promises")
    assert promise == {
        "source": "payment_claimed",
        "promised_date": "2026-12-03",
        "made_on": "2026-12-02",
    }
    history = [t.text for t in svc.factsheet("C1", date(2026, 12, 3)).timeline]
    assert "réponse du client (FA-2026-0410)" in history
    assert "réponse du client traitée : paiement annoncé" in history
    svc.close()
    twin.close()


def service(tmp_path: Path, clock: Clock | None = None) -> Service:
    clock = clock or Clock(datetime(2026, 11, 24, 15, tzinfo=UTC))
    svc, ids = sent_world(tmp_path / "h")
    svc.close()
    write_company(tmp_path / "h")
    svc = Service.open(Settings(RELANCE_HOME=tmp_path / "h", RELANCE_FROM=OURS), clock=clock)
    folder = tmp_path / "mail"
    folder.mkdir()
    for name, raw in customer_replies(ids).items():
        (folder / f"{name}.eml").write_bytes(raw)
    svc.import_replies(folder)
    return svc


def reply_from(svc: Service, address: str) -> int:
    return next(r.id for r in svc.replies() if r.from_address == address)


def test_replies_json_contract_and_triage_errors_are_one_line(tmp_path: Path) -> None:
    svc = service(tmp_path)
    svc.close()
    home = tmp_path / "h"
    out = run_cli("replies", "--json", "--status", "new", home=home)
    items = json.loads(out.stdout)
    assert {r["from"] for r in items} == {
        "sophie.durand@client-un.example",
        EMAILS["C2"],
        EMAILS["C5"],
        "jean@inconnu.example",
    }
    first = items[0]
    assert list(first)[:10] == [
        "id",
        "kind",
        "status",
        "customer_id",
        "draft_id",
        "received_at",
        "from",
        "subject",
        "text",
        "suggestion",
    ]
    assert list(first["suggestion"])[:4] == ["outcome", "date", "amount", "invoice"]
    recorded = json.loads(run_cli("replies", "--json", "--status", "recorded", home=home).stdout)
    assert {r["kind"] for r in recorded} == {"auto_reply", "bounce"}
    table = run_cli("replies", home=home)
    assert "à traiter" in table.stdout and "Client C2" in table.stdout
    for args, words in [
        (["triage", "999", "--outcome", "none"], "réponse inconnue : 999"),
        (["triage", str(first["id"]), "--outcome", "maybe"], "résultat inconnu : maybe"),
        (["triage", str(first["id"])], "--outcome ou --customer"),
        (["replies", "--status", "old"], "statut inconnu : old"),
        (["forget", "C404", "--yes"], "client inconnu : C404"),
    ]:
        bad = run_cli(*args, home=home)
        assert bad.returncode == 1 and words in bad.stderr, (args, bad.stderr)
        assert len(bad.stderr.strip().splitlines()) == 1


def test_an_unmatched_reply_is_assigned_then_triaged(tmp_path: Path) -> None:
    svc = service(tmp_path)
    rid = reply_from(svc, "jean@inconnu.example")
    with pytest.raises(UserError, match="aucun client"):
        svc.triage(rid, TriageInput("promise", date=date(2026, 12, 10)), on=date(2026, 11, 24))
    svc.triage(rid, TriageInput(None, customer_id="C3"), on=date(2026, 11, 24))
    reply = svc.reply(rid)
    assert (reply.customer_id, reply.match, reply.status) == ("C3", "person", "new")
    assert "C3" in {
        a.customer_id for a in svc.plan(date(2026, 11, 24)).actions if a.step == "reply_pending"
    }
    svc.triage(rid, TriageInput("promise", date=date(2026, 12, 10)), on=date(2026, 11, 24))
    assert svc.store.query_one("SELECT customer_id, source FROM promises") == {
        "customer_id": "C3",
        "source": "reply",
    }
    with pytest.raises(UserError, match="déjà traitée"):
        svc.triage(rid, TriageInput("none"), on=date(2026, 11, 24))


def test_dispute_and_plan_act_like_call_outcomes(tmp_path: Path) -> None:
    svc = service(tmp_path)
    on = date(2026, 11, 24)
    marie = reply_from(svc, EMAILS["C2"])
    svc.triage(marie, TriageInput("plan", instalments=3), on=on)
    plan = svc.store.query_one("SELECT customer_id, total_cents FROM payment_plans")
    assert plan == {"customer_id": "C2", "total_cents": 125_000}
    assert svc.store.scalar("SELECT COUNT(*) FROM instalments") == 3
    sophie = reply_from(svc, "sophie.durand@client-un.example")
    svc.triage(sophie, TriageInput("dispute", invoice="FA-2026-0410"), on=on)
    assert svc.invoice("FA-2026-0410").status == "disputed"
    reason = svc.store.events(kinds=("dispute.opened",))[0]["data"]["reason"]
    assert reason == f"contestation par e-mail (réponse n° {sophie})"
    triaged = svc.reply(sophie)
    assert triaged.triage is not None and triaged.triage["suggested"] == "paid"
    assert triaged.triage["confirmed"] is False  # corrected, and the correction is recorded


def test_a_question_holds_until_someone_answers_it(tmp_path: Path) -> None:
    svc = service(tmp_path)
    on = date(2026, 11, 24)
    john = reply_from(svc, EMAILS["C5"])
    svc.triage(john, TriageInput("question", note="wants a copy"), on=on)
    tasks = [(a.customer_id, a.step) for a in svc.plan(on).actions if a.customer_id == "C5"]
    assert tasks == [("C5", "reply_question")]
    svc.triage(john, TriageInput("none", note="copy sent"), on=on)
    assert [a for a in svc.plan(on).actions if a.customer_id == "C5"] == []
    assert svc.reply(john).triage["previous"]["outcome"] == "question"  # type: ignore[index]


def test_a_bounce_stops_every_message_to_that_address_until_the_contact_is_fixed(
    tmp_path: Path,
) -> None:
    clock = Clock(datetime(2026, 11, 24, 15, tzinfo=UTC))
    svc = service(tmp_path, clock)
    on = date(2026, 11, 24)
    bad = EMAILS["C4"]
    # another customer shares the address: its approved draft is cancelled at send time
    add_customer(svc.store, "C6")
    svc.store.conn.execute("UPDATE customers SET email = ? WHERE id = 'C6'", (bad,))
    add_invoice(svc.store, "FA-2026-0420", on - timedelta(days=5), 50_000, cid="C6")
    assert "C6" not in {a.customer_id for a in svc.plan(on).actions if a.channel == "email"}
    tasks = {a.customer_id: a.step for a in svc.plan(on).actions if a.channel == "task"}
    assert tasks["C4"] == tasks["C6"] == "invalid_address"
    svc.store.conn.execute("UPDATE customers SET email = 'new@client-six.example' WHERE id='C6'")
    svc.draft(on, offline=True)
    (c6,) = [d for d in svc.drafts("pending") if d.customer_id == "C6"]
    svc.approve([c6.id], on=on)
    svc.store.conn.execute("UPDATE drafts SET recipient = ? WHERE id = ?", (bad, c6.id))
    report = svc.send()
    assert report.cancelled == [c6.id]
    assert render(svc.get_draft(c6.id).error) == f"adresse e-mail invalide ({bad}) : aucun envoi"
    # the step of the bounced reminder was forgotten: it is proposed again once fixed
    bounced = next(d for d in svc.drafts() if d.customer_id == "C4")
    assert bounced.status == "bounced"
    assert not svc.store.query("SELECT 1 FROM invoice_steps WHERE draft_id = ?", (bounced.id,))
    # a corrected customers file lifts the hold
    fixed = tmp_path / "clients.csv"
    fixed.write_text(
        "Code client;Raison sociale;E-mail\nC4;Client C4;compta@client-quatre.example\n"
    )
    svc.import_file("customers", fixed)
    actions = [(a.customer_id, a.step) for a in svc.plan(on).actions if a.customer_id == "C4"]
    assert actions == [("C4", "reminder_1")]
    # or a person says the address works: the bounce triaged `none`
    svc.store.conn.execute("UPDATE customers SET email = ? WHERE id = 'C6'", (bad,))
    assert "C6" in {a.customer_id for a in svc.plan(on).actions if a.step == "invalid_address"}
    dsn = next(r.id for r in svc.replies() if r.kind == "bounce")
    with pytest.raises(UserError, match="seul --outcome none"):
        svc.triage(dsn, TriageInput("paid"), on=on)
    svc.triage(dsn, TriageInput("none"), on=on)
    assert "invalid_address" not in {a.step for a in svc.plan(on).actions}


def test_retention_erases_closed_cases_only_and_forget_erases_a_customer(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 24, 15, tzinfo=UTC))
    svc = service(tmp_path, clock)
    on = date(2026, 11, 24)
    sophie = reply_from(svc, "sophie.durand@client-un.example")
    svc.triage(sophie, TriageInput("none"), on=on)
    john = reply_from(svc, EMAILS["C5"])
    svc.triage(john, TriageInput("none"), on=on)
    # C1 pays everything: its case is closed; C5 still owes
    svc.store.conn.execute(
        "UPDATE invoices SET status = 'paid', outstanding_cents = 0 WHERE customer_id = 'C1'"
    )
    assert svc.purge_replies(on + timedelta(days=364)) == 0  # not yet a year
    erased = svc.purge_replies(on + timedelta(days=366))
    left = {r.from_address for r in svc.replies()}
    assert erased == 1 and "sophie.durand@client-un.example" not in left
    assert EMAILS["C5"] in left  # its case is open
    assert EMAILS["C2"] in left and "jean@inconnu.example" in left  # never triaged
    # forget: every message from C2, even one not linked to it, and what the model saw
    svc.store.conn.execute(
        "INSERT INTO llm_calls (created_at, purpose, customer_id, attempt, model, request,"
        " response, latency_ms, outcome, reply_id) VALUES ('x', 'reply', 'C2', 1, 'm',"
        " '[\"masked reply\"]', '{}', 1, 'accepted', ?)",
        (reply_from(svc, EMAILS["C2"]),),
    )
    # a contact of C2 (docs/team.md) wrote too: the person and their message go as well
    svc.set_contact("C2", "accounting", "jean@inconnu.example", name="Jean", phone="0601020304")
    events_before = len(svc.store.events(customer_id="C2"))
    svc.close()
    out = run_cli("forget", "C2", "--yes", home=tmp_path / "h")
    assert out.returncode == 0 and "2 message(s) et 1 contact(s) de C2 effacé(s)" in out.stdout
    write_company(tmp_path / "h")
    svc = Service.open(Settings(RELANCE_HOME=tmp_path / "h"), clock=clock)
    assert not {EMAILS["C2"], "jean@inconnu.example"} & {r.from_address for r in svc.replies()}
    assert svc.contacts("C2") == []
    row = svc.store.query_one("SELECT request, response FROM llm_calls WHERE customer_id='C2'")
    assert row == {"request": "[]", "response": None}
    assert svc.invoice("FA-2026-0411").outstanding_cents == 125_000  # accounting facts stay
    assert len(svc.store.events(customer_id="C2")) == events_before + 1  # + customer.forgotten
    kept = stored_bytes(tmp_path / "h")  # the database, its WAL (or every row): no trace
    assert b"en trois fois" not in kept and b"0601020304" not in kept


def test_import_reads_a_maildir_and_refuses_a_file_that_is_no_mail(tmp_path: Path) -> None:
    svc, ids = sent_world(tmp_path / "h")
    mails = customer_replies(ids)
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for raw in mails.values():
        box.add(raw)
    bad = tmp_path / "mixed"
    bad.mkdir()
    (bad / "a.eml").write_bytes(mails["threaded"])
    (bad / "z.eml").write_bytes(b"%PDF-1.7 not a message")
    with pytest.raises(UserError, match=r"z\.eml : pas un e-mail"):
        svc.import_replies(bad)
    assert svc.replies() == []  # all or nothing
    first = svc.import_replies(tmp_path / "Maildir")
    assert len(first.added) == 6
    # the bounce (received 24/11) undoes C4's sent reminder and marks the address invalid
    (bounced,) = svc.store.events(kinds=("message.bounced",))
    bounce_id = svc.store.scalar("SELECT id FROM replies WHERE kind = 'bounce'")
    draft_id = svc.store.scalar("SELECT id FROM drafts WHERE customer_id = 'C4'")
    assert (bounced["customer_id"], bounced["draft_id"], bounced["on_date"]) == (
        "C4",
        draft_id,
        "2026-11-24",
    )
    assert bounced["data"] == {"reply_id": bounce_id, "address": EMAILS["C4"]}
    assert svc.store.conn.execute(
        "SELECT address, reply_id, since, status FROM invalid_addresses"
    ).fetchall() == [(EMAILS["C4"], bounce_id, "2026-11-24", "5.1.1")]
    again = svc.import_replies(tmp_path / "Maildir")
    assert (again.read, len(again.added), again.duplicates) == (6, 0, 6)
    shutil.rmtree(bad)
    with pytest.raises(UserError, match="introuvable"):
        svc.import_replies(bad)


def test_a_reply_import_report_in_json(tmp_path: Path) -> None:
    svc, ids = sent_world(tmp_path / "h")
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for raw in customer_replies(ids).values():
        box.add(raw)
    first = svc.import_replies(tmp_path / "Maildir")
    # the six messages: 4 replies (one from nobody we know), an out-of-office, a bounce of C4's
    # address; the replies of known customers hold their reminders (not the automatic reply)
    assert first.as_json() == {
        "read": 6,
        "added": 6,
        "duplicates": 0,
        "reply_ids": first.added,
        "kinds": {"reply": 4, "auto_reply": 1, "bounce": 1},
        "unmatched": 1,
        "held": ["C1", "C2", "C5"],
        "invalid_addresses": [EMAILS["C4"]],
        "suggested_by_llm": 0,
        "llm_violations": 0,
        "purged": 0,
    }


def test_inbox_import_from_the_command_line_is_idempotent(tmp_path: Path) -> None:
    mail = tmp_path / "r.eml"
    mail.write_bytes(
        message(
            sender="Jean <jean@inconnu.example>",
            body="Bonjour, qui dois-je contacter ?",
            when=datetime(2026, 11, 24, 10, tzinfo=UTC),
            message_id="<cli-1@inconnu.example>",
        )
    )
    assert run_cli("init", home=tmp_path / "h").returncode == 0  # the CLI needs a home
    first = run_cli("inbox", "import", str(mail), "--json", home=tmp_path / "h")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) | {"reply_ids": None} == json.loads(first.stdout) | {
        "read": 1,
        "added": 1,
        "duplicates": 0,
        "unmatched": 1,
        "held": [],
        "reply_ids": None,
    }
    again = run_cli("inbox", "import", str(mail), home=tmp_path / "h")
    assert again.returncode == 0 and "1 message(s) lu(s) : 0 nouveau(x), 1 déjà connu(s)" in (
        again.stdout
    )
    missing = run_cli("inbox", "import", str(tmp_path / "nope"), home=tmp_path / "h")
    assert missing.returncode == 1 and "introuvable" in missing.stderr
    unset = run_cli("inbox", "fetch", home=tmp_path / "h")
    assert unset.returncode == 1 and "RELANCE_IMAP_HOST n'est pas défini" in unset.stderr


def test_a_bounce_read_days_later_is_recorded_on_its_own_day_by_who_imported_it(
    tmp_path: Path,
) -> None:
    svc, ids = sent_world(tmp_path / "h")
    # the bounce came back on 26/11; the inbox is read on 30/11, by someone other than "user"
    svc.store.clock = lambda: datetime(2026, 11, 30, 9, tzinfo=UTC)
    svc.actor = "camille.compta"
    late = bounce(
        failed=EMAILS["C4"],
        original_id=ids["C4"],
        when=datetime(2026, 11, 26, 12, tzinfo=UTC),
        message_id="<dsn-late@mx.atelier.example>",
    )
    (tmp_path / "late.eml").write_bytes(late)
    svc.import_replies(tmp_path / "late.eml")
    (event,) = svc.store.events(kinds=("message.bounced",))
    assert (event["on_date"], event["actor"]) == ("2026-11-26", "camille.compta")
    assert svc.store.conn.execute("SELECT since FROM invalid_addresses").fetchall() == [
        ("2026-11-26",)
    ]
