"""Customer replies to triage: the reply beside the message it answers and the customer's
situation; the suggestion with its evidence highlighted; one key to accept, a form to correct."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from assistant.dates import parse_date
from assistant.errors import UserError
from assistant.i18n import language, tr
from assistant.labels import match_label, reply_kind_label, suggestion_label
from assistant.money import format_money, parse_amount
from assistant.replies.triage import TriageInput
from assistant.storage.replies_repo import Reply
from tui.roles import RoleGate
from tui.widgets.footer import Footer
from tui.words import words

if TYPE_CHECKING:
    from tui.app import RelanceApp


def highlighted(text: str, spans: list[tuple[int, int]]) -> Text:
    """The reply's words, the evidence of the suggestion highlighted."""
    out = Text(text)
    for start, end in spans:
        out.stylize("bold black on yellow", start, end)
    return out


def accepted(reply: Reply) -> TriageInput:
    """The suggestion as a triage (an `other` suggestion is answered by `none`)."""
    s = reply.suggestion
    if s is None or s.outcome == "other":
        return TriageInput("none")
    return TriageInput(
        s.outcome,
        date=s.date,
        amount_cents=s.amount_cents,
        invoice=s.invoice,
        instalments=s.instalments,
        note=tr("suggestion acceptée", "suggestion accepted"),
    )


def triage_input(form: dict[str, Any]) -> TriageInput:
    """The correction form's fields as a triage (clear errors)."""
    try:
        return TriageInput(
            outcome=str(form["outcome"]),
            date=parse_date(form["date"]) if form["date"] else None,
            amount_cents=parse_amount(form["amount"]) if form["amount"] else None,
            invoice=form["invoice"] or None,
            instalments=int(form["instalments"]) if form["instalments"] else None,
            note=form["note"] or None,
            customer_id=form["customer"] or None,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc


class RepliesScreen(RoleGate, Screen[None]):
    BINDINGS = [
        Binding("a", "accept", words("Accepter la suggestion", "Accept suggestion")),
        Binding("c", "correct", words("Corriger", "Correct")),
        Binding("t", "toggle", words("À traiter / toutes", "To triage / all")),
        Binding("ctrl+r", "reload", words("Actualiser", "Reload")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Reply] = []
        self.show_all = False

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="replies-count")
        with Horizontal():
            yield DataTable(id="replies", cursor_type="row")
            with VerticalScroll(id="reply-pane"):
                yield Static("", id="reply-head")
                yield Static("", id="reply-text")
                yield Static("", id="reply-suggestion")
                with Horizontal(id="reply-context"):
                    with Vertical(id="reply-answered"):
                        yield Static(tr("Message envoyé", "Message sent"), classes="pane-title")
                        yield Static("", id="answered")
                    with Vertical(id="reply-situation"):
                        yield Static(tr("Situation", "Situation"), classes="pane-title")
                        yield Static("", id="situation")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("Réponses des clients", "Customer replies")
        table = self.query_one("#replies", DataTable)
        table.add_columns(tr("Reçue", "Received"), tr("De", "From"), tr("Suggestion", "Suggests"))
        self.action_reload()

    def action_reload(self) -> None:
        service = self.relance.service
        status = None if self.show_all else "new"
        self.items = list(reversed(service.replies(status)))  # newest first
        table = self.query_one("#replies", DataTable)
        table.clear()
        for i, r in enumerate(self.items):
            who = r.customer_name or r.from_address
            if r.kind != "reply":
                hint = reply_kind_label(r.kind)
            elif r.status == "triaged":
                hint = "✓ " + suggestion_label(r.outcome)
            else:
                hint = suggestion_label(r.suggestion.outcome if r.suggestion else None)
                hint += " ⚠" if r.suggestion and r.suggestion.violations else ""
            table.add_row(r.received_on.strftime("%d/%m"), who[:18], hint[:18], key=str(i))
        new = sum(1 for r in self.items if r.status == "new")
        self.query_one("#replies-count", Static).update(
            tr(
                "{n} réponse(s) à traiter{all}",
                "{n} reply(ies) to triage{all}",
                n=new,
                all=tr(" — toutes affichées (t)", " — all shown (t)") if self.show_all else "",
            )
        )
        if self.items:
            self.show(0)
        else:
            self.query_one("#reply-head", Static).update(tr("Aucune réponse.", "No reply."))
            for name in ("#reply-text", "#reply-suggestion", "#answered", "#situation"):
                self.query_one(name, Static).update("")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show(int(event.row_key.value))

    def current(self) -> Reply | None:
        table = self.query_one("#replies", DataTable)
        return self.items[table.cursor_row] if self.items else None

    def show(self, index: int) -> None:
        r = self.items[index]
        head = Text()
        head.append(f"#{r.id} ", style="bold")
        head.append(f"{r.from_name or ''} <{r.from_address}>", style="bold")
        head.append(f"  {r.received_at[:16].replace('T', ' ')}\n")
        head.append(f"{r.subject}\n", style="italic")
        who = r.customer_name or tr("client non reconnu", "customer not recognised")
        head.append(f"{who} ({match_label(r.match)}) · {reply_kind_label(r.kind)}", style="dim")
        self.query_one("#reply-head", Static).update(head)
        spans = r.suggestion.evidence if r.suggestion else []
        self.query_one("#reply-text", Static).update(highlighted(r.text, spans))
        self.query_one("#reply-suggestion", Static).update(self._suggestion(r))
        self.query_one("#answered", Static).update(self._answered(r))
        self.query_one("#situation", Static).update(self._situation(r))

    def _suggestion(self, r: Reply) -> Text:
        out = Text()
        if r.kind == "auto_reply":
            back = r.return_on.isoformat() if r.return_on else "?"
            out.append(
                tr("Réponse automatique : de retour le {d}", "Automatic reply: back on {d}", d=back)
            )
            return out
        if r.kind == "bounce":
            out.append(
                tr(
                    "Non distribué : {a} ({s}) — adresse invalide",
                    "Bounce: {a} ({s}) — invalid",
                    a=r.bounced_address,
                    s=r.bounce_status,
                ),
                style="bold red",
            )
            return out
        if r.status == "triaged":
            out.append(tr("Traitée : ", "Triaged: "), style="bold")
            out.append(suggestion_label(r.outcome))
            return out
        s = r.suggestion
        if s is None:
            return out
        out.append(tr("Suggestion : ", "Suggestion: "), style="bold")
        out.append(suggestion_label(s.outcome), style="bold green")
        facts = []
        if s.date:
            facts.append(s.date.isoformat())
        if s.amount_cents is not None:
            facts.append(
                format_money(s.amount_cents, "EUR", "fr_FR" if language() == "fr" else "en_GB")
            )
        if s.invoice:
            facts.append(s.invoice)
        if s.instalments:
            facts.append(tr("{n} échéances", "{n} instalments", n=s.instalments))
        if s.reference:
            facts.append(tr("réf. {r}", "ref. {r}", r=s.reference))
        if facts:
            out.append(" · " + " · ".join(facts))
        source = tr("IA", "AI") if s.source == "llm" else tr("règles", "rules")
        out.append(f"  ({source})", style="dim")
        for v in s.violations:
            out.append(f"\n⚠ {v}", style="yellow")
        return out

    def _answered(self, r: Reply) -> Text:
        draft, threaded = self.relance.service.answered_draft(r)
        if draft is None:
            return Text(tr("(aucun message envoyé)", "(no message sent)"), style="dim")
        out = Text()
        if not threaded:
            out.append(
                tr("dernier envoi (sans lien de fil)\n", "last one sent (not threaded)\n"),
                style="italic dim",
            )
        out.append(f"{draft.subject}\n", style="bold")
        sent = (draft.sent_at or "?")[:10]
        out.append(tr("envoyé le {d}\n", "sent on {d}\n", d=sent), style="dim")
        out.append(draft.body)
        return out

    def _situation(self, r: Reply) -> Text:
        if r.customer_id is None:
            return Text(
                tr(
                    "Rattachez-la à un client : c (corriger), champ client.",
                    "Assign it to a customer: c (correct), customer field.",
                ),
                style="dim",
            )
        sheet = self.relance.service.factsheet(r.customer_id, self.relance.as_of)
        loc = "fr_FR" if language() == "fr" else "en_GB"
        out = Text()
        out.append(
            tr(
                "Encours : {a}\n",
                "Outstanding: {a}\n",
                a=format_money(sheet.outstanding_cents, sheet.currency, loc),
            )
        )
        out.append(
            tr(
                "Échu : {a}\n",
                "Overdue: {a}\n",
                a=format_money(sheet.overdue_cents, sheet.currency, loc),
            )
        )
        for inv in sheet.open_invoices[:6]:
            late = tr(" (+{d} j)", " (+{d} d)", d=inv.days_late) if inv.days_late else ""
            out.append(
                f"  {inv.number}  {format_money(inv.outstanding_cents, inv.currency, loc)}{late}\n"
            )
        for item in sheet.timeline[-4:]:
            out.append(f"{item.on.isoformat()} {item.text}\n", style="dim")
        return out

    def _triage(self, reply: Reply, given: TriageInput) -> None:
        def act() -> object:
            return self.relance.service.triage(reply.id, given, on=self.relance.as_of)

        if self.relance.attempt(act):
            self.notify(tr("Réponse {i} traitée", "Reply {i} triaged", i=reply.id))
            self.action_reload()

    def action_accept(self) -> None:
        reply = self.current()
        if reply is None or reply.status != "new" or reply.kind != "reply":
            return
        given = accepted(reply)
        if reply.customer_id is None and given.outcome != "none":
            self.action_correct()  # a customer first
            return
        self._triage(reply, given)

    def action_correct(self) -> None:
        reply = self.current()
        if reply is None:
            return
        from tui.widgets.triage import TriageModal

        def done(form: dict[str, Any] | None) -> None:
            if form is None:
                return
            try:
                given = triage_input(form)
            except UserError as exc:
                self.notify(str(exc), severity="error")
                return
            self._triage(reply, given)

        self.app.push_screen(TriageModal(reply), done)

    def action_toggle(self) -> None:
        self.show_all = not self.show_all
        self.action_reload()
