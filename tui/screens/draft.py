"""One draft beside its approved template, differences highlighted; edit, approve and next,
reject, regenerate (in a worker, cancellable).

Opening a draft claims it for a few minutes (renewed while it stays open, released on leaving):
another person opening it sees « en cours : NAME (jusqu'à HH:MM) », its actions disabled, and may
take it over (ctrl+t, recorded). Every action carries the version shown: a draft changed since
is refused with one line, nothing saved (docs/concurrency.md)."""

from __future__ import annotations

import difflib
import re
import sqlite3
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Label, LoadingIndicator, Static, TextArea
from textual.worker import Worker, WorkerState

from assistant.cancel import Cancellation
from assistant.drafting.conflicts import claim_line
from assistant.drafting.queue import DraftView
from assistant.i18n import tr
from assistant.labels import channel_label, source_label, status_label, step_label
from assistant.money import format_money
from assistant.reasons import render
from assistant.render import who_line
from assistant.storage.claims_repo import Claim
from assistant.storage.drafts_lifecycle import DraftStatus
from tui.roles import RoleGate
from tui.widgets.footer import Footer
from tui.words import words

if TYPE_CHECKING:
    from tui.app import RelanceApp

REGENERATE_CHOICES = [
    ("softer", ("Plus doux", "Softer")),
    ("firmer", ("Plus ferme (dans la politique)", "Firmer (within policy)")),
    ("shorter", ("Plus court", "Shorter")),
    ("longer", ("Plus long", "Longer")),
    ("lang:en", ("En anglais", "In English")),
    ("lang:fr", ("En français", "In French")),
]


def diff_text(template: str, current: str) -> Text:
    """The template with the draft's changes: removed words struck in red, added in green."""
    old, new = re.split(r"(\s+)", template), re.split(r"(\s+)", current)
    out = Text()
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(old[a1:a2]))
            continue
        if op in ("delete", "replace"):
            out.append("".join(old[a1:a2]), style="strike red")
        if op in ("insert", "replace"):
            out.append("".join(new[b1:b2]), style="bold green")
    return out


class DraftScreen(RoleGate, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", words("Retour / annuler", "Back / cancel")),
        Binding(
            "ctrl+a", "approve", words("Approuver et suivant", "Approve and next"), priority=True
        ),
        Binding("ctrl+s", "save", words("Enregistrer l'édition", "Save edit"), priority=True),
        Binding("ctrl+r", "reject", words("Rejeter", "Reject"), priority=True),
        Binding("ctrl+g", "regenerate", words("Régénérer", "Regenerate"), priority=True),
        Binding(
            "ctrl+u", "unapprove", words("Remettre en attente", "Back to pending"), priority=True
        ),
        Binding("ctrl+n", "next", words("Suivant", "Next"), priority=True),
        Binding("ctrl+b", "previous", words("Précédent", "Previous"), priority=True),
        Binding("ctrl+t", "take_over", words("Prendre la main", "Take over"), priority=True),
        Binding("ctrl+l", "reload", words("Recharger", "Reload"), show=False),
    ]
    # the actions a claim by another person disables (shown dimmed until taken over)
    CLAIMED_ACTIONS = frozenset({"approve", "save", "reject", "regenerate", "unapprove"})
    RENEW_SECONDS = 60.0  # the claim is renewed while the view stays open

    def __init__(self, draft_id: int, order: list[int] | None = None) -> None:
        super().__init__()
        self.draft_id = draft_id
        self.order = order or [draft_id]
        self.draft: DraftView | None = None
        self.worker: Worker[DraftView] | None = None
        self.cancellation: Cancellation | None = None
        self._check_timer: Timer | None = None
        self.held_by: Claim | None = None  # another person's claim on the draft shown
        self.shown_version = 0  # the version on screen: every write names it
        self._claimed: int | None = None  # the draft this view holds a claim on

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="facts")
        yield Static("", id="violations")
        with Horizontal(id="panes"):
            with Vertical(id="editor"):
                yield Label(tr("Brouillon (modifiable)", "Draft (editable)"), classes="pane-title")
                yield Input(id="subject")
                yield TextArea(id="body", soft_wrap=True)
            with Vertical(id="reference"):
                yield Label(
                    tr("Modèle approuvé et différences", "Approved template and changes"),
                    classes="pane-title",
                )
                with VerticalScroll():
                    yield Static("", id="diff")
        yield LoadingIndicator(id="busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#busy").display = False
        self.load(self.draft_id)
        self.set_interval(self.RENEW_SECONDS, self.renew_claim)

    # -- the claim: who has this draft open ----------------------------------------------
    def _claim(self, draft_id: int) -> None:
        """Hold the draft shown (release the one left); note another person's claim."""
        service = self.relance.service
        if self._claimed is not None and self._claimed != draft_id:
            self.release_claim()
        try:
            found = service.claim_draft(draft_id)
        except (sqlite3.DatabaseError, OSError):  # a read-only or full home: shown, unclaimed
            self.held_by = self._claimed = None
            return
        mine = found.person == service.actor
        self.held_by = None if mine else found
        self._claimed = draft_id if mine else None

    def release_claim(self) -> None:
        if self._claimed is not None:
            claimed, self._claimed = self._claimed, None
            self.relance.attempt(lambda: self.relance.service.release_draft(claimed))

    def renew_claim(self) -> None:
        """Extend this view's claim (or take a free one); show a claim that appeared."""
        if not self.is_mounted or self.draft is None:
            return
        before = self.held_by
        self._claim(self.draft_id)
        if before != self.held_by:
            self.load(self.draft_id, keep_text=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "take_over" and self.held_by is None:
            return False  # nothing to take over: not shown
        if action in self.CLAIMED_ACTIONS and self.held_by is not None:
            return None  # shown dimmed: another person has the draft open
        return super().check_action(action, parameters)

    def action_take_over(self) -> None:
        if self.held_by is None:
            return
        if self.relance.attempt(lambda: self.relance.service.take_over_draft(self.draft_id)):
            self.notify(
                tr(
                    "Vous avez pris la main sur le brouillon {i} (à la place de {p})",
                    "You took draft {i} over (from {p})",
                    i=self.draft_id,
                    p=self.held_by.person,
                )
            )
            self.load(self.draft_id)

    def action_reload(self) -> None:
        self.load(self.draft_id)

    def on_unmount(self) -> None:
        self.release_claim()

    def load(self, draft_id: int, *, keep_text: bool = False) -> None:
        """Show the draft (and claim it); `keep_text`: unsaved typing stays in the editor."""
        keep = keep_text and draft_id == self.draft_id and self._edited()
        self._claim(draft_id)
        self.draft_id = draft_id
        d = self.draft = self.relance.service.get_draft(draft_id)
        if not keep:  # kept typing was made on the version shown before: it stays the one named
            self.shown_version = d.version
        self.sub_title = (
            f"#{d.id} · {d.customer_name} · {step_label(d.step)} · {status_label(d.status)}"
        )
        amounts = format_money(d.total_cents, d.currency, "fr_FR")
        facts = Text.assemble(
            (f"{d.customer_name} ({d.customer_id})", "bold"),
            f" · {step_label(d.step)} · {channel_label(d.channel)} · {d.language} · ",
            (tr("factures : ", "invoices: ") + ", ".join(d.invoices), "cyan"),
            f" · {amounts} · ",
            tr("{n} j de retard", "{n} days late", n=d.max_days_late),
            f" · {d.recipient or '—'}" + (f" (cc {', '.join(d.cc)})" if d.cc else ""),
            (f" · {tr('source', 'source')} {source_label(d.source)}", "magenta"),
            f"\n{render(d.reason)}",
        )
        if d.attachments:
            facts.append("\n" + tr("Pièces jointes : ", "Attachments: "))
            for i, item in enumerate(d.attachments):
                facts.append(", " if i else "")
                facts.append(item.label(), style="bold red" if item.problem else "")
        if d.error:  # the server's words (failed, to retry), why it was cancelled or held,
            # or the note of a new version (policy or company facts changed): not an error
            style = "yellow" if d.status == DraftStatus.PENDING else "bold red"
            facts.append(f"\n{status_label(d.status)} : {render(d.error)}", style=style)
        if d.by:  # who edited, approved, rejected, sent it (docs/roles.md)
            facts.append("\n" + who_line(d.by), style="dim")
        if self.held_by is not None:  # another person has it open: say who, until when
            facts.append(
                "\n⚑ "
                + claim_line(self.held_by)
                + tr(
                    " — actions désactivées (ctrl+t : prendre la main)",
                    " — actions disabled (ctrl+t: take over)",
                ),
                style="bold yellow",
            )
        self.query_one("#facts", Static).update(facts)
        self.show_checks(d.checks)
        if not keep:
            self.query_one("#subject", Input).value = d.subject
            self.query_one("#body", TextArea).text = d.body
            self.query_one("#diff", Static).update(diff_text(d.template_body, d.body))
        editable = (
            d.status == DraftStatus.PENDING
            and self.relance.service.may("edit")
            and self.held_by is None
        )
        self.query_one("#subject", Input).disabled = not editable
        self.query_one("#body", TextArea).read_only = not editable
        self.refresh_bindings()

    def show_checks(self, checks: list[str]) -> None:
        """The fact checks of the text as it stands (the LLM's refused attempts apart)."""
        d = self.draft
        line = (
            Text("⚠ " + " · ".join(checks), style="bold red")
            if checks
            else Text("✓ " + tr("contrôles passés", "checks passed"), style="green")
        )
        if d is not None and d.violations:
            line.append(
                tr(
                    "\n(réécriture du LLM refusée, texte du modèle conservé : {v})",
                    "\n(LLM rewrite refused, template text kept: {v})",
                    v=" · ".join(d.violations),
                ),
                style="dim",
            )
        self.query_one("#violations", Static).update(line)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.draft is not None:
            self.query_one("#diff", Static).update(
                diff_text(self.draft.template_body, event.text_area.text)
            )
            self._schedule_check()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "subject" and self.draft is not None:
            self._schedule_check()

    def _schedule_check(self) -> None:
        """Re-check the facts as the person types (debounced); the saved text's checks are
        already known."""
        if self._check_timer is not None:
            self._check_timer.stop()
            self._check_timer = None
        if not self._edited():
            if self.draft is not None:
                self.show_checks(self.draft.checks)
            return
        self._check_timer = self.set_timer(0.3, self.check_now)

    def check_now(self) -> list[str]:
        if self.draft is None or not self.is_mounted:
            return []
        body = self.query_one("#body", TextArea).text
        subject = self.query_one("#subject", Input).value
        checks: list[str] = []
        self.relance.attempt(
            lambda: checks.extend(self.relance.service.check_text(self.draft_id, subject, body))
        )
        self.show_checks(checks)
        return checks

    def _edited(self) -> bool:
        d = self.draft
        return d is not None and (
            self.query_one("#body", TextArea).text != d.body
            or self.query_one("#subject", Input).value != d.subject
        )

    def action_save(self) -> bool:
        if not self._edited():
            return True
        body = self.query_one("#body", TextArea).text
        subject = self.query_one("#subject", Input).value
        seen = self.shown_version
        ok = self.relance.attempt(
            lambda: self.relance.service.edit_draft(self.draft_id, body, subject, version=seen)
        )
        if ok:
            self.notify(tr("Modification enregistrée", "Edit saved"))
            self.load(self.draft_id)
        return ok

    def action_approve(self) -> None:
        if not self.action_save():
            return
        d = self.draft  # as shown (after a save: reloaded); its version goes with the yes
        if d is None:
            return
        if d.checks:  # approving a text that fails the checks needs a reason, recorded
            from tui.widgets.modals import ReasonModal

            title = tr(
                "Contrôles non passés : {c}\nApprouver quand même ? Motif :",
                "Failed checks: {c}\nApprove anyway? Reason:",
                c=" · ".join(d.checks),
            )
            self.app.push_screen(ReasonModal(title), self._approve_with)
            return
        self._approve_with(None)

    def _approve_with(self, override: str | None) -> None:
        d = self.draft
        if d is not None and d.checks and not override:
            return  # cancelled
        seen = {self.draft_id: self.shown_version}
        if self.relance.attempt(
            lambda: self.relance.service.approve([self.draft_id], override=override, versions=seen)
        ):
            self.notify(tr("Brouillon {i} approuvé", "Draft {i} approved", i=self.draft_id))
            self.action_next(after_approval=True)

    def action_unapprove(self) -> None:
        seen = {self.draft_id: self.shown_version}
        if self.relance.attempt(
            lambda: self.relance.service.unapprove([self.draft_id], versions=seen)
        ):
            self.notify(
                tr("Brouillon {i} remis en attente", "Draft {i} back to pending", i=self.draft_id)
            )
            self.load(self.draft_id)

    def action_next(self, after_approval: bool = False) -> None:
        pending = {d.id for d in self.relance.service.drafts(DraftStatus.PENDING)}
        index = self.order.index(self.draft_id) if self.draft_id in self.order else -1
        following = [i for i in self.order[index + 1 :] if i in pending]
        if following:
            self.load(following[0])
        elif after_approval:
            self.notify(tr("Fin de la file", "End of the queue"))
            self.app.pop_screen()

    def action_previous(self) -> None:
        index = self.order.index(self.draft_id) if self.draft_id in self.order else 0
        if index > 0:
            self.load(self.order[index - 1])

    def action_reject(self) -> None:
        from tui.widgets.modals import ReasonModal

        seen = {self.draft_id: self.shown_version}

        def done(reason: str | None) -> None:
            if reason and self.relance.attempt(
                lambda: self.relance.service.reject([self.draft_id], reason, versions=seen)
            ):
                self.notify(tr("Brouillon rejeté", "Draft rejected"))
                self.action_next(after_approval=True)

        self.app.push_screen(ReasonModal(tr("Motif du rejet", "Rejection reason")), done)

    def action_regenerate(self) -> None:
        from tui.widgets.modals import ChoiceModal

        choices = [(value, tr(*label)) for value, label in REGENERATE_CHOICES]

        def chosen(value: str | None) -> None:
            if value:
                self.query_one("#busy").display = True
                if self.cancellation is not None:  # the worker this one replaces writes nothing
                    self.cancellation.cancel()
                self.cancellation = Cancellation()
                self.worker = self.regenerate(value, self.cancellation, self.shown_version)

        self.app.push_screen(ChoiceModal(tr("Régénérer", "Regenerate"), choices), chosen)

    @work(thread=True, exclusive=True, group="regenerate", exit_on_error=False)
    def regenerate(self, choice: str, cancel: Cancellation, seen: int) -> DraftView:
        language = choice.removeprefix("lang:") if choice.startswith("lang:") else None
        tone = None if language else choice
        return self.relance.service.regenerate(
            self.draft_id, adjustment=tone, language=language, cancel=cancel, version=seen
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.worker:
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.query_one("#busy").display = False
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            new = event.worker.result
            self.order = [new.id if i == self.draft_id else i for i in self.order]
            self.load(new.id)
            note = tr("Nouvelle version : {s}", "New version: {s}", s=source_label(new.source))
            self.notify(note)
        elif event.state == WorkerState.ERROR:
            self.notify(str(event.worker.error), severity="error")

    def action_back(self) -> None:
        if self.worker is not None and self.worker.is_running:
            if self.cancellation is not None and not self.cancellation.cancel():
                # the new version is already being stored: it will show in a moment
                self.notify(
                    tr(
                        "Trop tard : la nouvelle version est déjà enregistrée",
                        "Too late: the new version is already stored",
                    )
                )
                return
            self.worker.cancel()
            self.worker = None
            self.query_one("#busy").display = False
            self.notify(tr("Régénération annulée", "Regeneration cancelled"))
            return
        self.release_claim()
        self.app.pop_screen()
