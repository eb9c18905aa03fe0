"""Small modal dialogs: a reason, a choice, a call outcome form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.inputs import parse_day, parse_money
from tui.words import words

ResultT = TypeVar("ResultT")


class FormModal(ModalScreen[ResultT]):
    """A dialog of fields with « OK » and « Annuler »: Enter in a field or the OK button calls
    `submit()`; Escape or « Annuler » closes it with nothing."""

    BINDINGS = [Binding("escape", "cancel", words("Annuler", "Cancel"))]

    def submit(self) -> None:
        raise NotImplementedError

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        self.submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonModal(FormModal[str | None]):
    """Ask for a free-text reason (rejections)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text))
            yield Input(placeholder=tr("motif", "reason"), id="reason")
            yield Label("", id="reason-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(tr("Valider", "OK"), variant="primary", id="ok")
                yield Button(tr("Annuler", "Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def submit(self) -> None:
        text = self.query_one("#reason", Input).value.strip()
        if text:
            self.dismiss(text)
        else:  # refused with a message, never silently ignored
            self.query_one("#reason-error", Label).update(
                tr(
                    "Un motif est nécessaire (Échap pour annuler).",
                    "A reason is required (Escape to cancel).",
                )
            )


class ConfirmModal(ModalScreen[bool]):
    """Ask before a decision that sends or approves many messages at once."""

    BINDINGS = [Binding("escape", "cancel", words("Annuler", "Cancel"))]

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button(tr("Annuler", "Cancel"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe choice has the focus

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)


class ChoiceModal(ModalScreen[str | None]):
    """Pick one option (regenerate with another tone or language)."""

    BINDINGS = [Binding("escape", "cancel", words("Annuler", "Cancel"))]

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
    ("date", ("date jj/mm/aaaa : promise, ou payé le", "date dd/mm/yyyy: promised, or paid on")),
    ("amount", ("montant promis (optionnel)", "promised amount (optional)")),
    ("instalments", ("nombre d'échéances (plan)", "number of instalments (plan)")),
    ("invoice", ("facture (litige)", "invoice (dispute)")),
    ("note", ("note", "note")),
]


def parse_call_fields(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's text fields as `Service.log_call` arguments, and a clear error per field."""
    args: dict[str, Any] = {"note": values["note"] or None, "invoice": values["invoice"] or None}
    errors: dict[str, str] = {}
    if values["date"]:
        try:
            args["promised"] = parse_day(values["date"], tr("date", "date"))
        except UserError as exc:
            errors["date"] = str(exc)
    if values["amount"]:
        try:
            args["amount_cents"] = parse_money(values["amount"], tr("montant", "amount"))
        except UserError as exc:
            errors["amount"] = str(exc)
    if values["instalments"]:
        text = values["instalments"].strip()
        if text.isdigit() and 1 <= int(text) <= 24:
            args["instalments"] = int(text)
        else:
            errors["instalments"] = tr(
                "un nombre entier d'échéances, de 1 à 24", "a whole number of instalments, 1 to 24"
            )
    return args, errors


class CallOutcomeModal(FormModal[dict[str, object] | None]):
    """Log a call: outcome, promised date and amount, instalments, invoice, note.

    `submit(outcome, args)` records it; a bad value or a refusal is shown under its field or
    below the form, and everything typed stays (the dialog closes only once recorded)."""

    def __init__(
        self,
        customer_id: str,
        today: date,
        submit: Callable[[str, dict[str, Any]], dict[str, object]] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.today = today
        self.submit_to = submit
        self.title_text = title or self.customer_id

    def compose(self) -> ComposeResult:
        # compact fields: the whole form, buttons included, fits an 80x24 terminal
        with VerticalScroll(classes="dialog wide call-form"):
            title = tr("Résultat de l'appel — {c}", "Call outcome — {c}", c=self.title_text)
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
                yield Label("", id=f"{name}-error", classes="error field-error")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(tr("Enregistrer", "Save"), variant="primary", compact=True, id="ok")
                yield Button(tr("Annuler", "Cancel"), compact=True, id="cancel")

    def on_mount(self) -> None:
        for name, _ in CALL_FIELDS:
            self.query_one(f"#{name}-error", Label).display = False
        self.query_one("#outcome", Select).focus()  # the first field

    def submit(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value.strip() for name, _ in CALL_FIELDS}
        outcome = str(self.query_one("#outcome", Select).value)
        args, errors = parse_call_fields(values)
        for name, _ in CALL_FIELDS:
            label = self.query_one(f"#{name}-error", Label)
            label.update(errors.get(name, ""))
            label.display = name in errors
        self.show_error("")
        if errors:
            self.query_one(f"#{next(iter(errors))}", Input).focus()
            return
        if self.submit_to is None:
            self.dismiss({"outcome": outcome, **values})
            return
        try:
            result = self.submit_to(outcome, args)
        except UserError as exc:  # refused (a date in the past, a plan too long...): say so
            self.show_error(str(exc))
            return
        self.dismiss(result)

    def show_error(self, message: str) -> None:
        self.query_one("#error", Label).update(Text(message))
