"""Encaissements: bank credits and the invoices they may pay, with the evidence; a person
applies, rejects or reassigns each in one key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from assistant.bank.render import invoices_text, match_lines, match_status_label
from assistant.i18n import tr
from assistant.money import format_money
from assistant.storage.bank_repo import MatchView
from tui.roles import RoleGate
from tui.widgets.footer import Footer
from tui.widgets.modals import FormModal
from tui.words import words

if TYPE_CHECKING:
    from tui.app import RelanceApp

TO_DECIDE = ("proposed", "unmatched")


class InvoicesModal(FormModal[list[str] | None]):
    """The invoices a credit pays, typed by a person (prefilled with another candidate's)."""

    def __init__(self, title: str, value: str) -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text)
            yield Input(self.value, placeholder="FA-2026-0001 FA-2026-0002", id="invoices")
            with Horizontal(classes="buttons"):
                yield Button(tr("Appliquer", "Apply"), variant="primary", id="ok")
                yield Button(tr("Annuler", "Cancel"), id="cancel")

    def submit(self) -> None:
        numbers = self.query_one("#invoices", Input).value.replace(",", " ").split()
        if numbers:
            self.dismiss(numbers)


def receipt_row(m: MatchView, names: dict[str, str]) -> tuple[Text | str, ...]:
    best = m.shown
    return (
        str(m.id),
        m.bank_date.strftime("%d/%m"),
        Text(format_money(m.amount_cents, m.currency, "fr_FR"), justify="right"),
        names.get(best.customer_id, best.customer_id)[:18] if best else (m.payer or "")[:18],
        invoices_text(m)[:16],
        Text(str(best.score) if best else "—", justify="right"),
        match_status_label(m.status.value),
    )


class ReceiptsScreen(RoleGate, Screen[None]):
    BINDINGS = [
        Binding("a", "apply", words("Appliquer", "Apply")),
        Binding("r", "reject", words("Rejeter", "Reject")),
        Binding("e", "reassign", words("Réaffecter", "Reassign")),
        Binding("u", "undo", words("Annuler l'application", "Undo")),
        Binding("v", "toggle_all", words("Tout / à décider", "All / to decide")),
        Binding("ctrl+r", "reload", words("Actualiser", "Reload"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[MatchView] = []
        self.names: dict[str, str] = {}
        self.show_all = False

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="receipts-count")
        with Horizontal():
            yield DataTable(id="receipts", cursor_type="row")
            with VerticalScroll(id="receipt-pane"):
                yield Static("", id="receipt-evidence")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("Encaissements", "Receipts")
        table = self.query_one("#receipts", DataTable)
        for title, width in ((tr("N°", "No."), 3), (tr("Date", "Date"), 5),
                             (tr("Montant", "Amount"), 11), (tr("Client / payeur", "Customer"), 18),
                             (tr("Factures", "Invoices"), 16), (tr("Score", "Score"), 5),
                             (tr("Statut", "Status"), 12)):  # fmt: skip
            table.add_column(title, width=width)
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self, keep: int = 0) -> None:
        service = self.relance.service
        everything = service.matches()
        self.items = (
            everything if self.show_all else [m for m in everything if m.status in TO_DECIDE]
        )
        self.names = service.customer_names()
        table = self.query_one("#receipts", DataTable)
        table.clear()
        for m in self.items:
            table.add_row(*receipt_row(m, self.names), key=str(m.id))
        waiting = sum(1 for m in everything if m.status.value == "proposed")
        self.query_one("#receipts-count", Static).update(
            tr("{p} encaissement(s) à confirmer · {u} sans facture · {n} au total",
               "{p} receipt(s) to confirm · {u} without invoice · {n} in all",
               p=waiting, u=sum(1 for m in everything if m.status.value == "unmatched"),
               n=len(everything))
        )  # fmt: skip
        if self.items:
            table.move_cursor(row=min(keep, len(self.items) - 1))
            self.show_evidence(table.cursor_row)
        else:
            self.query_one("#receipt-evidence", Static).update(
                tr("Rien à confirmer.", "Nothing to confirm.")
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_evidence(event.cursor_row)

    def show_evidence(self, row: int) -> None:
        if 0 <= row < len(self.items):
            text = "\n".join(match_lines(self.items[row], self.names))
            self.query_one("#receipt-evidence", Static).update(Text(text))

    def current(self) -> MatchView | None:
        row = self.query_one("#receipts", DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def _after(self, message: str) -> None:
        self.notify(message)
        self.action_reload(keep=self.query_one("#receipts", DataTable).cursor_row)

    def action_apply(self) -> None:
        m = self.current()
        if m is not None and self.relance.attempt(lambda: self.relance.service.apply_match(m.id)):
            self._after(tr("Encaissement {i} appliqué", "Receipt {i} applied", i=m.id))

    def action_reject(self) -> None:
        m = self.current()
        if m is not None and self.relance.attempt(
            lambda: self.relance.service.reject_match(m.id, tr("rejeté à l'écran", "rejected"))
        ):
            self._after(tr("Encaissement {i} rejeté", "Receipt {i} rejected", i=m.id))

    def action_undo(self) -> None:
        m = self.current()
        if m is not None and self.relance.attempt(lambda: self.relance.service.undo_match(m.id)):
            self._after(tr("Encaissement {i} annulé", "Receipt {i} undone", i=m.id))

    def action_reassign(self) -> None:
        m = self.current()
        if m is None:
            return
        others = [c for c in m.candidates if c.rank != (m.chosen or 0)] or m.candidates
        value = " ".join(n for n, _ in others[0].allocations) if others else ""

        def done(numbers: list[str] | None) -> None:
            if numbers and self.relance.attempt(
                lambda: self.relance.service.apply_match(m.id, numbers)
            ):
                self._after(tr("Encaissement {i} affecté à {n}", "Receipt {i} assigned to {n}",
                               i=m.id, n=", ".join(numbers)))  # fmt: skip

        title = tr("Factures réglées par l'encaissement {i} (dans l'ordre)",
                   "Invoices paid by receipt {i} (in order)", i=m.id)  # fmt: skip
        self.app.push_screen(InvoicesModal(title, value), done)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.action_reload()
