"""The Encaissements screen (F6) and the stale-data header, driven by keys as a person would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.widgets import DataTable, Input, Static

from assistant.service import Service
from tests.conftest import FIXED_NOW
from tests.tui.conftest import DEMO_DAY, finish_workers
from tui.app import make_app
from tui.screens.receipts import InvoicesModal, ReceiptsScreen

SIZE = (140, 40)


def row_id(app: Any) -> int:
    table = app.screen.query_one("#receipts", DataTable)
    return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


async def test_f6_lists_the_receipts_to_decide_with_their_evidence(demo_service: Service) -> None:
    to_decide = [m for m in demo_service.matches() if m.status.value in ("proposed", "unmatched")]
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptsScreen)
        table = app.screen.query_one("#receipts", DataTable)
        assert table.row_count == len(to_decide) == 3
        evidence = str(app.screen.query_one("#receipt-evidence", Static).render())
        first = demo_service.match(row_id(app))
        assert f"Encaissement {first.id}" in evidence
        assert "paiement partiel" in evidence or "montant exact" in evidence


async def test_apply_and_reject_take_one_key_each(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        first = row_id(app)
        await pilot.press("a")
        await pilot.pause()
        assert demo_service.match(first).status.value == "applied"
        second = row_id(app)
        assert second != first
        await pilot.press("r")
        await pilot.pause()
        assert demo_service.match(second).status.value == "rejected"
        assert app.screen.query_one("#receipts", DataTable).row_count == 1


async def test_reassign_applies_the_credit_to_the_invoices_typed(demo_service: Service) -> None:
    unmatched = demo_service.matches("unmatched")[0]
    target = demo_service.store.scalar(
        "SELECT number FROM invoices WHERE status = 'open' AND outstanding_cents > ?"
        " ORDER BY number LIMIT 1",
        (unmatched.amount_cents,),
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#receipts", DataTable)
        table.move_cursor(row=table.get_row_index(str(unmatched.id)))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, InvoicesModal)
        app.screen.query_one("#invoices", Input).value = target
        await pilot.press("enter")
        await pilot.pause()
    view = demo_service.match(unmatched.id)
    assert view.status.value == "applied"
    assert view.shown.allocations == [(target, unmatched.amount_cents)]


async def test_stale_data_shows_in_the_header_and_blocks_sending(demo_service: Service) -> None:
    later = FIXED_NOW + timedelta(days=10)
    demo_service.store.clock = lambda: later
    pending = demo_service.drafts("pending")
    demo_service.approve([pending[0].id], on=DEMO_DAY)
    app = make_app(demo_service)
    async with app.run_test(size=SIZE) as pilot:
        assert "données périmées" in app.title
        app.send_approved()
        await finish_workers(app)
        await pilot.pause()
        assert demo_service.get_draft(pending[0].id).status == "approved"  # nothing sent
        assert any("périmées" in str(n.message) for n in app._notifications)


def test_receipts_screen_snapshot(demo_service: Service, snap_compare: Any) -> None:
    assert snap_compare(make_app(demo_service, DEMO_DAY), press=["f6"], terminal_size=(140, 32))
