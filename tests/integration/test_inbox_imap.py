"""`relance inbox fetch` against a real IMAP server (Dovecot on 127.0.0.1): linking, kinds,
holds, no message read twice, a process killed mid-fetch, TLS, and the password kept secret."""

from __future__ import annotations

import email
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.reasons import render
from assistant.service import Service
from tests.conftest import REPO_ROOT, run_cli
from tests.support.imap import PASSWORD, USER, Dovecot
from tests.support.mail import message
from tests.support.pg_neutral import database_env
from tests.support.replies_world import EMAILS, REPLY_AT, customer_replies, sent_world


def imap_env(server: Dovecot, folder: str, *, tls: str = "none") -> dict[str, str]:
    port = server.tls_port if tls == "ssl" else server.port
    return {
        "RELANCE_IMAP_HOST": "127.0.0.1",
        "RELANCE_IMAP_PORT": str(port),
        "RELANCE_IMAP_USER": USER,
        "RELANCE_IMAP_PASSWORD": PASSWORD,
        "RELANCE_IMAP_TLS": tls,
        "RELANCE_IMAP_FOLDER": folder,
    }


@pytest.fixture
def folder(dovecot: Dovecot, request: pytest.FixtureRequest) -> str:
    name = "t-" + "".join(c for c in request.node.name if c.isalnum())[-40:]
    dovecot.empty(name)
    return name


def test_fetch_links_each_kind_holds_the_right_customers_and_reads_nothing_twice(
    tmp_path: Path, dovecot: Dovecot, folder: str
) -> None:
    svc, ids = sent_world(tmp_path / "h", **imap_env(dovecot, folder))
    mails = customer_replies(ids)
    dovecot.deliver(*mails.values(), folder=folder)

    report = svc.fetch_replies()
    assert (report.read, len(report.added), report.duplicates) == (6, 6, 0)
    by_sender = {r.from_address: r for r in svc.replies()}
    threaded = by_sender["sophie.durand@client-un.example"]
    assert (threaded.kind, threaded.match, threaded.customer_id) == ("reply", "thread", "C1")
    assert threaded.draft_id == svc.store.scalar(
        "SELECT id FROM drafts WHERE message_id = ?", (ids["C1"],)
    )
    assert threaded.text == (
        "Bonjour,\n\nNous avons réglé la facture FA-2026-0410 le 20 novembre par virement."
    )  # the quote and the signature are cut
    assert threaded.suggestion is not None and threaded.suggestion.outcome == "paid"
    assert threaded.suggestion.invoice == "FA-2026-0410"
    assert threaded.suggestion.date is not None and threaded.suggestion.date.isoformat() == (
        "2026-11-20"
    )
    marie = by_sender[EMAILS["C2"]]
    assert (marie.kind, marie.match, marie.customer_id, marie.draft_id) == (
        "reply",
        "address",
        "C2",
        None,
    )
    assert marie.suggestion is not None and marie.suggestion.outcome == "plan"
    assert marie.suggestion.instalments == 3
    ooo = by_sender[EMAILS["C3"]]
    assert (ooo.kind, ooo.status, ooo.customer_id) == ("auto_reply", "recorded", "C3")
    assert ooo.return_on is not None and ooo.return_on.isoformat() == "2027-01-04"
    dsn = next(r for r in svc.replies() if r.kind == "bounce")
    assert (dsn.customer_id, dsn.bounced_address, dsn.bounce_status) == (
        "C4",
        EMAILS["C4"],
        "5.1.1",
    )
    english = by_sender[EMAILS["C5"]]
    assert english.text.startswith("Hello,\n\nWe paid invoice FA-2026-0414 last Monday")
    assert "wrote:" not in english.text and "Best regards" not in english.text
    assert english.suggestion is not None and english.suggestion.outcome == "paid"
    assert english.suggestion.date is not None and english.suggestion.date.isoformat() == (
        "2026-11-23"
    )
    unknown = by_sender["jean@inconnu.example"]
    assert (unknown.match, unknown.customer_id, unknown.status) == ("none", None, "new")

    # the plan: human replies hold their customer with a task; the out-of-office does not;
    # the bounce holds C4 with a task to fix the contact
    plan = svc.plan(REPLY_AT.date())
    tasks = {a.customer_id: a for a in plan.actions if a.channel == "task"}
    assert tasks["C1"].step == "reply_pending"
    assert render(tasks["C1"].reason) == "réponse du client du 2026-11-24 à traiter"
    assert tasks["C2"].step == tasks["C5"].step == "reply_pending"
    assert tasks["C4"].step == "invalid_address" and EMAILS["C4"] in render(tasks["C4"].reason)
    assert "C3" not in tasks
    # the bounced reminder reads `bounced` in drafts --json
    svc.close()
    out = run_cli("drafts", "--json", home=tmp_path / "h")
    drafts = {d["customer_id"]: d for d in json.loads(out.stdout)}
    assert drafts["C4"]["status"] == "bounced" and drafts["C1"]["status"] == "sent"

    # a second fetch: nothing new; a new message afterwards: only it
    again = run_cli("inbox", "fetch", "--json", home=tmp_path / "h", env=imap_env(dovecot, folder))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["added"] == 0 and json.loads(again.stdout)["read"] == 0
    dovecot.deliver(
        message(
            sender=f"Marie <{EMAILS['C2']}>",
            body="Finalement nous paierons le 15 décembre.",
            when=REPLY_AT,
            message_id="<m-7@client-deux.example>",
        ),
        folder=folder,
    )
    third = run_cli("inbox", "fetch", "--json", home=tmp_path / "h", env=imap_env(dovecot, folder))
    assert json.loads(third.stdout)["added"] == 1
    listed = json.loads(run_cli("replies", "--json", home=tmp_path / "h").stdout)
    assert len(listed) == 7 and len({r["id"] for r in listed}) == 7


KILLER = textwrap.dedent(
    """
    import os
    from datetime import UTC, datetime
    from assistant.config import Settings
    from assistant.service import Service
    from assistant.storage import replies_repo

    saved = replies_repo.save_mailbox_state
    count = [0]

    def save_then_die(store, mailbox, uidvalidity, uid):
        saved(store, mailbox, uidvalidity, uid)
        count[0] += 1
        if count[0] == 3:  # the third message is written, its transaction not committed
            os._exit(9)

    replies_repo.save_mailbox_state = save_then_die
    svc = Service.open(Settings(), clock=lambda: datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    svc.fetch_replies()
    """
)


def test_a_fetch_killed_midway_and_rerun_loses_and_duplicates_nothing(
    tmp_path: Path, dovecot: Dovecot, folder: str
) -> None:
    home = tmp_path / "h"
    svc, ids = sent_world(home)
    svc.close()
    mails = customer_replies(ids)
    dovecot.deliver(*mails.values(), folder=folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELANCE_", "OPENAI_"))}
    env |= {"PYTHONPATH": str(REPO_ROOT), "RELANCE_HOME": str(home)}
    env |= {"RELANCE_FROM": "compta@atelier.example", **imap_env(dovecot, folder), **database_env()}
    killed = subprocess.run([sys.executable, "-c", KILLER], env=env, timeout=120, check=False)
    assert killed.returncode == 9
    check = Service.open(Settings(RELANCE_HOME=home))
    assert len(check.replies()) == 2  # two committed; the third died with its transaction
    check.close()

    rerun = run_cli("inbox", "fetch", "--json", home=home, env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["added"] == 4
    svc = Service.open(Settings(RELANCE_HOME=home))
    keys = [r["dedupe_key"] for r in svc.store.query("SELECT dedupe_key FROM replies")]
    assert len(keys) == len(set(keys)) == 6
    expected = sorted(str(email.message_from_bytes(m)["Message-ID"]) for m in mails.values())
    assert sorted(keys) == expected
    assert len(svc.store.events(kinds=("customer.replied",))) == 6
    svc.close()


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_fetch_over_tls_with_a_company_ca(
    tmp_path: Path, dovecot: Dovecot, folder: str, tls: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_pem))
    svc, ids = sent_world(tmp_path / "h", **imap_env(dovecot, folder, tls=tls))
    dovecot.deliver(customer_replies(ids)["threaded"], folder=folder)
    assert len(svc.fetch_replies().added) == 1
    svc.close()


def test_tls_without_trusting_the_certificate_is_one_clear_line(
    tmp_path: Path, dovecot: Dovecot, folder: str
) -> None:
    assert run_cli("init", home=tmp_path / "h").returncode == 0  # the CLI needs a home
    out = run_cli("inbox", "fetch", home=tmp_path / "h", env=imap_env(dovecot, folder, tls="ssl"))
    assert out.returncode == 1
    assert out.stderr.startswith("Erreur : IMAP 127.0.0.1:") and "TLS" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_a_wrong_password_is_one_line_and_no_password_is_stored_or_printed(
    tmp_path: Path, dovecot: Dovecot, folder: str
) -> None:
    home = tmp_path / "h"
    svc, ids = sent_world(home)
    svc.close()
    dovecot.deliver(customer_replies(ids)["threaded"], folder=folder)
    wrong = imap_env(dovecot, folder) | {"RELANCE_IMAP_PASSWORD": "faux-Mot-2-passe-77"}
    bad = run_cli("inbox", "fetch", home=home, env=wrong)
    assert bad.returncode == 1 and "identifiants refusés" in bad.stderr
    assert "faux-Mot-2-passe-77" not in bad.stderr + bad.stdout
    good = run_cli("inbox", "fetch", home=home, env=imap_env(dovecot, folder))
    assert good.returncode == 0, good.stderr
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and b"faux-Mot-2-passe-77" not in data, path
    assert PASSWORD not in good.stdout + good.stderr


def test_a_password_in_clear_to_a_remote_host_is_refused(tmp_path: Path) -> None:
    env = {
        "RELANCE_IMAP_HOST": "imap.example.com",
        "RELANCE_IMAP_USER": USER,
        "RELANCE_IMAP_PASSWORD": PASSWORD,
        "RELANCE_IMAP_TLS": "none",
    }
    assert run_cli("init", home=tmp_path / "h").returncode == 0  # the CLI needs a home
    out = run_cli("inbox", "fetch", home=tmp_path / "h", env=env)
    assert out.returncode == 1 and "en clair refusé" in out.stderr


def test_the_password_never_reaches_the_debug_log(
    tmp_path: Path, dovecot: Dovecot, folder: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    svc, ids = sent_world(tmp_path / "h", **imap_env(dovecot, folder))
    dovecot.deliver(customer_replies(ids)["threaded"], folder=folder)
    assert len(svc.fetch_replies().added) == 1
    assert "LOGIN **REDACTED**" in caplog.text  # the IMAP conversation was logged...
    assert PASSWORD not in caplog.text  # ...without the password
    svc.close()
