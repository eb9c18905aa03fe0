"""The results screen on a store with EUR and CHF invoices: one figure per currency, never a sum
of both, each amount with its own currency sign."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static

from assistant.service import Service
from tests.unit.test_kpis_currencies import AS_OF, two_currencies
from tui.app import make_app

SIZE = (140, 60)


async def test_results_show_each_currency_apart(service: Service) -> None:
    two_currencies(service)
    app = make_app(service, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        headline = str(app.screen.query_one("#headline").render())
        assert "EUR 90 jours" in headline and "CHF 225 jours" in headline
        ages = str(app.screen.query_one("#ages").render()).replace("\u00a0", " ")
        assert "Retards par ancienneté (EUR)" in ages and "Retards par ancienneté (CHF)" in ages
        assert "300,00 CHF" in ages and "200,00 CHF" in ages  # CHF 90+ and 0-30
        assert "1\u202f000,00 €" in ages
        assert "300,00 €" not in ages and "1\u202f200,00" not in ages  # never summed, never €
        debtors = text_of(app.screen.query_one("#debtors", Static).content).replace("\u00a0", " ")
    # top debtors: C1 in EUR, then C2 and C1 in CHF, each amount in its own currency
    rows = [line for line in debtors.splitlines() if "Client C" in line]
    assert len(rows) == 3
    assert "Client C1" in rows[0] and "1\u202f000,00 €" in rows[0]
    assert "Client C2" in rows[1] and "300,00 CHF" in rows[1]
    assert "Client C1" in rows[2] and "200,00 CHF" in rows[2]


def text_of(renderable: object) -> str:
    console = Console(width=140, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()
