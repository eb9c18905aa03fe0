"""Delivery details against aiosmtpd on 127.0.0.1: SMTP reply classes (retry / fail / stop),
the re-check right before sending, recipients and headers, a real process killed mid-send."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, timedelta
from email.policy import default
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.delivery.transports import PermanentError
from assistant.errors import UserError
from assistant.models import Payment
from assistant.reasons import render
from assistant.service import Service
from assistant.storage import repo
from tests.conftest import FIXED_NOW, REPO_ROOT, run_cli, write_company
from tests.support.pg_neutral import database_env, put_policy
from tests.support.smtp import Inbox, free_port, smtp_server
from tests.unit.rules_builders import add_customer, add_invoice, mark

AS_OF = date(2026, 11, 24)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as served:
        yield served


def open_service(home: Path, port: int | None, **env: str) -> Service:
    settings: dict[str, object] = {"RELANCE_HOME": home} | env
    if port is not None:
        settings |= {"RELANCE_SMTP_HOST": "127.0.0.1", "RELANCE_SMTP_PORT": port}
        settings |= {"RELANCE_SMTP_TLS": "none"}
    write_company(home)
    return Service.open(Settings(**settings), clock=lambda: FIXED_NOW)  # type: ignore[arg-type]


def reminders(svc: Service, customers: int = 2, **fields: object) -> list[int]:
    """One approved reminder_1 per customer C1..Cn, in customer order."""
    for i in range(1, customers + 1):
        add_customer(svc.store, f"C{i}", **fields)
        add_invoice(svc.store, f"F{i}", AS_OF - timedelta(days=5), cid=f"C{i}", cents=100_000 + i)
    ids = sorted(svc.draft(AS_OF, offline=True).created)
    svc.approve(ids, on=AS_OF)
    return ids


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.mark.parametrize("code", ["450 4.2.1 boîte occupée", "451 4.3.0 erreur locale",
                                  "452 4.2.2 boîte pleine"])  # fmt: skip
def test_a_4xx_for_a_recipient_is_retried_with_backoff_then_left_for_next_run(
    code: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    first, second = reminders(svc)
    inbox.reject = {"c1@example.com": code}
    svc.actor = "marie"
    sender, sleeps = svc.sender(backoff_s=1.0), Sleeps()
    sender.sleep = sleeps
    report = sender.run()
    assert sleeps == [1.0, 2.0, 4.0]  # 3 retries, exponential backoff
    assert report.deferred == [first] and report.sent == [second] and report.error is None
    draft = svc.get_draft(first)
    assert draft.status == "approved" and code.split()[0] in render(draft.error)
    (event,) = svc.store.events(kinds=("message.deferred",))
    assert (event["actor"], event["customer_id"], event["draft_id"]) == ("marie", "C1", first)
    assert event["data"] == {"error": render(draft.error)}
    inbox.reject = {}
    assert svc.sender(backoff_s=0).run().sent == [first]
    assert [m["To"] for m in inbox.messages] == ["c2@example.com", "c1@example.com"]


@pytest.mark.parametrize("code", ["550 5.1.1 utilisateur inconnu", "553 5.1.3 adresse invalide",
                                  "554 5.7.1 relais refusé"])  # fmt: skip
def test_a_5xx_for_a_recipient_fails_the_draft_with_the_server_words(
    code: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    first, second = reminders(svc)
    inbox.reject = {"c1@example.com": code}
    svc.actor = "marie"
    sender, sleeps = svc.sender(backoff_s=1.0), Sleeps()
    sender.sleep = sleeps
    report = sender.run()
    assert sleeps == [] and report.failed == [first] and report.sent == [second]
    failed, sent = svc.store.events(kinds=("message.failed", "message.sent"))
    assert (failed["kind"], failed["draft_id"], sent["kind"], sent["draft_id"]) == (
        "message.failed", first, "message.sent", second
    )  # fmt: skip
    assert {e["actor"] for e in (failed, sent)} == {"marie"}
    assert {e["on_date"] for e in (failed, sent)} == {AS_OF.isoformat()}
    assert failed["data"]["error"] == f"c1@example.com: {code}" and sent["data"]["error"] is None
    assert svc.get_draft(first).status == "failed"
    assert render(svc.get_draft(first).error) == f"c1@example.com: {code}"
    # shown where a person looks: `relance drafts` and the JSON
    svc.close()
    listing = run_cli("drafts", "--status", "failed", home=tmp_path / "h")
    assert f"#{first} échec : c1@example.com: {code.split()[0]}" in listing.stdout
    assert "│ échec " in listing.stdout and "failed" not in listing.stdout  # status in words
    as_json = json.loads(run_cli("drafts", "--json", home=tmp_path / "h").stdout)
    assert next(d for d in as_json if d["id"] == first)["error"].endswith(code)


def test_a_421_stops_the_batch_the_rest_stays_approved(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    ids = reminders(svc, customers=3)
    inbox.reject = {"c1@example.com": "421 4.7.0 trop de connexions, réessayez plus tard"}
    sender, sleeps = svc.sender(backoff_s=1.0), Sleeps()
    sender.sleep = sleeps
    report = sender.run()
    assert sleeps == [1.0, 2.0, 4.0]  # one draft retried, not 3 x 7 seconds of waiting
    assert report.sent == [] and report.failed == [] and report.deferred == ids
    assert report.error is not None and "421" in report.error
    assert {svc.get_draft(i).status for i in ids} == {"approved"}
    not_tried = render(svc.get_draft(ids[2]).error)
    assert "pas tenté" in not_tried and "421 4.7.0 trop de connexions" in not_tried  # and why
    inbox.reject = {}
    assert svc.sender(backoff_s=0).run().sent == ids  # the next run sends them, once each
    assert len(inbox.messages) == 3


def test_connection_refused_is_transient_and_the_cli_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    home, port = tmp_path / "h", free_port()  # nothing listens there
    svc = open_service(home, port)
    ids = reminders(svc)
    sender, sleeps = svc.sender(backoff_s=1.0), Sleeps()
    sender.sleep = sleeps
    report = sender.run()
    assert sleeps == [1.0, 2.0, 4.0] and report.deferred == ids and report.failed == []
    assert report.error is not None and "ConnectionRefusedError" in report.error
    svc.close()
    env = {"RELANCE_SMTP_HOST": "127.0.0.1", "RELANCE_SMTP_PORT": str(port)}
    env |= {"RELANCE_SMTP_TLS": "none", "RELANCE_SEND_BACKOFF": "0"}
    result = run_cli("send", "--json", home=home, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("sent", "failed", "cancelled", "stuck")} == {
        "sent": 0,
        "failed": 0,
        "cancelled": 0,
        "stuck": [],
    }
    assert "ConnectionRefusedError" in data["error"]
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_refused_sender_address_stops_the_batch_without_failing_drafts(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port, RELANCE_FROM="relances@acme.example")
    ids = reminders(svc)
    inbox.mail_reply = "553 5.7.1 expéditeur non autorisé"
    report = svc.sender(backoff_s=0).run()
    assert report.failed == [] and report.deferred == ids
    assert report.error is not None and "RELANCE_FROM" in report.error and "553" in report.error


def test_content_refused_at_data_fails_the_draft(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    ids = reminders(svc)
    inbox.data_reply = "554 5.6.0 message refusé"
    report = svc.sender(backoff_s=0).run()
    assert report.failed == ids and "554 5.6.0 message refusé" in render(
        svc.get_draft(ids[0]).error
    )


def test_a_refused_cc_does_not_fail_a_message_the_customer_received(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    add_customer(svc.store, "C1", salesperson_email="parti@acme.example")
    add_invoice(svc.store, "F1", AS_OF - timedelta(days=12))
    mark(svc.store, ["F1"], "reminder_1", AS_OF - timedelta(days=6))
    (draft_id,) = [i for i in svc.draft(AS_OF, offline=True).created]
    assert svc.get_draft(draft_id).cc == ["parti@acme.example"]  # reminder_2: policy's Cc
    svc.approve([draft_id], on=AS_OF)
    inbox.reject = {"parti@acme.example": "550 5.1.1 utilisateur inconnu"}
    report = svc.sender(backoff_s=0).run()
    assert report.sent == [draft_id] and inbox.envelopes == [["c1@example.com"]]
    draft = svc.get_draft(draft_id)
    assert draft.status == "sent" and "parti@acme.example: 550" in render(draft.error)
    assert svc.plan(AS_OF).actions == []  # the step stays done: never sent twice


def test_several_addresses_of_a_customer_all_receive_it(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    csv = tmp_path / "clients.csv"
    csv.write_text(
        'Code client;Raison sociale;Email\nC1;Client Un;"compta@un.example; dg@un.example"\n',
        encoding="utf-8",
    )
    svc.import_file("customers", csv)
    add_invoice(svc.store, "F1", AS_OF - timedelta(days=5))
    (draft_id,) = svc.draft(AS_OF, offline=True).created
    svc.approve([draft_id], on=AS_OF)
    assert svc.sender(backoff_s=0).run().sent == [draft_id]
    (msg,) = inbox.messages
    assert [a.addr_spec for a in msg["To"].addresses] == ["compta@un.example", "dg@un.example"]
    assert inbox.envelopes == [["compta@un.example", "dg@un.example"]]


def test_headers_with_accents_are_encoded_and_reply_to_defaults_to_from(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    home = tmp_path / "h"
    svc = open_service(home, port)  # no RELANCE_FROM: the company's address is the sender
    company = svc.read_policy("company.yaml").replace(
        'name: "Atelier Test SARL"', 'name: "Société d\'Équipement Général, Lyon"'
    )
    put_policy(home, "company.yaml", company)
    add_customer(svc.store, "C1", name="Éditions Ça & Là")
    add_invoice(svc.store, "F1", AS_OF - timedelta(days=5))
    (draft_id,) = svc.draft(AS_OF, offline=True).created
    svc.edit_draft(draft_id, svc.get_draft(draft_id).body, subject="Échéance dépassée — F1")
    svc.approve([draft_id], on=AS_OF)
    assert svc.sender(backoff_s=0).run().sent == [draft_id]
    (msg,) = inbox.messages
    raw = msg.as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii()  # RFC 2047 encoded words, nothing raw on the wire
    (sender,) = msg["From"].addresses
    assert sender.display_name == "Société d'Équipement Général, Lyon"
    assert sender.addr_spec == "compta@atelier-test.example"
    assert msg["Reply-To"] == "compta@atelier-test.example"
    assert msg["Subject"] == "Échéance dépassée — F1"
    assert msg["Message-ID"].endswith("@atelier-test.example>")
    assert msg["Date"].datetime == FIXED_NOW


def test_reply_to_can_be_set_apart_from_the_sender(tmp_path: Path) -> None:
    home = tmp_path / "h"
    svc = open_service(
        home, None, RELANCE_FROM="relances@acme.example", RELANCE_REPLY_TO="compta@acme.example"
    )
    (draft_id,) = reminders(svc, customers=1)
    assert svc.send().sent == [draft_id]
    msg = email.message_from_bytes(
        (home / "outbox" / f"draft-{draft_id}.eml").read_bytes(), policy=default
    )
    assert msg["From"].addresses[0].addr_spec == "relances@acme.example"
    assert msg["Reply-To"] == "compta@acme.example"


# -- the re-check right before sending ---------------------------------------------------
def pay(svc: Service, number: str, cents: int) -> None:
    with svc.store.transaction():  # as a payments import does: no draft is touched
        payment = Payment(invoice_number=number, date=AS_OF, amount_cents=cents)
        repo.apply_payment(svc.store, payment, None, "import")


def promise_behind_the_service(svc: Service, number: str) -> None:
    with svc.store.transaction():
        repo.insert_promise(svc.store, "C1", number, AS_OF + timedelta(days=7), None, AS_OF,
                            source="import", note=None, actor="t")  # fmt: skip


def customer_promise(svc: Service, number: str) -> None:
    with svc.store.transaction():  # a promise for the customer's whole balance
        repo.insert_promise(svc.store, "C1", None, AS_OF + timedelta(days=7), None, AS_OF,
                            source="import", note=None, actor="t")  # fmt: skip


def dnc(svc: Service, number: str) -> None:
    svc.store.conn.execute("UPDATE customers SET do_not_contact = 1 WHERE id = 'C1'")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda svc, n: pay(svc, n, 100_001), "désormais payée"),  # statuses in words
        (lambda svc, n: pay(svc, n, 40_000), "reste dû a changé"),
        (promise_behind_the_service, "promesse de paiement"),
        (customer_promise, "promesse de paiement"),
        (dnc, "ne pas contacter"),
    ],
    ids=["paid", "partly-paid", "promise", "customer-promise", "do-not-contact"],
)
def test_a_change_after_approval_cancels_instead_of_sending(
    change: object, why: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    (draft_id,) = reminders(svc, customers=1)
    assert svc.send(dry_run=True).would_send == [draft_id]
    change(svc, "F1")  # type: ignore[operator]
    assert svc.send(dry_run=True).cancelled == [draft_id]  # the dry run says so too
    assert svc.get_draft(draft_id).status == "approved"
    svc.actor = "marie"  # who runs the send: the events say so
    report = svc.sender(backoff_s=0).run()
    assert report.cancelled == [draft_id] and inbox.messages == []
    draft = svc.get_draft(draft_id)
    assert draft.status == "cancelled" and why in render(draft.error)
    assert svc.store.query("SELECT * FROM invoice_steps WHERE draft_id = ?", (draft_id,)) == []
    (event,) = svc.store.events(kinds=("draft.cancelled",))
    assert (event["actor"], event["customer_id"], event["draft_id"]) == ("marie", "C1", draft_id)
    assert event["data"] == {"why": render(draft.error), "was": "approved", "at": "send"}


def test_a_broken_promise_of_the_past_does_not_hold_a_reminder(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = open_service(tmp_path / "h", port)
    (draft_id,) = reminders(svc, customers=1)
    with svc.store.transaction():  # promised for 10 days ago, nothing paid: broken
        promised, made = AS_OF - timedelta(days=10), AS_OF - timedelta(days=12)
        repo.insert_promise(
            svc.store, "C1", "F1", promised, None, made, source="import", note=None, actor="t"
        )
    assert svc.sender(backoff_s=0).run().sent == [draft_id] and len(inbox.messages) == 1


def test_a_newer_whole_balance_promise_wins_over_an_older_broken_invoice_promise(
    tmp_path: Path,
) -> None:
    svc = open_service(tmp_path / "h", None)
    (draft_id,) = reminders(svc, customers=1)
    with svc.store.transaction():  # behind the service's back, as an import would
        for number, made, promised in (
            ("F1", AS_OF - timedelta(days=12), AS_OF - timedelta(days=10)),  # broken
            (None, AS_OF - timedelta(days=2), AS_OF + timedelta(days=7)),  # the latest: open
        ):
            repo.insert_promise(
                svc.store, "C1", number, promised, None, made, source="call", note=None, actor="t"
            )
    plan = svc.plan(AS_OF)  # the planner holds it (no call for the broken one): the send agrees
    assert plan.actions == [] and [s.code for s in plan.skipped] == ["promise"]
    report = svc.sender(backoff_s=0).run()
    assert report.cancelled == [draft_id] and report.sent == []
    assert render(svc.get_draft(draft_id).error) == "promesse de paiement au 2026-12-01"


def test_a_promise_through_the_service_cancels_at_once(tmp_path: Path) -> None:
    svc = open_service(tmp_path / "h", None)
    (draft_id,) = reminders(svc, customers=1)
    svc.record_promise("F1", AS_OF + timedelta(days=7), made_on=AS_OF)
    assert svc.get_draft(draft_id).status == "cancelled"
    assert svc.send().sent == []


# -- SMS ------------------------------------------------------------------------------------
class RefusingSms:
    def send(self, to: str, text: str, ref: str) -> None:
        raise PermanentError("numéro non attribué")


def test_a_failed_sms_does_not_reopen_a_step_its_email_delivered(tmp_path: Path) -> None:
    home = tmp_path / "h"
    svc = open_service(home, None)
    add_customer(svc.store, "C1", phone="+33600000000", sms_opt_in=True)
    add_invoice(svc.store, "F1", AS_OF - timedelta(days=12))
    mark(svc.store, ["F1"], "reminder_1", AS_OF - timedelta(days=6))
    ids = svc.draft(AS_OF, offline=True).created
    by_channel = {svc.get_draft(i).channel: i for i in ids}
    svc.approve([by_channel["sms"], by_channel["email"]], on=AS_OF)  # the SMS owns the step
    sender = svc.sender(backoff_s=0)
    sender.sms = RefusingSms()
    report = sender.run()
    assert report.sent == [by_channel["email"]] and report.failed == [by_channel["sms"]]
    steps = svc.store.query("SELECT step, draft_id FROM invoice_steps WHERE invoice_number = 'F1'")
    assert {"step": "reminder_2", "draft_id": by_channel["email"]} in steps
    assert svc.plan(AS_OF).actions == []  # reminder_2 is not proposed (and e-mailed) again


# -- exactly once, with a real process killed -------------------------------------------------
KILLER = textwrap.dedent(
    """
    import os, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from assistant.config import Settings
    from assistant.service import Service

    svc = Service.open(Settings(), clock=lambda: datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    sender = svc.sender(backoff_s=0)
    inner = sender.email.send

    def send_then_die(msg):
        inner(msg)  # the server has it...
        os._exit(9)  # ...and the process dies before `sent` is written

    sender.email.send = send_then_die
    sender.run()
    """
)


def test_a_process_killed_after_delivery_never_sends_twice(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    home = tmp_path / "h"
    svc = open_service(home, port)
    first, second = reminders(svc)
    svc.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELANCE_")}
    env |= database_env()  # the home's database on PostgreSQL (nothing on SQLite)
    env |= {"PYTHONPATH": str(REPO_ROOT), "RELANCE_HOME": str(home)}
    env |= {"RELANCE_SMTP_HOST": "127.0.0.1", "RELANCE_SMTP_PORT": str(port)}
    env |= {"RELANCE_SMTP_TLS": "none"}
    killed = subprocess.run([sys.executable, "-c", KILLER], env=env, timeout=60, check=False)
    assert killed.returncode == 9 and len(inbox.messages) == 1
    # the rerun, as a user would: the first is stuck (not resent), the second goes
    rerun = run_cli("send", "--json", home=home, env=env)
    assert rerun.returncode == 0, rerun.stderr
    data = json.loads(rerun.stdout)
    assert (data["sent"], data["failed"], data["cancelled"], data["stuck"]) == (1, 0, 0, [first])
    assert [m["X-Relance-Draft"] for m in inbox.messages] == [str(first), str(second)]
    again = json.loads(run_cli("send", "--json", home=home, env=env).stdout)
    assert (again["sent"], again["stuck"]) == (0, [first]) and len(inbox.messages) == 2
    # a person checks the mailbox and settles it: it left
    settled = run_cli("stuck", str(first), "--sent", home=home, env=env)
    assert settled.returncode == 0 and "envoyé" in settled.stdout  # statuses in words
    final = json.loads(run_cli("send", "--json", home=home, env=env).stdout)
    assert final["stuck"] == [] and final["sent"] == 0 and len(inbox.messages) == 2


# -- the report -------------------------------------------------------------------------------
def test_the_send_report_json_and_its_summary_line() -> None:
    from assistant.delivery.send import SendReport

    report = SendReport(sent=[4, 5], failed=[6], cancelled=[7], deferred=[8], stuck=[9],
                        error="421 trop de connexions")  # fmt: skip
    data = report.as_json()
    assert list(data)[:4] == ["sent", "failed", "cancelled", "stuck"]  # DESIGN.md §5 first
    assert data == {
        "sent": 2, "failed": 1, "cancelled": 1, "stuck": [9], "deferred": 1,
        "sent_ids": [4, 5], "failed_ids": [6], "cancelled_ids": [7], "deferred_ids": [8],
        "would_send": [], "error": "421 trop de connexions",
        "held_ids": [], "renewed_ids": [], "destination": "",
    }  # fmt: skip
    counts = "Envoyés : 2 ; échecs : 1 ; annulés : 1 ; à réessayer : 1"
    assert report.summary() == counts + " — envoi interrompu : 421 trop de connexions"
    assert report.summary(with_error=False) == counts
    assert SendReport().summary() == "Envoyés : 0 ; échecs : 0 ; annulés : 0 ; à réessayer : 0"


# -- a draft stuck in `sending`, settled by a person ------------------------------------------
def stuck(svc: Service, draft_id: int, message_id: str = "<m1@relance>") -> None:
    svc.store.conn.execute(  # as a crash between `sending` and `sent` leaves it
        "UPDATE drafts SET status = 'sending', message_id = ? WHERE id = ?", (message_id, draft_id)
    )


def test_a_stuck_draft_that_left_is_settled_as_sent_once(tmp_path: Path) -> None:
    svc = open_service(tmp_path / "h", None)
    first, second = reminders(svc)
    stuck(svc, first)
    assert svc.send().stuck == [first]
    svc.actor = "marie"  # the person who checked the mailbox
    view = svc.resolve_stuck(first, was_sent=True)
    assert view.status == "sent" and view.sent_at == FIXED_NOW.isoformat()
    (event,) = svc.store.events(kinds=("message.sent",), customer_id="C1")
    assert event["draft_id"] == first and event["actor"] == "marie"
    assert event["data"] == {
        "resolved_stuck": True, "channel": "email", "step": "reminder_1",
        "recipient": "c1@example.com", "cc": [], "subject": view.subject,
        "message_id": "<m1@relance>", "invoices": ["F1"],
    }  # fmt: skip
    report = svc.send()
    assert report.stuck == [] and report.sent == [] and svc.get_draft(second).status == "sent"
    with pytest.raises(UserError, match=f"brouillon {first} : envoyé, pas « envoi en cours »"):
        svc.resolve_stuck(first, was_sent=False)


def test_a_draft_another_live_process_is_sending_is_not_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on PostgreSQL a live sender holds the draft's lock (sent_elsewhere); SQLite has no such
    # process, so the store is told which draft another process is sending right now
    svc = open_service(tmp_path / "h", None)
    first, second = reminders(svc)
    stuck(svc, first)
    stuck(svc, second)
    monkeypatch.setattr(svc.store, "sent_elsewhere", lambda draft_id: draft_id == first)
    with pytest.raises(UserError, match=f"brouillon {first} : en cours d'envoi par un autre"):
        svc.resolve_stuck(first, was_sent=True)
    assert svc.get_draft(first).status == "sending"
    assert svc.store.events(kinds=("message.sent",)) == []
    assert svc.resolve_stuck(second, was_sent=False).status == "approved"


def test_a_stuck_draft_that_did_not_leave_goes_back_to_approved_and_is_sent(
    tmp_path: Path,
) -> None:
    svc = open_service(tmp_path / "h", None)
    (draft_id,) = reminders(svc, customers=1)
    stuck(svc, draft_id)
    view = svc.resolve_stuck(draft_id, was_sent=False)
    assert view.status == "approved" and view.sent_at is None
    (event,) = svc.store.events(kinds=("draft.requeued",))
    assert event["draft_id"] == draft_id and event["data"]["resolved_stuck"] is True
    assert svc.store.events(kinds=("message.sent",)) == []
    assert svc.send().sent == [draft_id]
