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
