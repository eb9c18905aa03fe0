"""The manager's results: DSO, overdue by age (bars), payment after each step and by tone /
segment / policy version (`d` switches), promises, drafts approved unchanged vs edited,
estimated time saved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from assistant.i18n import language, tr
from assistant.labels import step_label
from assistant.money import format_money, parse_amount

if TYPE_CHECKING:
    from tui.app import RelanceApp

BAR_WIDTH = 30


def decimal(value: float) -> str:
    """`9,9` in French, `9.9` in English."""
    loc = "en_GB" if language() == "en" else "fr_FR"
    return format_decimal(value, format="#,##0.0", locale=loc)


def bars(values: dict[str, str]) -> Text:
    """Horizontal bars for money by bucket (JSON decimal strings)."""
    amounts = {k: parse_amount(v) for k, v in values.items()}
    top = max(amounts.values(), default=0) or 1
    loc = "en_GB" if language() == "en" else "fr_FR"
    out = Text()
    for bucket, cents in amounts.items():
        out.append(f"{bucket:>6} ")
        style = "red" if bucket in ("61-90", "90+") else "yellow"
        out.append("█" * (cents * BAR_WIDTH // top), style=style)
        out.append(f" {format_money(cents, 'EUR', loc)}\n")
    return out


# dimension -> (table title, column header), French then English
DIMENSIONS = {
    "tone": (("Par ton", "By tone"), ("Ton", "Tone")),
    "segment": (("Par segment", "By segment"), ("Segment", "Segment")),
    "policy_version": (("Par version de politique", "By policy version"), ("Version", "Version")),
}


def step_table(
    rows: list[dict[str, Any]], dimension: str | None = None, title: str | None = None
) -> Table:
    table = Table(
        title=title or tr("Paiement après relance", "Payment after reminder"), expand=False
    )
    if dimension:
        table.add_column(tr(*DIMENSIONS[dimension][1]))
    for header in (tr("Étape", "Step"), tr("Relancées", "Reminded"), "≤ 7 j", "≤ 14 j"):
        table.add_column(header)
    for row in rows:
        sent = int(row["sent"])

        def share(n: int, total: int = sent) -> str:
            return f"{n} ({n * 100 // total} %)" if total else str(n)

        cells = [step_label(row["step"]), str(sent), share(row["paid_within_7d"])]
        cells.append(share(row["paid_within_14d"]))
        table.add_row(*([Text(str(row[dimension]))] if dimension else []), *cells)
    return table


class ResultsScreen(Screen[None]):
    BINDINGS = [
        Binding("d", "dimension", tr("Ton / segment / version", "Tone / segment / version")),
        Binding("ctrl+r", "reload", tr("Actualiser", "Reload")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.dimension = "tone"

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="headline")
            yield Static("", id="ages")
            yield Static("", id="steps")
            yield Static("", id="by")
            yield Static("", id="others")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("Résultats", "Results")
        self.action_reload()

    def action_dimension(self) -> None:
        names = list(DIMENSIONS)
        self.dimension = names[(names.index(self.dimension) + 1) % len(names)]
        self.action_reload()

    def action_reload(self) -> None:
        data = self.relance.service.stats(self.relance.as_of).as_json()
        late = data.get("avg_days_late_paid")
        dso = data["dso_days"]
        self.query_one("#headline", Static).update(
            Text.assemble(
                ("DSO ", "bold"),
                (f"{dso} " + tr("jours", "days") if dso is not None else "—", "bold cyan"),
                tr(
                    "  (encours / ventes des 90 derniers jours × 90)\n",
                    "  (receivables / sales of the last 90 days × 90)\n",
                ),
                tr("Retard moyen des factures payées : ", "Average days late of paid invoices: "),
                (tr("{d} jours", "{d} days", d=decimal(late)) if late is not None else "—", "bold"),
            )
        )
        self.query_one("#ages", Static).update(
            Text.assemble(
                (tr("Retards par ancienneté\n", "Overdue by age\n"), "bold"),
                bars(data["overdue_by_age"]),
            )
        )
        self.query_one("#steps", Static).update(step_table(data["after_step"]))
        title = tr(*DIMENSIONS[self.dimension][0]) + tr(" (touche d)", " (key d)")
        by = data["after_step_by"][self.dimension]
        self.query_one("#by", Static).update(step_table(by, self.dimension, title))
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
        rate = data["promises_kept_rate"]
        if rate is not None:
            label = tr("taux de promesses tenues", "promises kept rate")
            others.add_row(label, f"{round(rate * 100)} %")
        for key, label in (
            ("approved_unchanged", tr("approuvés sans retouche", "approved unchanged")),
            ("approved_edited", tr("approuvés après retouche", "approved after edit")),
            ("rejected", tr("rejetés", "rejected")),
        ):
            others.add_row(label, str(drafts[key]))
        minutes = data["time_saved"]["minutes"]
        others.add_row(
            tr("temps gagné estimé", "estimated time saved"),
            f"{minutes // 60} h {minutes % 60:02d}",
        )
        self.query_one("#others", Static).update(others)
