"""The interface follows the role table: a collector cannot approve, an accountant can."""

from __future__ import annotations

from textual.widgets import DataTable, TextArea

from assistant.people import add_user
from assistant.service import Service
from tests.tui.conftest import DEMO_DAY
from tui.app import make_app
from tui.roles import TUI_ACTIONS
from tui.screens.draft import DraftScreen

SIZE = (140, 40)


def act_as(service: Service, name: str, role: str) -> None:
    """Give the demo a team (an admin first), and make `name` the acting person."""
    if not service.users():
        add_user(service.store, "boss", "admin", None, "test")
    if name != "boss":
        add_user(service.store, name, role, None, "boss")
    service.person = next(u for u in service.users() if u.name == name)
    service.actor = name


def first_row_id(app: object) -> int:
    table = app.screen.query_one("#drafts", DataTable)  # type: ignore[attr-defined]
    return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def shown_actions(app: object) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values()}  # type: ignore[attr-defined]


async def test_a_collector_cannot_approve(demo_service: Service) -> None:
    act_as(demo_service, "bob", "collector")
    pending = len(demo_service.drafts("pending"))
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        assert "bob" in app.sub_title
        draft_id = first_row_id(app)
        assert not {"approve", "bulk_approve", "send", "reject"} & shown_actions(app)
        await pilot.press("a")
        await pilot.press("S")
        await pilot.pause()
        assert demo_service.get_draft(draft_id).status == "pending"
        await pilot.press("enter")  # reading a draft is allowed
        await pilot.pause()
        assert isinstance(app.screen, DraftScreen)
        assert not {"approve", "save", "reject"} & shown_actions(app)
        area = app.screen.query_one("#body", TextArea)
        area.focus()
        await pilot.press(*"X")
        await pilot.press("ctrl+s", "ctrl+a")
        await pilot.pause()
        draft = demo_service.get_draft(draft_id)
        assert draft.status == "pending" and not draft.edited
    assert len(demo_service.drafts("pending")) == pending
    assert not demo_service.store.events(kinds=("draft.approved", "draft.edited"))


async def test_an_accountant_approves_and_the_event_names_them(demo_service: Service) -> None:
    act_as(demo_service, "carol", "accountant")
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        assert {"approve", "send"} <= shown_actions(app)
        draft_id = first_row_id(app)
        await pilot.press("a")
        await pilot.pause()
    assert demo_service.get_draft(draft_id).status == "approved"
    assert demo_service.get_draft(draft_id).by == {"approve": "carol"}


async def test_without_people_every_action_shows(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE):
        assert set(TUI_ACTIONS["QueueScreen"]) <= shown_actions(app)
