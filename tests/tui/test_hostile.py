"""Hostile data and templates in the UI: nothing crashes, nothing is rendered as markup."""

from __future__ import annotations

from textual.widgets import TextArea

from assistant.service import Service
from tests.tui.conftest import DEMO_DAY
from tests.tui.test_flows import SIZE, settle
from tui.app import make_app

ENDLESS = "{% for i in range(1000000) %}x{% endfor %}"
NESTED = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"


async def test_policy_editor_survives_endless_and_nested_loops(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    name = "templates/fr/reminder_1.j2"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        screen = app.screen
        screen.open_file(name)  # type: ignore[attr-defined]
        await settle(app, pilot)
        area = screen.query_one("#policy-text", TextArea)
        for loop, reason in ((ENDLESS, "range()"), (NESTED, "itérations")):
            edited = area.text.replace("Bonjour,", "Bonjour, " + loop, 1)
            area.text = edited
            await pilot.press("ctrl+e")
            await settle(app, pilot)
            status = str(screen.query_one("#policy-status").render())
            assert status.startswith("✗") and reason in status
            assert app.is_running and area.text == edited  # the unsaved text is still there
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Refusé" in str(screen.query_one("#policy-status").render())
    assert not (demo_service.home / "policies" / name).read_text().count("range(10000)")
