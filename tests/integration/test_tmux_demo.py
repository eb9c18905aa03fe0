"""Drive the real `relance demo` in tmux as a person would: move to a draft, approve it with the
keyboard, then check the database. Every step waits on what the screen shows (capture-pane,
polled until a deadline), never on a fixed delay."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

T = TypeVar("T")
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_QUEUE_ROW = re.compile(r"^\s+(\d+)\s+✓\s")  # a draft row of the queue: its id, then its checks


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # a poll interval, not a delay anything depends on


def _background(params: str, current: str | None) -> str | None:
    """The background colour after one SGR sequence (`0`/empty resets, `48;…` sets, 49 clears)."""
    codes = params.split(";") if params else ["0"]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in ("0", "", "49"):
            current = None
        elif code == "48" and i + 1 < len(codes):
            width = 3 if codes[i + 1] == "5" else 5  # 48;5;N or 48;2;R;G;B
            current = ";".join(codes[i : i + width])
            i += width - 1
        i += 1
    return current


def queue_rows(screen: str) -> list[tuple[str, str | None]]:
    """(draft id, background colour) of each queue row of a `capture-pane -e` screen."""
    rows: list[tuple[str, str | None]] = []
    background: str | None = None
    for line in screen.splitlines():
        plain, start_bg, pos = [], None, 0
        for match in _SGR.finditer(line):
            text = line[pos : match.start()]
            if text.strip() and start_bg is None:
                start_bg = background
            plain.append(text)
            background = _background(match.group(1), background)
            pos = match.end()
        tail = line[pos:]
        if tail.strip() and start_bg is None:
            start_bg = background
        plain.append(tail)
        found = _QUEUE_ROW.match("".join(plain))
        if found:
            rows.append((found.group(1), start_bg))
    return rows


def cursor_row(screen: str) -> str | None:
    """The id of the highlighted row: the only row whose background no other row shares
    (the others alternate two zebra colours)."""
    rows = queue_rows(screen)
    counts = Counter(bg for _, bg in rows)
    lone = [draft_id for draft_id, bg in rows if counts[bg] == 1]
    return lone[0] if len(rows) >= 3 and len(lone) == 1 else None


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

        def screen() -> str:
            return tmux("capture-pane", "-p", "-e", "-t", session)

        def queue_ready() -> list[str] | None:
            shown = screen()
            ids = [draft_id for draft_id, _ in queue_rows(shown)]
            ready = "File de validation" in shown and "Pré-échéance" in shown
            return ids if ready and len(ids) >= 3 and cursor_row(shown) == ids[0] else None

        ids = wait_for(queue_ready, "the queue with the cursor on its first row")
        tmux("send-keys", "-t", session, "Down", "Down")
        wait_for(lambda: cursor_row(screen()) == ids[2], "the cursor on the third row")
        tmux("send-keys", "-t", session, "a")
        wait_for(lambda: "approuvé" in screen(), "the approval notice")
        wait_for(
            lambda: [i for i, _ in queue_rows(screen())] == ids[:2] + ids[3:],
            "the approved draft to leave the queue of pending drafts",
        )

        def approved() -> list[tuple[int, str]]:
            with sqlite3.connect(home / "relance.db") as db:
                return db.execute(
                    "SELECT id, status FROM drafts WHERE status = 'approved'"
                ).fetchall()

        assert wait_for(approved, "an approved draft in the database") == [
            (int(ids[2]), "approved")
        ]
        tmux("send-keys", "-t", session, "C-q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
