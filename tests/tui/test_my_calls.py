"""The calls screen (F3) of a team member: the customers they own first, `m` for theirs only;
alone (no people), the screen is as before (no owner column, no filter key)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from assistant.service import Service
from tests.tui.conftest import DEMO_DAY, finish_workers
from tests.tui.test_roles import act_as, shown_actions
from tui.app import make_app
from tui.screens.draft import DraftScreen

SIZE = (140, 40)


def listed(app: object) -> list[tuple[str, str]]:
    """(customer cell, owner cell) of each row of the calls table, top to bottom."""
    table = app.screen.query_one("#calls", DataTable)  # type: ignore[attr-defined]
    rows = [table.get_row_at(i) for i in range(table.row_count)]
    return [(str(r[0]), str(r[-1])) for r in rows]


async def test_my_calls_come_first_and_m_keeps_only_them(demo_service: Service) -> None:
    tasks = demo_service.call_tasks(DEMO_DAY)
    assert len({t.customer_id for t in tasks}) >= 3
    last = tasks[-1].customer_id  # the plan lists it last: owning it moves it up
    act_as(demo_service, "bob", "collector")
    act_as(demo_service, "boss", "admin")  # customers are given by a manager or the admin
    demo_service.set_customer_owner(last, "bob")
    other = next(t.customer_id for t in tasks if t.customer_id != last)
    demo_service.set_customer_owner(other, "boss")
    demo_service.person = next(u for u in demo_service.users() if u.name == "bob")
    demo_service.actor = "bob"  # then bob, the collector, opens the calls screen
    names = demo_service.customer_names()
    mine = [t for t in tasks if t.customer_id == last]

    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await finish_workers(app)
        rows = listed(app)
        assert len(rows) == len(tasks)
        assert [r[0] for r in rows[: len(mine)]] == [names[last][:22]] * len(mine)
        assert all(owner == "bob" for _, owner in rows[: len(mine)])
        assert "boss" in {owner for _, owner in rows[len(mine) :]}
        assert "toggle_mine" in shown_actions(app)
        assert f"dont {len(mine)} à moi" in str(
            app.screen.query_one("#calls-count", Static).render()
        )

        await pilot.press("m")
        await pilot.pause()
        await finish_workers(app)
        assert listed(app) == [(names[last][:22], "bob")] * len(mine)

        await pilot.press("m")  # back to everyone
        await pilot.pause()
        assert len(listed(app)) == len(tasks)


async def test_alone_the_calls_screen_has_no_owner_column(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        table = app.screen.query_one("#calls", DataTable)
        assert len(table.columns) == 3
        assert "toggle_mine" not in shown_actions(app)
        tasks = demo_service.call_tasks(DEMO_DAY)
        names = demo_service.customer_names()
        assert [r[0] for r in listed(app)] == [names[t.customer_id][:22] for t in tasks]


async def test_the_draft_view_shows_the_routed_recipients(demo_service: Service) -> None:
    """A reminder_2 of a customer with contacts: To the accounting contact, Cc purchasing and
    the salesperson, in the draft view's facts line."""
    draft = next(d for d in demo_service.drafts("pending") if d.step == "reminder_2" and d.cc)
    demo_service.set_contact(draft.customer_id, "accounting", "anne@client.example")
    demo_service.set_contact(draft.customer_id, "purchasing", "paul@client.example")
    routed = demo_service.regenerate(draft.id, offline=True)
    assert routed.recipient == "anne@client.example"
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(DraftScreen(routed.id, [routed.id]))
        await pilot.pause()
        await finish_workers(app)
        await pilot.pause()
        facts = str(app.screen.query_one("#facts", Static).render())
        assert f"anne@client.example (cc paul@client.example, {draft.cc[0]})" in facts
