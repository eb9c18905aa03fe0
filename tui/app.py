"""The app factory used by the CLI and the tests: `make_app(service, as_of)`.

The app only talks to the `Service` façade; slow work (LLM rewrites, briefs, sending) runs
in thread workers so the interface never freezes.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen

from assistant.errors import PolicyError, UserError
from assistant.faults import describe
from assistant.i18n import language, set_language, tr
from assistant.roles import role_label
from assistant.service import Service
from assistant.storage.drafts_lifecycle import DraftStatus
from tui.screens.queue import QueueScreen
from tui.words import relabel, words

# What the first screen needs (the data freshness line, the policy verdict, the company in the
# title, amounts and dates in the user's formats) loads with the interface, before
# `relance review` freezes the garbage collector (assistant/cli.py `run_tui`), not inside the
# first paint (benchmarks/tui_bench.py).
FIRST_SCREEN = (
    "assistant.bank.freshness",
    "assistant.firm",
    "assistant.policyfile",
    "assistant.rules.calendar",
    "babel.dates",
    "babel.numbers",
)
for _module in FIRST_SCREEN:
    importlib.import_module(_module)

if TYPE_CHECKING:
    from tui.screens.policies import PoliciesScreen


def later(module: str, name: str) -> Callable[[], Screen[None]]:
    """A mode's screen, imported when first shown: the app starts with the queue's modules
    only (the other screens bring briefs, the planner, KPIs, bank and reply modules)."""

    def screen() -> Screen[None]:
        return getattr(importlib.import_module(module), name)()  # type: ignore[no-any-return]

    return screen


class RelanceApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "relance"
    MODES = {
        "queue": QueueScreen,
        "calls": later("tui.screens.calls", "CallsScreen"),
        "policies": later("tui.screens.policies", "PoliciesScreen"),
        "results": later("tui.screens.results", "ResultsScreen"),
        "replies": later("tui.screens.replies", "RepliesScreen"),
        "receipts": later("tui.screens.receipts", "ReceiptsScreen"),
    }
    BINDINGS = [
        Binding("f2", "switch_mode('queue')", words("File", "Queue")),
        Binding("f3", "switch_mode('calls')", words("Appels", "Calls")),
        Binding("f4", "switch_mode('policies')", words("Politiques", "Policies")),
        Binding("f5", "switch_mode('results')", words("Résultats", "Results")),
        Binding("f6", "switch_mode('receipts')", words("Encaissements", "Receipts")),
        Binding("f7", "switch_mode('replies')", words("Réponses", "Replies")),
        Binding("f1,question_mark", "help", words("Aide", "Help")),
    ]

    def __init__(self, service: Service, as_of: date) -> None:
        super().__init__()
        self.service = service
        self.as_of = as_of
        self.policy_editor: PoliciesScreen | None = None  # set once the editor was opened

    def on_mount(self) -> None:
        relabel(self)  # the key descriptions in the language now in force
        self.sub_title = self._sub_title()
        known = self.service.policy_verdict_known()
        self.refresh_header(policies=known)
        self.switch_mode("queue")
        if not known:  # validating every policy file takes about a second: after the first paint
            self.screen.call_after_refresh(self.validate_policies)

    @work(thread=True, exclusive=True, group="policies", exit_on_error=False)
    def validate_policies(self) -> None:
        """The policy files' verdict (remembered for the next start), then the header says it."""
        self.service.policy_problems()
        self.call_from_thread(self.refresh_header)

    def show_freshness(self) -> None:
        """Stale payment data shows in the header (and `send` refuses, like the CLI)."""
        self.refresh_header()

    def refresh_policy_problem(self) -> str | None:
        """An invalid policy file is shown in the header (planning and drafting are stopped;
        everything else works). Returns the problem, or None."""
        return self.refresh_header()

    def refresh_header(self, *, policies: bool = True) -> str | None:
        """The header says what stops work: an invalid policy file, stale payment data.
        Returns the policy problem, or None. `policies=False`: not known yet (being checked)."""
        problems = self.service.policy_problems() if policies else []
        problem = problems[0].splitlines()[0] if problems else None
        title = "relance"
        if (company := getattr(self.service, "company", None)) is not None:  # --company
            title += f" — {company.label()}"
        if problem is not None:
            more = tr(" (+{n})", " (+{n})", n=len(problems) - 1) if len(problems) > 1 else ""
            title += tr(" ⚠ politique invalide : ", " ⚠ invalid policy: ") + problem + more
        state = self.service.freshness(self.as_of)
        b = state.blocking
        if state.stale and b is not None:
            title += tr(" — ⚠ données périmées : {s} au {d}", " — ⚠ stale data: {s} as of {d}",
                        s=b.source, d=b.data_as_of.isoformat())  # fmt: skip
        self.title = title
        return problem

    def attempt(self, action: Callable[[], object]) -> bool:
        """Run a service call; a user or policy error becomes a notification, not a crash."""
        try:
            action()
        except (UserError, PolicyError) as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return False
        except (sqlite3.DatabaseError, OSError) as exc:  # disk full, read-only home
            known = describe(exc)
            if known is None:
                raise
            self.notify(known, severity="error", timeout=15)
            return False
        return True

    async def action_quit(self) -> None:
        """Quitting asks first when the policy editor holds unsaved edits."""
        editor = self.policy_editor
        if editor is None or not editor.is_mounted or not editor.dirty:
            self.exit()
            return
        from tui.widgets.modals import ConfirmModal

        def done(yes: bool | None) -> None:
            if yes:
                self.exit()

        question = tr(
            "{f} : modifications non enregistrées. Quitter quand même ?",
            "{f}: unsaved changes. Quit anyway?",
            f=editor.file,
        )
        self.push_screen(ConfirmModal(question, tr("Quitter", "Quit")), done)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry data (names, the server's words, errors): never markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            placeholder = tr("Chercher une commande…", "Search for commands…")
            self.push_screen(CommandPalette(placeholder=placeholder, id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Our commands, then Textual's useful ones, all in the interface's language."""
        if self.service.may("draft"):  # the role table (docs/roles.md)
            yield SystemCommand(
                tr("Créer les brouillons du jour", "Create today's drafts"),
                tr("Plan du jour → brouillons à valider", "Today's plan → drafts to review"),
                self.create_drafts,
            )
        if self.service.may("send"):
            yield SystemCommand(
                tr("Envoyer les brouillons approuvés", "Send approved drafts"),
                tr("SMTP ou fichiers .eml", "SMTP or .eml files"),
                self.confirm_send,
            )
        for mode, (fr, en) in {
            "queue": ("File de validation", "Review queue"),
            "calls": ("Appels du jour", "Today's calls"),
            "policies": ("Politiques et modèles", "Policies and templates"),
            "results": ("Résultats", "Results"),
            "replies": ("Réponses des clients", "Customer replies"),
            "receipts": ("Encaissements bancaires", "Bank receipts"),
        }.items():
            yield SystemCommand(tr(fr, en), tr("Aller à l'écran", "Go to screen"), self._go(mode))
        yield SystemCommand(
            tr("Aide", "Help"), tr("Touches et écrans", "Keys and screens"), self.action_help
        )
        yield SystemCommand(
            tr("English", "Français"),
            tr("Interface en anglais", "Interface in French"),
            lambda: self.set_ui_language("fr" if language() == "en" else "en"),
        )
        yield SystemCommand(
            tr("Thème", "Theme"),
            tr("Changer les couleurs", "Change the colours"),
            self.action_change_theme,
        )
        yield SystemCommand(
            tr("Capture d'écran", "Screenshot"),
            tr("Enregistrer l'écran en SVG", "Save the screen as SVG"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )
        yield SystemCommand(
            tr("Quitter", "Quit"), tr("Fermer relance", "Close relance"), self.action_quit
        )

    def _sub_title(self) -> str:
        title = tr("au {d}", "as of {d}", d=self.as_of.isoformat())
        if (person := self.service.person) is not None:  # the acting person and role
            title += f" — {person.name} ({role_label(person.role)})"
        return title

    def set_ui_language(self, lang: str) -> None:
        """Switch the interface language now: key descriptions in the footers, the header,
        and the screen shown (reasons and notes are rendered again from their codes)."""
        set_language(lang)
        relabel(self)
        self.sub_title = self._sub_title()
        self.refresh_header()
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()

    def _go(self, mode: str) -> Callable[[], None]:
        return lambda: self.switch_mode(mode)  # type: ignore[return-value]

    @work(thread=True, exclusive=True, group="batch", exit_on_error=False)
    def create_drafts(self) -> None:
        try:
            report = self.service.draft(self.as_of)
        except (UserError, PolicyError) as exc:  # a broken policy: said, the app goes on
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        self.call_from_thread(self.notify, "\n".join(report.lines()[:3]))
        self.call_from_thread(self._refresh_queue)

    def confirm_send(self) -> None:
        """Sending asks first, with the count, the total and where the messages go."""
        from tui.screens.queue import money_total
        from tui.widgets.modals import ConfirmModal

        approved = self.service.drafts(DraftStatus.APPROVED, texts=False)
        if not approved:
            self.notify(tr("Aucun brouillon approuvé à envoyer", "No approved draft to send"))
            return
        try:
            where = self.service.sender().destination()
        except (UserError, PolicyError) as exc:
            self.notify(str(exc), severity="error", timeout=15)
            return
        question = tr(
            "Envoyer {n} message(s) approuvé(s), {t} au total ?\nVers : {w}",
            "Send {n} approved message(s), {t} in total?\nTo: {w}",
            n=len(approved),
            t=money_total(approved),
            w=where,
        )

        def done(yes: bool | None) -> None:
            if yes:
                self.send_approved()

        self.push_screen(ConfirmModal(question, tr("Envoyer", "Send")), done)

    @work(thread=True, exclusive=True, group="batch")
    def send_approved(self) -> None:
        try:
            report = self.service.send()
        except UserError as exc:  # SMTP settings wrong: say so, keep the app running
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        severity = "error" if report.error or report.failed else "information"
        self.call_from_thread(self.notify, report.summary(), severity=severity, timeout=15)
        self.call_from_thread(self._refresh_queue)

    def _refresh_queue(self) -> None:
        if isinstance(self.screen, QueueScreen):
            self.screen.reload()


def make_app(service: Service, as_of: date | None = None) -> RelanceApp:
    return RelanceApp(service, as_of or service.store.today())
