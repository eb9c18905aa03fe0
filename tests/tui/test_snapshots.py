"""Snapshots of the main screens at 80x24 (the smallest supported terminal) and larger.

Regenerate after an intended UI change: pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from typing import Any

from assistant.service import Service
from tests.support.pg_neutral import policy_in_effect, put_policy
from tests.tui.conftest import DEMO_DAY, finish_workers
from tui.app import make_app


def test_queue_80x24(demo_service: Service, snap_compare: Any) -> None:
    assert snap_compare(make_app(demo_service, DEMO_DAY), terminal_size=(80, 24))


def test_draft_view(demo_service: Service, snap_compare: Any) -> None:
    async def steady_cursor(pilot: Any) -> None:
        # the subject field's cursor blinks every 0.5 s: on a loaded machine the picture was
        # taken with it on or off; it is held on (as recorded)
        await pilot.press("enter")
        await pilot.pause()
        field = pilot.app.focused
        field.cursor_blink = False
        field._pause_blink(visible=True)
        await pilot.pause()

    assert snap_compare(
        make_app(demo_service, DEMO_DAY), run_before=steady_cursor, terminal_size=(140, 40)
    )


def test_calls_screen(demo_service: Service, snap_compare: Any) -> None:
    async def settle(pilot: Any) -> None:
        await pilot.press("f3")
        await finish_workers(pilot.app)
        await pilot.pause()

    assert snap_compare(
        make_app(demo_service, DEMO_DAY), run_before=settle, terminal_size=(140, 40)
    )


def test_help_screen(demo_service: Service, snap_compare: Any) -> None:
    assert snap_compare(make_app(demo_service, DEMO_DAY), press=["f1"], terminal_size=(100, 34))


def test_results_screen(demo_service: Service, snap_compare: Any) -> None:
    assert snap_compare(make_app(demo_service, DEMO_DAY), press=["f5"], terminal_size=(120, 40))


def test_policies_screen(demo_service: Service, snap_compare: Any) -> None:
    async def settle(pilot: Any) -> None:  # the preview renders in a thread worker
        await pilot.press("f4")
        await finish_workers(pilot.app)
        await pilot.pause()

    assert snap_compare(
        make_app(demo_service, DEMO_DAY), run_before=settle, terminal_size=(140, 40)
    )


def test_policy_error_header(demo_service: Service, snap_compare: Any) -> None:
    """A broken policy file: the header says which file, which line and what (issue 19)."""
    scenario = policy_in_effect(demo_service.home, "scenario.yaml")
    put_policy(
        demo_service.home, "scenario.yaml", scenario.replace("min_gap_days: 5", "min_gap_days 5")
    )
    assert snap_compare(make_app(demo_service, DEMO_DAY), terminal_size=(120, 24))
