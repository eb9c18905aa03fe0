"""The manager's policies: edit tone, scenario and templates; validated before saving, with a
live preview of a real draft re-rendered under the edited text."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from assistant.errors import PolicyError, UserError
from assistant.i18n import tr
from assistant.storage.drafts_lifecycle import DraftStatus
from tui.roles import RoleGate
from tui.widgets.footer import Footer
from tui.words import words

if TYPE_CHECKING:
    from tui.app import RelanceApp


class PoliciesScreen(RoleGate, Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", words("Enregistrer", "Save"), priority=True),
        Binding("ctrl+e", "preview", words("Aperçu", "Preview"), priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.file: str | None = None
        self._timer: Timer | None = None
        self.saved_text = ""  # the file's text as opened or last saved
        self.saved_version: int | None = None  # its version on PostgreSQL (compare-and-set)
        self._generation = 0  # a render's result shows only if nothing newer was asked

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="files")
            with Vertical(id="policy-editor"):
                yield Label("", id="policy-file", classes="pane-title")
                yield TextArea(id="policy-text", soft_wrap=True, show_line_numbers=True)
                yield Static("", id="policy-status")
                yield Static("", id="policy-help")
            with Vertical(id="policy-preview"):
                yield Label(
                    tr("Aperçu sur un vrai brouillon", "Preview on a real draft"),
                    classes="pane-title",
                )
                with VerticalScroll():
                    yield Static("", id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.relance.policy_editor = self
        self.sub_title = tr("Politiques et modèles", "Policies and templates")
        files = self.query_one("#files", OptionList)
        names = self.relance.service.policy_files()
        files.add_options([Option(Text(name), id=name) for name in names])
        files.highlighted = 0
        self.open_file(self.relance.service.policy_files()[0])

    @property
    def dirty(self) -> bool:
        """Edits not saved yet."""
        return self.file is not None and (
            self.query_one("#policy-text", TextArea).text != self.saved_text
        )

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if not event.option.id or event.option.id == self.file:
            return
        target = event.option.id
        if not self.dirty:
            self.open_file(target)
            return
        from tui.widgets.modals import ConfirmModal

        def done(discard: bool | None) -> None:
            if discard:
                self.open_file(target)
            else:  # stay on the edited file
                files = self.query_one("#files", OptionList)
                names = self.relance.service.policy_files()
                with files.prevent(OptionList.OptionHighlighted):
                    files.highlighted = names.index(self.file or "")

        question = tr(
            "{f} : modifications non enregistrées. Les abandonner ?",
            "{f}: unsaved changes. Discard them?",
            f=self.file,
        )
        self.app.push_screen(ConfirmModal(question, tr("Abandonner", "Discard")), done)

    def open_file(self, name: str) -> None:
        self.file = name
        self.query_one("#policy-file", Label).update(Text(name))
        area = self.query_one("#policy-text", TextArea)
        area.language = "yaml" if name.endswith(".yaml") else None
        opened = self.relance.service.policy_file(name)
        area.text = self.saved_text = opened.text
        self.saved_version = opened.version
        self.set_status("", ok=True)
        help_text = ""
        if name.startswith("templates/"):
            help_text = tr(
                "Variables possibles : {v}",
                "Variables you may use: {v}",
                v=", ".join(self.relance.service.template_variables(name)),
            )
        self.query_one("#policy-help", Static).update(Text(help_text, style="dim"))
        self.action_preview()

    def set_status(self, message: str, *, ok: bool) -> None:
        self.query_one("#policy-status", Static).update(
            Text(message, style="green" if ok else "bold red")
        )

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id != "policy-text":
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.4, self.action_preview)

    def _preview_draft(self) -> int | None:
        drafts = self.relance.service.drafts(DraftStatus.PENDING)  # internal notices included
        name = (self.file or "").removeprefix("templates/")
        matching = [d for d in drafts if d.template_name == name]
        chosen = (matching or drafts or [None])[0]
        return chosen.id if chosen else None

    def action_preview(self) -> None:
        if self.file is None:
            return
        self._generation += 1
        text = self.query_one("#policy-text", TextArea).text
        self.preview(self.file, text, self._generation)

    @work(thread=True, exclusive=True, group="policy-preview", exit_on_error=False)
    def preview(self, name: str, text: str, generation: int) -> None:
        """Render off the UI thread (a manager's template may be slow or broken: the sandbox
        stops it, and the reason goes to the status line)."""
        try:
            draft_id = self._preview_draft()
            if draft_id is None:
                self.relance.service.validate_policy(name, text)
                content = Text(tr("(aucun brouillon en attente)", "(no pending draft)"))
            else:
                rendered = self.relance.service.preview_policy(draft_id, name, text)
                content = Text.assemble((f"#{draft_id} · {rendered.subject}\n\n", "bold"))
                content.append(rendered.body)
        except (PolicyError, UserError) as exc:
            problem = f"✗ {exc}"
            self._from_worker(generation, lambda: self.set_status(problem, ok=False))
            return
        self._from_worker(generation, lambda: self._show_preview(content))

    def _from_worker(self, generation: int, update: Callable[[], None]) -> None:
        """Apply a worker's result unless a newer preview, a save or another file came since
        (checked on the UI thread, where the generation changes)."""
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(lambda: update() if generation == self._generation else None)

    def _show_preview(self, content: Text) -> None:
        self.query_one("#preview", Static).update(content)
        self.set_status(tr("✓ valide", "✓ valid"), ok=True)

    def action_save(self) -> None:
        if self.file is None:
            return
        if self._timer is not None:  # the save's verdict must not be overwritten by a preview
            self._timer.stop()
        self._generation += 1  # a preview still running is now stale
        self.workers.cancel_group(self, "policy-preview")
        self.save(self.file, self.query_one("#policy-text", TextArea).text, self.saved_version)

    @work(thread=True, exclusive=True, group="policy-save", exit_on_error=False)
    def save(self, name: str, text: str, seen: int | None = None) -> None:
        try:
            saved = self.relance.service.save_policy(name, text, seen=seen)
        except (PolicyError, UserError) as exc:
            message = tr("Refusé, rien n'est écrit : {e}", "Refused, nothing written: {e}", e=exc)
            self.app.call_from_thread(self.set_status, message, ok=False)
            return
        self.app.call_from_thread(self._saved, text, saved.version, saved.notes, saved.file_version)

    def _saved(
        self, text: str, version: str, notes: list[str], file_version: int | None = None
    ) -> None:
        self.saved_text = text
        self.saved_version = file_version
        self.relance.refresh_policy_problem()
        status = tr("Enregistré (version {v})", "Saved (version {v})", v=version)
        self.set_status("\n".join([status, *notes]), ok=True)
        self.notify(
            "\n".join([tr("Politique enregistrée", "Policy saved"), *notes]),
            severity="warning" if notes else "information",
            timeout=12 if notes else 4,
        )
