"""Small modal dialogs: a reason, a choice, a call outcome form."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from assistant.i18n import tr


class ReasonModal(ModalScreen[str | None]):
    """Ask for a free-text reason (rejections)."""

    BINDINGS = [Binding("escape", "cancel", tr("Annuler", "Cancel"))]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text))
            yield Input(placeholder=tr("motif", "reason"), id="reason")
            with Horizontal(classes="buttons"):
                yield Button(tr("Valider", "OK"), variant="primary", id="ok")
                yield Button(tr("Annuler", "Cancel"), id="cancel")

    def on_input_submitted(self) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        text = self.query_one("#reason", Input).value.strip()
        if text:
            self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceModal(ModalScreen[str | None]):
    """Pick one option (regenerate with another tone or language)."""

    BINDINGS = [Binding("escape", "cancel", tr("Annuler", "Cancel"))]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text))
            yield OptionList(*[Option(label, id=value) for value, label in self.choices])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


OUTCOMES = [
    ("promise", ("Promesse de paiement", "Promise to pay")),
    ("plan", ("Plan de paiement", "Payment plan")),
    ("dispute", ("Litige", "Dispute")),
    ("paid", ("Déjà payé", "Already paid")),
    ("no-answer", ("Pas de réponse", "No answer")),
    ("wrong-contact", ("Mauvais contact", "Wrong contact")),
]


# the form's text fields: id, placeholder (French, English)
CALL_FIELDS = [
    ("date", ("date AAAA-MM-JJ : promise, ou payé le", "date YYYY-MM-DD: promised, or paid on")),
    ("amount", ("montant promis (optionnel)", "promised amount (optional)")),
    ("instalments", ("nombre d'échéances (plan)", "number of instalments (plan)")),
    ("invoice", ("facture (litige)", "invoice (dispute)")),
    ("note", ("note", "note")),
]


class CallOutcomeModal(ModalScreen[dict[str, object] | None]):
    """Log a call: outcome, promised date and amount, instalments, invoice, note."""

    BINDINGS = [Binding("escape", "cancel", tr("Annuler", "Cancel"))]

    def __init__(self, customer_id: str, today: date) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.today = today

    def compose(self) -> ComposeResult:
        # compact fields: the whole form, buttons included, fits an 80x24 terminal
        with VerticalScroll(classes="dialog wide call-form"):
            title = tr("Résultat de l'appel — {c}", "Call outcome — {c}", c=self.customer_id)
            yield Label(Text(title))
            yield Select(
                [(tr(*label), value) for value, label in OUTCOMES],
                value="promise",
                allow_blank=False,
                compact=True,
                id="outcome",
            )
            for name, placeholder in CALL_FIELDS:
                yield Input(placeholder=tr(*placeholder), compact=True, id=name)
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(tr("Enregistrer", "Save"), variant="primary", compact=True, id="ok")
                yield Button(tr("Annuler", "Cancel"), compact=True, id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        self.submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value.strip() for name, _ in CALL_FIELDS}
        self.dismiss({"outcome": self.query_one("#outcome", Select).value, **values})

    def show_error(self, message: str) -> None:
        self.query_one("#error", Label).update(Text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
