"""A demo home with pending drafts, opened through the same app factory as the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from time import monotonic

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


async def wait_until(
    pilot: object, condition: Callable[[], bool], *, timeout: float = 10.0
) -> None:
    """Wait on what the screen shows, not on a fixed pause: a loaded machine is slow."""
    deadline = monotonic() + timeout
    while not condition():
        if monotonic() > deadline:
            raise AssertionError("the screen never reached the expected state")
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def finish_workers(app: object) -> None:
    """Wait for every worker to end. A worker replaced by a newer one of its exclusive group
    (a preview superseded by the next keystroke's) ends cancelled: that is not a failure, but
    Textual's `wait_for_complete` raises on it when the cancelled worker is still listed."""
    from textual.worker import WorkerCancelled

    for worker in list(app.workers):  # type: ignore[attr-defined]
        try:
            await worker.wait()
        except WorkerCancelled:
            continue


async def settle(app: object, pilot: object) -> None:
    """Let thread workers (template renders, sends) finish and their results show."""
    await finish_workers(app)
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


@pytest.fixture(autouse=True)
def _french_again() -> Iterator[None]:
    """The interface language is process-wide: a test that switches it (and fails half-way)
    must not leave the next tests' screens in English."""
    from assistant.i18n import set_language

    yield
    set_language("fr")
