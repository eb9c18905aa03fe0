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
from textual.widgets import Header, Static

from assistant.i18n import language, tr
from assistant.labels import step_label
from assistant.money import format_money, parse_amount
from assistant.results import dimension_label, share
from tui.widgets.footer import Footer
from tui.words import words

if TYPE_CHECKING:
    from tui.app import RelanceApp

BAR_WIDTH = 30


def decimal(value: float) -> str:
    """`9,9` in French, `9.9` in English."""
    loc = "en_GB" if language() == "en" else "fr_FR"
    return format_decimal(value, format="#,##0.0", locale=loc)


def bars(values: dict[str, str], currency: str = "EUR") -> Text:
    """Horizontal bars for money by bucket (JSON decimal strings in `currency`)."""
    amounts = {k: parse_amount(v) for k, v in values.items()}
    top = max(amounts.values(), default=0) or 1
    loc = "en_GB" if language() == "en" else "fr_FR"
    out = Text()
    for bucket, cents in amounts.items():
        out.append(f"{bucket:>6} ")
        style = "red" if bucket in ("61-90", "90+") else "yellow"
        out.append("█" * (cents * BAR_WIDTH // top), style=style)
        out.append(f" {format_money(cents, currency, loc)}\n")
    return out


# dimension -> (table title, column header), French then English
DIMENSIONS = {
    "tone": (("Par ton", "By tone"), ("Ton", "Tone")),
    "segment": (("Par segment", "By segment"), ("Segment", "Segment")),
    "policy_version": (("Par version de politique", "By policy version"), ("Version", "Version")),
}


def step_table(
    rows: list[dict[str, Any]],
    dimension: str | None = None,
    title: str | None = None,
    names: dict[str, str] | None = None,
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
        cells = [step_label(row["step"]), str(sent), share(row["paid_within_7d"], sent)]
        cells.append(share(row["paid_within_14d"], sent))
        word = (
            [Text(dimension_label(dimension, str(row[dimension]), names or {}))]
            if dimension
            else []
        )
        table.add_row(*word, *cells)
    return table


def trend_table(trend: list[dict[str, Any]]) -> Table:
    """DSO at each month's end; reminders sent that month and paid within 14 days."""
    table = Table(title=tr("Tendance par mois", "Trend by month"), expand=False)
    for header in (tr("Mois", "Month"), "DSO", tr("Relances", "Reminders"), "≤ 14 j"):
        table.add_column(header)
    for month in trend:
        sent = sum(x["sent"] for x in month["after_step"])
        paid = sum(x["paid_within_14d"] for x in month["after_step"])
        dso = "—" if month["dso_days"] is None else str(month["dso_days"])
        table.add_row(month["month"], dso, str(sent), share(paid, sent))
    return table


def currencies(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`stats --json`'s money by currency (main currency first); one entry for an old payload."""
    return data.get("by_currency") or {
        data.get("currency", "EUR"): {
            "dso_days": data["dso_days"],
            "overdue_by_age": data["overdue_by_age"],
            "top_debtors": data["top_debtors"],
        }
    }


def dso_text(data: dict[str, Any]) -> Text:
    """`40 jours`, or one figure per currency when the store has several: `EUR 40 jours · CHF —`."""

    def days(value: int | None) -> str:
        return f"{value} " + tr("jours", "days") if value is not None else "—"

    money = currencies(data)
    if len(money) == 1:
        return Text(days(data["dso_days"]), style="bold cyan")
    return Text(" · ").join(
        Text.assemble(f"{c} ", (days(m["dso_days"]), "bold cyan")) for c, m in money.items()
    )


def debtors_table(debtors: list[dict[str, Any]], currency: str = "EUR") -> Table:
    table = Table(title=tr("Plus gros retards", "Top debtors"), expand=False)
    for header in (tr("Client", "Customer"), tr("Échu", "Overdue"), tr("Factures", "Invoices"),
                   tr("Retard max", "Max late")):  # fmt: skip
        table.add_column(header)
    loc = "en_GB" if language() == "en" else "fr_FR"
    for d in debtors:
        table.add_row(
            Text(d["name"][:28]),  # data: never read as markup
            format_money(parse_amount(d["overdue"]), d.get("currency", currency), loc),
            str(d["invoices"]),
            tr("{n} j", "{n} d", n=d["max_days_late"]),
        )
    return table


class ResultsScreen(Screen[None]):
    BINDINGS = [
        Binding("d", "dimension", words("Ton / segment / version", "Tone / segment / version")),
        Binding("ctrl+r", "reload", words("Actualiser", "Reload")),
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
            yield Static("", id="trend")
            yield Static("", id="debtors")
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
        self.query_one("#headline", Static).update(
            Text.assemble(
                ("DSO ", "bold"),
                dso_text(data),
                tr(
                    "  (encours / ventes des 90 derniers jours × 90)\n",
                    "  (receivables / sales of the last 90 days × 90)\n",
                ),
                tr("Retard moyen des factures payées : ", "Average days late of paid invoices: "),
                (tr("{d} jours", "{d} days", d=decimal(late)) if late is not None else "—", "bold"),
            )
        )
        money = currencies(data)
        ages = Text()
        for currency, figures in money.items():
            title = tr("Retards par ancienneté", "Overdue by age")
            ages.append(f"{title} ({currency})\n" if len(money) > 1 else f"{title}\n", "bold")
            ages.append(bars(figures["overdue_by_age"], currency))
        self.query_one("#ages", Static).update(ages)
        self.query_one("#steps", Static).update(step_table(data["after_step"]))
        title = tr(*DIMENSIONS[self.dimension][0]) + tr(" (touche d)", " (key d)")
        by = data["after_step_by"][self.dimension]
        names = data.get("policy_versions") or {}
        self.query_one("#by", Static).update(step_table(by, self.dimension, title, names))
        self.query_one("#trend", Static).update(trend_table(data["trend"]))
        debtors = [{**d, "currency": c} for c, m in money.items() for d in m["top_debtors"]]
        self.query_one("#debtors", Static).update(debtors_table(debtors))
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
            kept, broken = promises["kept"], promises["broken"]
            others.add_row(label, share(kept, kept + broken))
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
