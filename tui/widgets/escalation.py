"""The escalation decision of a customer: payment plan, formal notice, hand-off, write-off."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from assistant.i18n import tr
from tui.widgets.modals import FormModal

DECISIONS = (
    ("plan", ("Plan de paiement (à négocier)", "Payment plan (to negotiate)")),
    ("notice", ("Mise en demeure (lettre PDF à valider)", "Formal notice (PDF letter to review)")),
    (
        "handoff",
        ("Contentieux (dossier, hors relances)", "Hand-off (litigation file, no reminder)"),
    ),
    ("writeoff", ("Passer en perte (hors relances)", "Write off (no reminder)")),
)


class EscalationModal(FormModal[dict[str, str] | None]):
    """Pick the decision and an optional note; the caller records it."""

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide call-form"):
            yield Label(
                tr("Décision d'escalade — {c}", "Escalation decision — {c}", c=self.customer_id)
            )
            yield Select(
                [(tr(*label), value) for value, label in DECISIONS],
                value="notice",
                allow_blank=False,
                compact=True,
                id="decision",
            )
            yield Input(
                placeholder=tr("note (facultatif)", "note (optional)"), compact=True, id="note"
            )
            with Horizontal(classes="buttons"):
                yield Button(tr("Décider", "Decide"), variant="primary", compact=True, id="ok")
                yield Button(tr("Annuler", "Cancel"), compact=True, id="cancel")

    def submit(self) -> None:
        self.dismiss(
            {
                "decision": str(self.query_one("#decision", Select).value),
                "note": self.query_one("#note", Input).value.strip(),
            }
        )
