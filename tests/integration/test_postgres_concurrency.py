"""Several relance processes on one PostgreSQL database at once (real processes, a real
SMTP server counting what arrives): each message leaves once, each draft is made once, and a
draft being sent by a live process is never taken for a stuck one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import FIXED_NOW, REPO_ROOT, write_company
from tests.integration.test_delivery import approved_drafts, open_service
from tests.support.smtp import Inbox, smtp_server
from tests.support.stores import query
from tests.unit.rules_builders import add_customer, add_invoice

TODAY = "2026-11-24"  # FIXED_NOW's day
DUE = date(2026, 11, 10)


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch, pg_empty_url: str) -> str:
    """This test's PostgreSQL database, for the in-process set-up and every process."""
    monkeypatch.setenv("RELANCE_DATABASE_URL", pg_empty_url)
    return pg_empty_url


def start(home: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """`relance ARGS` as its own process (as on another desk), not waited for."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("RELANCE_", "OPENAI_"))}
    full |= {"PYTHONPATH": str(REPO_ROOT), "RELANCE_TODAY": TODAY} | env
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "--home", str(home), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full,
    )  # fmt: skip


def finish(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def smtp_env(url: str, port: int) -> dict[str, str]:
    return {
        "RELANCE_DATABASE_URL": url, "RELANCE_SMTP_HOST": "127.0.0.1",
        "RELANCE_SMTP_PORT": str(port), "RELANCE_SMTP_TLS": "none",
        "RELANCE_FROM": "relances@acme.example", "RELANCE_SEND_BACKOFF": "0",
    }  # fmt: skip


def delivered(inbox: Inbox) -> list[int]:
    return sorted(int(m["X-Relance-Draft"]) for m in inbox.messages)


def test_two_sends_at_once_deliver_each_message_once(tmp_path: Path, team: str) -> None:
    home = tmp_path / "h"
    svc = open_service(home, None)
    ids = approved_drafts(svc, customers=24)
    svc.close()
    inbox = Inbox()
    inbox.clients_before_data = 2  # the first message waits until both senders are at it
    with smtp_server(inbox) as (_, port):
        env = smtp_env(team, port)
        first, second = (
            start(home, "send", "--json", env=env),
            start(home, "send", "--json", env=env),
        )
        one, two = finish(first), finish(second)
    assert delivered(inbox) == sorted(ids)  # each message once, none lost
    assert one["sent_ids"] and two["sent_ids"]  # both sent: they really ran together
    assert sorted(one["sent_ids"] + two["sent_ids"]) == sorted(ids)
    assert one["stuck"] == two["stuck"] == []  # a draft the other is sending is not stuck
    statuses = query(home, "SELECT status, COUNT(*) FROM drafts GROUP BY status")
    assert dict(statuses)["sent"] == len(ids) and "sending" not in dict(statuses)


def test_a_send_in_progress_elsewhere_is_not_stuck_until_its_process_dies(
    tmp_path: Path, team: str
) -> None:
    home = tmp_path / "h"
    svc = open_service(home, None)
    ids = approved_drafts(svc, customers=2)
    svc.close()
    inbox = Inbox()
    inbox.release = threading.Event()  # the first message hangs at DATA until released
    with smtp_server(inbox) as (_, port):
        env = smtp_env(team, port)
        hung = start(home, "send", "--json", env=env)
        taken = wait_for(lambda: query(home, "SELECT id FROM drafts WHERE status = 'sending'"))
        ((busy,),) = taken
        other = finish(start(home, "send", "--json", env=env))  # another desk, meanwhile
        assert other["stuck"] == [] and other["sent_ids"] == [i for i in ids if i != busy]
        settle = subprocess.run(
            [sys.executable, "-m", "assistant", "--home", str(home), "stuck", str(busy),
             "--not-sent"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env},
        )  # fmt: skip
        assert settle.returncode == 1 and "en cours d'envoi" in settle.stderr
        hung.send_signal(signal.SIGKILL)  # the machine dies mid-send
        hung.wait(timeout=30)
        inbox.release.set()
        wait_for(lambda: finish(start(home, "send", "--json", env=env))["stuck"] == [busy])
        after = finish(start(home, "send", "--json", env=env))
    assert after["stuck"] == [busy] and after["sent_ids"] == []  # reported, never resent
    assert delivered(inbox).count(busy) <= 1  # whatever the server got, never twice
    assert query(home, "SELECT status FROM drafts WHERE id = ?", (busy,)) == [("sending",)]


def wait_for(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_two_draft_runs_at_once_make_each_draft_once(tmp_path: Path, team: str) -> None:
    home = tmp_path / "h"
    write_company(home)
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    for i in range(1, 41):
        add_customer(svc.store, f"C{i}")
        add_invoice(svc.store, f"F{i}", DUE, cents=50_000 + i, cid=f"C{i}")
    svc.close()
    env = {"RELANCE_DATABASE_URL": team}
    runs = [start(home, "draft", "--offline", "--json", env=env) for _ in range(2)]
    one, two = (finish(r) for r in runs)
    made = query(home, "SELECT id, customer_id, step, channel FROM drafts")
    assert len(made) == 40 and len({r[1:] for r in made}) == 40  # one per customer, no twin
    assert sorted(one["draft_ids"] + two["draft_ids"]) == sorted(r[0] for r in made)
    assert one["created"] + two["created"] == 40
