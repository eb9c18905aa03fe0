"""The collector's calls: today's tasks, the brief of the highlighted one, logging the outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown, Static
from textual.worker import Worker, WorkerState

from assistant.briefs.brief import md, render_markdown
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.inputs import parse_day, parse_money
from assistant.labels import step_label
from assistant.rules import Action

if TYPE_CHECKING:
    from tui.app import RelanceApp


def call_arguments(form: dict[str, Any]) -> dict[str, Any]:
    """The outcome form's text fields as `Service.log_call` arguments (clear errors)."""
    args: dict[str, Any] = {"note": form["note"] or None, "invoice": form["invoice"] or None}
    if form["date"]:
        args["promised"] = parse_day(form["date"], tr("date", "date"))
    if form["amount"]:
        args["amount_cents"] = parse_money(form["amount"], tr("montant", "amount"))
    if form["instalments"]:
        try:
            args["instalments"] = int(form["instalments"])
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    return args


class CallsScreen(Screen[None]):
    BINDINGS = [
        Binding("l", "log_call", tr("Saisir le résultat", "Log outcome")),
        Binding("ctrl+r", "reload", tr("Actualiser", "Reload")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[Action] = []
        self.worker: Worker[str] | None = None

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="calls-count")
        with Horizontal():
            yield DataTable(id="calls", cursor_type="row")
            with VerticalScroll(id="brief-pane"):
                yield Markdown("", id="brief", open_links=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("Appels du jour", "Today's calls")
        table = self.query_one("#calls", DataTable)
        table.add_columns(tr("Client", "Customer"), tr("Tâche", "Task"), tr("Factures", "Invoices"))
        self.action_reload()

    def action_reload(self) -> None:
        self.tasks = self.relance.service.call_tasks(self.relance.as_of)
        table = self.query_one("#calls", DataTable)
        names = self.relance.service.customer_names()
        table.clear()
        for i, task in enumerate(self.tasks):
            name = names.get(task.customer_id, task.customer_id)
            cells = (Text(name[:22]), step_label(task.step), str(len(task.invoices)))
            table.add_row(*cells, key=str(i))
        self.query_one("#calls-count", Static).update(
            tr("{n} tâche(s) pour aujourd'hui", "{n} task(s) for today", n=len(self.tasks))
        )
        if self.tasks:
            self.show_brief(0)
        else:
            self.query_one("#brief", Markdown).update(
                tr("Aucun appel à passer.", "No call to make.")
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show_brief(int(event.row_key.value))

    def show_brief(self, index: int) -> None:
        self.query_one("#brief", Markdown).update(
            tr("_Préparation de la fiche…_", "_Preparing the brief…_")
        )
        self.worker = self.load_brief(self.tasks[index].customer_id)

    @work(thread=True, exclusive=True, group="brief", exit_on_error=False)
    def load_brief(self, customer_id: str) -> str:
        brief = self.relance.service.brief(customer_id, self.relance.as_of)
        return render_markdown(brief)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.worker:
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.query_one("#brief", Markdown).update(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.query_one("#brief", Markdown).update(f"**{md(str(event.worker.error))}**")

    def current(self) -> Action | None:
        table = self.query_one("#calls", DataTable)
        return self.tasks[table.cursor_row] if self.tasks else None

    def action_log_call(self) -> None:
        task = self.current()
        if task is None:
            return
        from tui.widgets.modals import CallOutcomeModal

        def done(form: dict[str, Any] | None) -> None:
            if form is None:
                return

            def log() -> object:
                args = call_arguments(form)
                return self.relance.service.log_call(
                    task.customer_id, str(form["outcome"]), on=self.relance.as_of, **args
                )

            if self.relance.attempt(log):
                self.notify(tr("Appel enregistré", "Call logged"))
                self.action_reload()

        self.app.push_screen(CallOutcomeModal(task.customer_id, self.relance.as_of), done)
