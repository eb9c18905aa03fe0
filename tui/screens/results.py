"""The manager's results: DSO, overdue by age (bars), payment after each step, promises,
drafts approved unchanged vs edited."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from assistant.i18n import tr

if TYPE_CHECKING:
    from tui.app import RelanceApp

BAR_WIDTH = 30


def bars(values: dict[str, str]) -> Text:
    """Horizontal bars for money by bucket (decimal strings)."""
    amounts = {k: Decimal(v) for k, v in values.items()}
    top = max(amounts.values(), default=Decimal(0)) or Decimal(1)
    out = Text()
    for bucket, amount in amounts.items():
        size = int(amount / top * BAR_WIDTH)
        out.append(f"{bucket:>6} ")
        out.append("█" * size, style="red" if bucket in ("61-90", "90+") else "yellow")
        out.append(f" {amount:,.2f} €\n".replace(",", " "))
    return out


def step_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=tr("Paiement après relance", "Payment after reminder"), expand=False)
    for header in (tr("Étape", "Step"), tr("Envoyées", "Sent"), "≤ 7 j", "≤ 14 j"):
        table.add_column(header)
    for row in rows:
        sent = int(row["sent"])

        def share(n: int, total: int = sent) -> str:
            return f"{n} ({n * 100 // total} %)" if total else str(n)

        table.add_row(
            row["step"], str(sent), share(row["paid_within_7d"]), share(row["paid_within_14d"])
        )
    return table


class ResultsScreen(Screen[None]):
    BINDINGS = [Binding("ctrl+r", "reload", tr("Actualiser", "Reload"))]

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="headline")
            yield Static("", id="ages")
            yield Static("", id="steps")
            yield Static("", id="others")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("Résultats", "Results")
        self.action_reload()

    def action_reload(self) -> None:
        data = self.relance.service.stats(self.relance.as_of).as_json()
        late = data.get("avg_days_late_paid")
        self.query_one("#headline", Static).update(
            Text.assemble(
                ("DSO ", "bold"),
                (f"{data['dso_days']} " + tr("jours", "days"), "bold cyan"),
                f"  ({data['dso_method']})\n",
                tr("Retard moyen des factures payées : ", "Average days late of paid invoices: "),
                (f"{late}" if late is not None else "—", "bold"),
            )
        )
        self.query_one("#ages", Static).update(
            Text.assemble(
                (tr("Retards par ancienneté\n", "Overdue by age\n"), "bold"),
                bars(data["overdue_by_age"]),
            )
        )
        self.query_one("#steps", Static).update(step_table(data["after_step"]))
        promises, drafts = data["promises"], data["drafts"]
        others = Table(title=tr("Promesses et brouillons", "Promises and drafts"))
        others.add_column(tr("Indicateur", "Indicator"))
        others.add_column(tr("Valeur", "Value"))
        for key, label in (
            ("made", tr("promesses faites", "promises made")),
            ("kept", tr("promesses tenues", "promises kept")),
            ("broken", tr("promesses non tenues", "promises broken")),
        ):
            others.add_row(label, str(promises[key]))
        for key, label in (
            ("approved_unchanged", tr("approuvés sans retouche", "approved unchanged")),
            ("approved_edited", tr("approuvés après retouche", "approved after edit")),
            ("rejected", tr("rejetés", "rejected")),
        ):
            others.add_row(label, str(drafts[key]))
        self.query_one("#others", Static).update(others)
