"""The collector's calls: today's tasks, the brief of the highlighted one, logging the outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Markdown, Static
from textual.worker import Worker, WorkerState

from assistant.briefs.brief import md, render_markdown
from assistant.errors import PolicyError, UserError
from assistant.i18n import tr
from assistant.labels import step_label
from assistant.render import schedule_lines
from assistant.rules import Action
from tui.roles import RoleGate
from tui.widgets.footer import Footer
from tui.words import words

if TYPE_CHECKING:
    from tui.app import RelanceApp


class CallsScreen(RoleGate, Screen[None]):
    BINDINGS = [
        Binding("l", "log_call", words("Saisir le résultat", "Log outcome")),
        Binding("e", "escalate", words("Décider (escalade)", "Decide (escalation)")),
        Binding("ctrl+r", "reload", words("Actualiser", "Reload")),
        Binding("m", "toggle_mine", words("Mes appels seulement", "My calls only")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[Action] = []
        self.mine_only = False  # "my calls" filter (a team only: docs/team.md)
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
        if self.team:
            table.add_column(tr("Suivi par", "Owner"), key="owner")
        self.action_reload()

    @property
    def team(self) -> bool:
        """A team (people in the database): the owner column and the "my calls" filter."""
        return self.relance.service.person is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_mine" and not self.team:
            return False
        return super().check_action(action, parameters)

    def action_toggle_mine(self) -> None:
        self.mine_only = not self.mine_only
        self.action_reload()

    def action_reload(self) -> None:
        table = self.query_one("#calls", DataTable)
        try:
            self.tasks = self.relance.service.my_calls(self.relance.as_of, mine_only=self.mine_only)
        except (PolicyError, UserError) as exc:  # no plan without a valid policy
            self.tasks = []
            table.clear()
            self.query_one("#calls-count", Static).update(
                tr("Tâches indisponibles", "Tasks unavailable")
            )
            self.query_one("#brief", Markdown).update(
                tr(
                    "**Planification arrêtée** : {e}\n\nCorrigez la politique (F4) ;"
                    " les fiches des clients restent accessibles avec `relance brief`.",
                    "**Planning stopped**: {e}\n\nFix the policy (F4); customer briefs"
                    " stay available with `relance brief`.",
                    e=exc,
                )
            )
            return
        names = self.relance.service.customer_names()
        owners = self.relance.service.customer_owners() if self.team else {}
        table.clear()
        for i, task in enumerate(self.tasks):
            name = names.get(task.customer_id, task.customer_id)
            cells = [Text(name[:22]), step_label(task.step), str(len(task.invoices))]
            if self.team:
                cells.append(owners.get(task.customer_id) or "—")
            table.add_row(*cells, key=str(i))
        count = tr("{n} tâche(s) pour aujourd'hui", "{n} task(s) for today", n=len(self.tasks))
        if self.team:
            me = self.relance.service.person
            mine = sum(owners.get(t.customer_id) == me.name for t in self.tasks) if me else 0
            count += tr(" · dont {m} à moi", " · {m} mine", m=mine)
            if self.mine_only:
                count += tr(" (mes appels seulement : m)", " (my calls only: m)")
        self.query_one("#calls-count", Static).update(count)
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

        def submit(outcome: str, args: dict[str, Any]) -> dict[str, object]:
            return self.relance.service.log_call(
                task.customer_id, outcome, on=self.relance.as_of, **args
            )

        def done(data: dict[str, Any] | None) -> None:
            if data is None:
                return
            message = tr("Appel enregistré", "Call logged")
            if data.get("schedule"):  # a plan agreed: its dates and amounts, right away
                message += "\n" + tr("Échéancier :", "Schedule:") + "\n"
                message += "\n".join(schedule_lines(data["schedule"]))
            self.notify(message, timeout=15 if data.get("schedule") else 4)
            self.action_reload()

        names = self.relance.service.customer_names()
        title = f"{names.get(task.customer_id, task.customer_id)} ({task.customer_id})"
        self.app.push_screen(
            CallOutcomeModal(task.customer_id, self.relance.as_of, submit, title), done
        )

    def action_escalate(self) -> None:
        """The escalation task's decision: plan, formal notice, hand-off or write-off."""
        task = self.current()
        if task is None:
            return
        from tui.widgets.escalation import EscalationModal

        def done(form: dict[str, str] | None) -> None:
            if form is None:
                return
            result: dict[str, Any] = {}

            def decide() -> object:
                result.update(
                    self.relance.service.escalate(
                        task.customer_id,
                        form["decision"],
                        on=self.relance.as_of,
                        note=form["note"] or None,
                    )
                )
                return result

            if self.relance.attempt(decide):
                if result.get("draft_id"):
                    self.notify(
                        tr(
                            "Mise en demeure : brouillon {i} à valider (F2)",
                            "Formal notice: draft {i} to review (F2)",
                            i=result["draft_id"],
                        )
                    )
                else:
                    self.notify(tr("Décision enregistrée", "Decision recorded"))
                self.action_reload()

        self.app.push_screen(EscalationModal(task.customer_id), done)
