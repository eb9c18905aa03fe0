"""The correction form of a reply: outcome and its facts, pre-filled with the suggestion."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from assistant.i18n import tr
from assistant.labels import suggestion_label
from assistant.replies.kinds import TRIAGE_OUTCOMES
from assistant.storage.replies_repo import Reply
from tui.widgets.modals import FormModal

# the form's text fields: id, placeholder (French, English)
TRIAGE_FIELDS = [
    ("date", ("date AAAA-MM-JJ : promise, ou payé le", "date YYYY-MM-DD: promised, or paid on")),
    ("amount", ("montant", "amount")),
    ("invoice", ("facture (litige)", "invoice (dispute)")),
    ("instalments", ("nombre d'échéances (plan)", "number of instalments (plan)")),
    ("customer", ("code client (réponse non rattachée)", "customer id (unmatched reply)")),
    ("note", ("note", "note")),
]


def prefill(reply: Reply) -> dict[str, str]:
    s = reply.suggestion
    if s is None:
        return {}
    return {
        "date": s.date.isoformat() if s.date else "",
        "amount": str(s.as_json()["amount"] or ""),
        "invoice": s.invoice or "",
        "instalments": str(s.instalments or ""),
        "customer": reply.customer_id or "",
    }


class TriageModal(FormModal[dict[str, object] | None]):
    """Correct a suggestion: outcome, date, amount, invoice, instalments, customer, note."""

    def __init__(self, reply: Reply) -> None:
        super().__init__()
        self.reply = reply

    def compose(self) -> ComposeResult:
        values = prefill(self.reply)
        s = self.reply.suggestion
        first = "none" if s is None or s.outcome == "other" else s.outcome
        with VerticalScroll(classes="dialog wide call-form"):
            yield Label(
                tr(
                    "Réponse n° {i} — ce qu'elle signifie",
                    "Reply #{i} — what it means",
                    i=self.reply.id,
                )
            )
            yield Select(
                [(suggestion_label(o), o) for o in TRIAGE_OUTCOMES],
                value=first,
                allow_blank=False,
                compact=True,
                id="outcome",
            )
            for name, placeholder in TRIAGE_FIELDS:
                yield Input(
                    values.get(name, ""), placeholder=tr(*placeholder), compact=True, id=name
                )
            with Horizontal(classes="buttons"):
                yield Button(tr("Enregistrer", "Save"), variant="primary", compact=True, id="ok")
                yield Button(tr("Annuler", "Cancel"), compact=True, id="cancel")

    def submit(self) -> None:
        values = {n: self.query_one(f"#{n}", Input).value.strip() for n, _ in TRIAGE_FIELDS}
        self.dismiss({"outcome": self.query_one("#outcome", Select).value, **values})
