"""A demo home with pending drafts, opened through the same app factory as the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import FIXED_NOW

DEMO_DAY = date(2026, 11, 24)


@pytest.fixture
def demo_service(tmp_path: Path) -> Iterator[Service]:
    built = Service.demo(
        Settings(RELANCE_HOME=tmp_path / "demo"), as_of=DEMO_DAY, clock=lambda: FIXED_NOW
    )
    built.service.draft(DEMO_DAY, offline=True)
    yield built.service
    built.service.close()


async def settle(app: object, pilot: object) -> None:
    """Let thread workers (template renders, sends) finish and their results show."""
    await app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _steady_input_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot must not depend on the moment it is taken: an Input's cursor blinks every
    0.5 s, so the draft view's subject showed its cursor or not depending on the machine's load.
    In these tests the cursor stays shown (as on the first frame)."""
    from textual.widgets import Input

    def keep_shown(self: Input) -> None:
        self._cursor_visible = True

    monkeypatch.setattr(Input, "_toggle_cursor", keep_shown)
