"""Hostile data and templates in the UI: nothing crashes, nothing is rendered as markup."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from assistant.service import Service
from tests.tui.conftest import DEMO_DAY, settle
from tests.tui.test_flows import SIZE
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


HOSTILE_NAMES = ["[/]", "[link=https://evil.test]Cliquez[/link]", "[bold red]Rouge[/]"]


async def test_markup_in_names_is_shown_as_written(demo_service: Service) -> None:
    store = demo_service.store
    drafted = store.query(
        "SELECT DISTINCT customer_id FROM drafts WHERE status = 'pending' AND channel = 'email'"
    )
    tasks = {t.customer_id for t in demo_service.call_tasks(DEMO_DAY)}
    targets = [r["customer_id"] for r in drafted][:2] + sorted(tasks)[:1]
    for cid, name in zip(targets, HOSTILE_NAMES, strict=True):
        store.conn.execute("UPDATE customers SET name = ? WHERE id = ?", (name, cid))
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "[/]" in shown and "[link=https://evil" in shown  # the queue lists them
        app.notify("[/] " + HOSTILE_NAMES[1])  # a notification carrying data
        target = next(d for d in demo_service.drafts("pending") if d.customer_id == targets[1])
        from tui.screens.draft import DraftScreen

        await app.push_screen(DraftScreen(target.id))
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "[link=https://evil.test]Cliquez[/link]" in shown
        await pilot.press("escape", "f3")
        await settle(app, pilot)
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "[bold red]Rouge[/]" in shown and app.is_running


async def test_the_draft_view_lists_attachments_with_name_and_size(
    demo_service: Service, tmp_path: Path
) -> None:
    draft = next(d for d in demo_service.drafts("pending") if d.channel == "email")
    pdf = tmp_path / "facture.pdf"
    pdf.write_bytes(b"%PDF-1.4 " + b"x" * 2039)  # 2 KiB
    demo_service.store.conn.execute(
        "UPDATE invoices SET pdf_path = ? WHERE number = ?", (str(pdf), draft.invoices[0])
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        from tui.screens.draft import DraftScreen

        await app.push_screen(DraftScreen(draft.id))
        await pilot.pause()
        facts = str(app.screen.query_one("#facts").render())
        assert "Pièces jointes : facture.pdf (2,0 Ko)" in facts
