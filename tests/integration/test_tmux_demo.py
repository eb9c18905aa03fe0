"""Drive the real `relance demo` in tmux as a person would: approve a draft with the keyboard,
then check the database."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def wait_for(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_approve_a_draft_in_the_real_demo(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    session = f"relance-test-{os.getpid()}"
    env = f"PYTHONPATH={shlex.quote(str(REPO_ROOT))} RELANCE_LANG=fr"
    command = (
        f"{env} {shlex.quote(sys.executable)} -m assistant --home {shlex.quote(str(home))}"
        " demo --as-of 2026-11-24"
    )
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        screen = lambda: tmux("capture-pane", "-p", "-t", session)  # noqa: E731
        wait_for(
            lambda: "File de validation" in screen() and "Pré-échéance" in screen(), "the queue"
        )
        tmux("send-keys", "-t", session, "Down", "Down")
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "a")
        wait_for(lambda: "approuvé" in screen(), "the approval notice")

        def approved() -> list[tuple[int, str]]:
            with sqlite3.connect(home / "relance.db") as db:
                return db.execute(
                    "SELECT id, status FROM drafts WHERE status = 'approved'"
                ).fetchall()

        wait_for(lambda: len(approved()) == 1, "one approved draft in the database")
        tmux("send-keys", "-t", session, "C-q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
