"""The queue pages through the database (filters, sort, counts in SQL) and shows what it
showed when it sorted every draft in Python; the footer is built once at start-up."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Label, Static
from textual.widgets._footer import FooterKey

from assistant.money import format_money
from assistant.search import fold
from assistant.service import Service
from tests.tui.conftest import DEMO_DAY
from tui import app as tui_app
from tui.screens import queue as queue_screen
from tui.screens.draft import DraftScreen
from tui.screens.queue import QueueScreen
from tui.widgets.footer import Footer
from tui.widgets.modals import ConfirmModal

SIZE = (140, 40)
PAGE = 2  # the demo has 7 pending drafts: 4 pages


def by_days(service: Service) -> list[int]:
    """Pending drafts in the queue's first order (most days late first, then by id)."""
    pending = service.drafts("pending", texts=False)
    return [d.id for d in sorted(pending, key=lambda d: (-d.max_days_late, d.id))]


def shown(app: object) -> list[int]:
    table = app.screen.query_one("#drafts", DataTable)  # type: ignore[attr-defined]
    return [
        int(str(table.coordinate_to_cell_key((r, 0)).row_key.value)) for r in range(table.row_count)
    ]


async def test_pages_selection_search_and_order_span_every_page(
    demo_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_screen, "PAGE_SIZE", PAGE)
    order = by_days(demo_service)
    pages = (len(order) - 1) // PAGE + 1
    assert pages >= 3
    app = tui_app.make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert shown(app) == order[:PAGE]
        counts = str(screen.query_one("#counts", Static).render())
        assert f"{len(order)} affichés · {len(order)} en attente" in counts
        assert f"page 1/{pages}" in counts
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert shown(app) == order[PAGE : 2 * PAGE]
        # Enter: the draft view steps through the whole queue, every page
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DraftScreen)
        assert app.screen.draft_id == order[PAGE] and app.screen.order == order
        await pilot.press("escape")
        await pilot.pause()
        # a selection on two pages is approved at once, with its count and total
        clean = [
            d
            for d in demo_service.drafts("pending", texts=False)
            if not d.checks and d.channel == "email"
        ]
        clean.sort(key=lambda d: order.index(d.id))
        first, last = clean[0], clean[-1]
        assert order.index(last.id) // PAGE - order.index(first.id) // PAGE >= 2  # pages apart
        screen.selected = {first.id, last.id}
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        question = str(app.screen.query_one("#question", Label).render())
        total = format_money(first.total_cents + last.total_cents, "EUR", "fr_FR")
        assert "Approuver 2 brouillon(s)" in question and total in question
        await pilot.click("#yes")
        await pilot.pause()
        # a search finds a draft of the last page
        target = demo_service.get_draft(by_days(demo_service)[-1])
        assert target.id not in shown(app)
        await pilot.press("slash", *fold(target.customer_name).split()[0].upper())
        await pilot.pause(0.4)  # the search is debounced
        assert target.id in shown(app)
    statuses = {d.id: d.status for d in demo_service.drafts(texts=False)}
    assert statuses[first.id] == statuses[last.id] == "approved"


async def test_the_footer_is_built_once_at_start_and_follows_the_language(
    demo_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[Footer] = []
    compose = Footer.compose

    def counted(self: Footer):  # type: ignore[no-untyped-def]
        if self._bindings_ready:
            builds.append(self)
        return compose(self)

    monkeypatch.setattr(Footer, "compose", counted)
    app = tui_app.make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(builds) == 1  # Textual's footer rebuilt itself about ten times here
        keys = {k.description for k in app.screen.query(FooterKey)}
        assert {"Approuver", "Page suivante", "Aide"} <= keys
        app.set_ui_language("en")
        await pilot.pause()
        keys = {k.description for k in app.screen.query(FooterKey)}
        assert {"Approve", "Next page", "Help"} <= keys and "Approuver" not in keys
        app.set_ui_language("fr")
        await pilot.pause()
