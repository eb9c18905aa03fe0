"""The escalation task's decision from the calls screen (F3, then e), driven by keys."""

from __future__ import annotations

from textual.widgets import DataTable, Select

from assistant.service import Service
from tests.tui.conftest import DEMO_DAY, finish_workers
from tui.app import make_app

SIZE = (140, 40)


async def test_decide_a_formal_notice_from_the_escalation_task(demo_service: Service) -> None:
    tasks = demo_service.call_tasks(DEMO_DAY)
    index = next(i for i, t in enumerate(tasks) if t.step == "escalation")
    customer = tasks[index].customer_id
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await finish_workers(app)
        app.screen.query_one("#calls", DataTable).move_cursor(row=index)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#decision", Select).value == "notice"
        await pilot.click("#ok")
        await pilot.pause()
    letters = [d for d in demo_service.drafts("pending") if d.channel == "letter"]
    assert [(d.customer_id, d.step) for d in letters] == [(customer, "formal_notice")]
    decided = demo_service.store.events(customer_id=customer, kinds=("escalation.decided",))
    assert [e["data"]["decision"] for e in decided] == ["notice"]
    assert customer not in {
        t.customer_id for t in demo_service.call_tasks(DEMO_DAY) if t.step == "escalation"
    }
