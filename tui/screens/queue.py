"""The accountant's queue: pending drafts, filters, sorting, selection and bulk approval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static

from assistant.drafting.conflicts import claim_line
from assistant.drafting.queue import STATUSES, DraftView
from assistant.drafting.queue_page import QueuePage, QueueSummary, QueueView
from assistant.i18n import language, tr
from assistant.labels import (
    channel_label,
    segment_label,
    source_label,
    status_label,
    step_label,
)
from assistant.money import format_money
from assistant.storage.claims_repo import Claim
from assistant.storage.drafts_lifecycle import DraftStatus
from tui.roles import RoleGate
from tui.widgets.footer import Footer
from tui.words import words

if TYPE_CHECKING:
    from tui.app import RelanceApp

SORTS = ("days", "amount", "customer", "step")


def sort_label(key: str) -> str:
    return {
        "days": tr("retard", "days late"),
        "amount": tr("montant", "amount"),
        "customer": tr("client", "customer"),
        "step": tr("étape", "step"),
    }[key]


CLAIMED = "⚑"  # the first column of a draft another person has open (docs/concurrency.md)
PAGE_SIZE = 200  # rows in the table at once (Textual measures every cell of a page): about six
# screens of a 40-line terminal. Filters, sort and counts are the database's: only the page's
# rows are read, so a queue of 10,000 drafts paints at once.


def money_total(drafts: list[DraftView]) -> str:
    """The total of some drafts, per currency: `12 345,67 €` (+ `1 000,00 $US`...)."""
    totals: dict[str, int] = {}
    for d in drafts:
        totals[d.currency] = totals.get(d.currency, 0) + d.total_cents
    loc = "en_GB" if language() == "en" else "fr_FR"
    return " + ".join(format_money(c, cur, loc) for cur, c in sorted(totals.items())) or "0"


CLIENT_MIN = 20  # the client column takes what the other columns leave, at least this


class Cell(Text):
    """A table cell: a `Text` the table does not measure. Every column has a fixed width, so
    the widths Textual measures for the 2,200 cells of a page (one terminal-size query each)
    are never used."""

    __rich_measure__ = None  # type: ignore[assignment]


def draft_row(d: DraftView, selected: bool, client_width: int = CLIENT_MIN) -> tuple[Text, ...]:
    check = Cell("⚠", style="bold red") if d.checks else Cell("✓", style="green")
    # the columns that matter for a decision come first: readable at 80 columns. Every cell
    # is a Text: the table never parses a label as markup (and a page paints faster).
    return (
        Cell("●" if selected else " "),
        Cell(str(d.id)),
        check,
        Cell(d.customer_name[:client_width]),  # data: never read as markup
        Cell(
            tr("{s} (avis)", "{s} (notice)", s=step_label(d.step))
            if d.channel == "internal"
            else step_label(d.step)
        ),
        Cell(format_money(d.total_cents, d.currency, "fr_FR"), justify="right"),
        Cell(str(d.max_days_late), justify="right"),
        Cell(channel_label(d.channel)),
        Cell(segment_label(d.segment)),
        Cell(source_label(d.source)),
        Cell(status_label(d.status), style="bold red" if d.status == DraftStatus.FAILED else ""),
    )


class QueueScreen(RoleGate, Screen[None]):
    """Pending drafts; Enter opens one; `a` approves; space selects; `A` approves the selection."""

    AUTO_FOCUS = "#drafts"  # the table has the focus from the first frame (painted once)

    BINDINGS = [
        Binding("enter", "open", words("Ouvrir", "Open")),
        Binding("a", "approve", words("Approuver", "Approve")),
        Binding("space", "toggle", words("Sélectionner", "Select")),
        Binding("A", "bulk_approve", words("Approuver la sélection", "Approve selection")),
        Binding("u", "unapprove", words("Remettre en attente", "Back to pending")),
        Binding("S", "send", words("Envoyer les approuvés", "Send approved")),
        Binding("r", "reject", words("Rejeter", "Reject")),
        Binding("s", "sort", words("Trier", "Sort")),
        Binding("right_square_bracket", "page(1)", words("Page suivante", "Next page")),
        Binding("left_square_bracket", "page(-1)", words("Page précédente", "Previous page")),
        Binding("slash", "search", words("Chercher", "Search")),
        Binding("k", "settle_stuck", words("Trancher un envoi interrompu", "Settle a stuck send")),
        Binding("ctrl+r", "reload", words("Actualiser", "Reload"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[DraftView] = []  # the page shown
        self.selected: set[int] = set()  # draft ids, on any page
        self.sort_key = "days"
        self._rows: dict[int, tuple[Text, ...]] = {}
        self._search_timer: Timer | None = None
        self._page: QueuePage | None = None
        self.summary = QueueSummary([], 0, 0)
        self.client_width = CLIENT_MIN
        self._suspended = False
        self._loaded_status: str | None = None
        self.page = 0
        self.stuck: list[int] = []
        self.failed = 0  # sends refused by the server (status failed)
        self.claims: dict[int, Claim] = {}  # drafts other people have open now

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="counts")
        with Horizontal(id="filters"):
            yield Input(
                placeholder=tr("chercher (client, facture)", "search (customer, invoice)"),
                id="search",
            )
            yield Select(
                [
                    (step_label(s), s)
                    for s in ("pre_due", "reminder_1", "reminder_2", "instalment_reminder", "call")
                ],
                prompt=tr("étape", "step"),
                id="step",
            )
            yield Select(
                [(status_label(s), s) for s in STATUSES],
                prompt=tr("statut", "status"),
                value=DraftStatus.PENDING,
                id="status",
            )
            yield Select([], prompt=tr("segment", "segment"), id="segment")
        table: DataTable[Text] = DataTable(id="drafts", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("File de validation", "Review queue")
        table = self.query_one("#drafts", DataTable)
        # fixed widths: no measuring of every cell, so 10,000 rows paint at once
        columns = [
            (" ", 1),
            ("#", 5),
            ("✓", 1),
            (tr("Client", "Customer"), 20),
            (tr("Étape", "Step"), 15),
            (tr("Montant", "Amount"), 12),
            (tr("Retard", "Late"), 6),
            (tr("Canal", "Channel"), 8),
            ("Segment", 14),
            (tr("Source", "Source"), 8),
            (tr("Statut", "Status"), 10),
        ]
        for i, (label, width) in enumerate(columns):
            table.add_column(label, width=width, key="client" if i == 3 else f"c{i}")
        self._others = sum(w for _, w in columns) - CLIENT_MIN + 2 * len(columns)
        self.fit_client_column()
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        if self.fit_client_column():
            self._rows = {}
            row = self.query_one("#drafts", DataTable).cursor_row
            self.refresh_table(keep=row, requery=False)

    def fit_client_column(self) -> bool:
        """The client column uses the width the others leave; True if it changed."""
        table = self.query_one("#drafts", DataTable)
        width = max(CLIENT_MIN, self.size.width - self._others - 2)
        if width == self.client_width:
            return False
        self.client_width = width
        table.columns["client"].width = width  # type: ignore[index]
        table.refresh()
        return True

    # -- data -----------------------------------------------------------------------------
    def _filter_value(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value is Select.NULL else str(value)

    def reload(self) -> None:
        status = self._filter_value("status")
        self._loaded_status = status
        service = self.relance.service
        self.summary = service.queue_summary(status)
        self.stuck = [d.id for d in service.drafts(DraftStatus.SENDING, texts=False)]
        self.failed = service.draft_count(DraftStatus.FAILED)
        self.claims = service.draft_claims()
        self._rows = {}  # rendered lazily, for the rows actually shown
        segments = self.summary.segments
        seg = self.query_one("#segment", Select)
        current = self._filter_value("segment")
        with seg.prevent(Select.Changed):
            seg.set_options([(segment_label(s), s) for s in segments])
            if current in segments:
                seg.value = current
        self.refresh_table()

    def view(self) -> QueueView:
        """What the person asked for: status, step, segment, search words, sort."""
        return QueueView(
            status=self._loaded_status,
            step=self._filter_value("step"),
            segment=self._filter_value("segment"),
            search=self.query_one("#search", Input).value,
            sort=self.sort_key,
        )

    def visible(self) -> list[DraftView]:
        """The drafts of the page shown, in order (the database filtered and sorted them)."""
        return self.drafts

    def refresh_table(self, keep: int | None = None, *, requery: bool = True) -> None:
        table = self.query_one("#drafts", DataTable)
        if requery or self._page is None:
            self._page = self.relance.service.queue_page(self.view(), self.page, PAGE_SIZE)
        found = self._page
        self.page, self.drafts = found.number, found.drafts
        rows = found.drafts
        table.clear()
        for d in rows:
            cells = self._rows.get(d.id) or self._rows.setdefault(
                d.id, draft_row(d, False, self.client_width)
            )
            if d.id in self.selected:
                cells = (Cell("●"), *cells[1:])
            elif d.id in self.claims:
                cells = (Cell(CLAIMED, style="bold yellow"), *cells[1:])
            table.add_row(*cells, key=str(d.id))
        counts = tr(
            "{n} affichés · {p} en attente · {f} à contrôler ⚠ · {s} sélectionnés · tri : {k}",
            "{n} shown · {p} pending · {f} to check (⚠) · {s} selected · sort: {k}",
            n=found.matching,
            p=self.summary.pending,
            f=self.summary.flagged,
            s=len(self.selected),
            k=sort_label(self.sort_key),
        )
        if found.pages > 1:
            counts += f" · page {self.page + 1}/{found.pages} ([ ])"
        if self.stuck:
            counts += tr(
                " · ⚠ envoi interrompu à vérifier : {ids} (statut envoi en cours, touche k)",
                " · ⚠ interrupted send to check: {ids} (status sending, key k)",
                ids=", ".join(map(str, self.stuck)),
            )
        # drafts of this view (any page) that other people have open: few, so one ids query
        matching = set(self.relance.service.queue_ids(self.view())) if self.claims else set()
        if shown := [i for i in sorted(self.claims) if i in matching]:
            counts += (
                " · "
                + CLAIMED
                + " "
                + ", ".join(f"#{i} {claim_line(self.claims[i])}" for i in shown[:3])
            )
            counts += tr(" (+{n})", " (+{n})", n=len(shown) - 3) if len(shown) > 3 else ""
        if self.failed:
            counts += tr(
                " · ✗ {n} envoi(s) en échec (statut failed)",
                " · ✗ {n} failed send(s) (status failed)",
                n=self.failed,
            )
        self.query_one("#counts", Static).update(counts)
        if keep is not None and rows:
            table.move_cursor(row=min(keep, len(rows) - 1))

    def current(self) -> DraftView | None:
        table = self.query_one("#drafts", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((d for d in self.drafts if str(d.id) == key), None)

    # -- events ---------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        # debounced: typing a word filters once, not once per key
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.25, self.refresh_table)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "status":
            if self._filter_value("status") != self._loaded_status:
                self.reload()
        else:
            self.refresh_table()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def on_screen_suspend(self) -> None:
        self._suspended = True  # another screen may change drafts: reload when back

    def on_screen_resume(self) -> None:
        if self._suspended and self.is_mounted:
            self._suspended = False
            row = self.query_one("#drafts", DataTable).cursor_row
            self.reload()
            self.refresh_table(keep=row)

    # -- actions --------------------------------------------------------------------------
    def action_open(self) -> None:
        draft = self.current()
        if draft is not None:
            from tui.screens.draft import DraftScreen

            ids = self.relance.service.queue_ids(self.view())
            self.app.push_screen(DraftScreen(draft.id, ids))

    def action_approve(self) -> None:
        draft = self.current()
        if draft is None:
            return
        row = self.query_one("#drafts", DataTable).cursor_row

        def approve(override: str | None) -> None:
            if draft.checks and not override:
                return  # cancelled: a failing text needs a reason
            seen = {draft.id: draft.version}
            if self.relance.attempt(
                lambda: self.relance.service.approve([draft.id], override=override, versions=seen)
            ):
                self.notify(tr("Brouillon {i} approuvé", "Draft {i} approved", i=draft.id))
            self.reload()
            self.refresh_table(keep=row)

        if draft.checks:
            from tui.widgets.modals import ReasonModal

            title = tr(
                "Contrôles non passés : {c}\nApprouver quand même ? Motif :",
                "Failed checks: {c}\nApprove anyway? Reason:",
                c=" · ".join(draft.checks),
            )
            self.app.push_screen(ReasonModal(title), approve)
            return
        approve(None)

    def action_reject(self) -> None:
        draft = self.current()
        if draft is None:
            return
        from tui.widgets.modals import ReasonModal

        seen = {draft.id: draft.version}

        def done(reason: str | None) -> None:
            if reason and self.relance.attempt(
                lambda: self.relance.service.reject([draft.id], reason, versions=seen)
            ):
                self.notify(tr("Brouillon {i} rejeté", "Draft {i} rejected", i=draft.id))
            self.reload()

        self.app.push_screen(ReasonModal(tr("Motif du rejet", "Rejection reason")), done)

    def action_toggle(self) -> None:
        draft = self.current()
        if draft is None:
            return
        self.selected ^= {draft.id}
        row = self.query_one("#drafts", DataTable).cursor_row
        self.refresh_table(keep=row, requery=False)  # the cursor stays on the row it selected

    def action_bulk_approve(self) -> None:
        chosen = [d for d in self.selected_drafts() if d.status == DraftStatus.PENDING]
        # a failing text needs a reason; a draft another person has open is theirs for now
        ok = [d for d in chosen if not d.checks and d.id not in self.claims]
        skipped = len(chosen) - len(ok)
        if not ok:
            if skipped:
                self.notify(
                    tr("Rien d'approuvable dans la sélection", "Nothing approvable selected")
                )
            return
        from tui.widgets.modals import ConfirmModal

        question = tr(
            "Approuver {n} brouillon(s) pour {t} au total ?{k}",
            "Approve {n} draft(s), {t} in total?{k}",
            n=len(ok),
            t=money_total(ok),
            k=tr(
                "\n{k} écarté(s) : contrôles non passés, ou ouvert(s) par une autre personne.",
                "\n{k} left out: failed checks, or open by another person.",
                k=skipped,
            )
            if skipped
            else "",
        )

        def done(yes: bool | None) -> None:
            if not yes:
                return
            ids = [d.id for d in ok]
            seen = {d.id: d.version for d in ok}
            if self.relance.attempt(lambda: self.relance.service.approve(ids, versions=seen)):
                self.notify(
                    tr(
                        "{n} brouillon(s) approuvé(s) ; {k} écarté(s) (contrôles en échec,"
                        " ou ouverts ailleurs)",
                        "{n} draft(s) approved; {k} left out (failed checks, or open elsewhere)",
                        n=len(ids),
                        k=skipped,
                    )
                )
            self.selected.clear()
            self.reload()

        self.app.push_screen(ConfirmModal(question, tr("Approuver", "Approve")), done)

    def selected_drafts(self) -> list[DraftView]:
        """The selected drafts (on any page) among those of the status filter."""
        if not self.selected:
            return []
        drafts = self.relance.service.drafts_by_ids(self.selected)
        status = self._loaded_status
        return [d for d in drafts if status is None or d.status == status]

    def action_unapprove(self) -> None:
        """An approved draft goes back to pending (until the send starts)."""
        draft = self.current()
        if draft is None:
            return
        if draft.status != DraftStatus.APPROVED:
            self.notify(
                tr(
                    "Choisissez un brouillon approuvé (filtre statut : approuvé)",
                    "Pick an approved draft (status filter: approved)",
                )
            )
            return
        row = self.query_one("#drafts", DataTable).cursor_row
        seen = {draft.id: draft.version}
        if self.relance.attempt(lambda: self.relance.service.unapprove([draft.id], versions=seen)):
            self.notify(
                tr("Brouillon {i} remis en attente", "Draft {i} back to pending", i=draft.id)
            )
        self.reload()
        self.refresh_table(keep=row)

    def action_send(self) -> None:
        self.relance.confirm_send()

    def action_page(self, delta: int) -> None:
        self.page = max(self.page + delta, 0)
        self.refresh_table()

    def action_settle_stuck(self) -> None:
        """A draft left in `sending` by a crash: the person checked the mailbox and says."""
        draft = self.current()
        if draft is None or draft.status != DraftStatus.SENDING:
            self.notify(
                tr(
                    "Choisissez un brouillon « envoi en cours » (filtre statut)",
                    "Pick a draft in « sending » (status filter)",
                )
            )
            return
        from tui.widgets.modals import ChoiceModal

        choices = [
            (DraftStatus.SENT, tr("Il est parti (marquer envoyé)", "It left (mark as sent)")),
            ("not-sent", tr("Il n'est pas parti (renvoyer)", "It did not leave (send again)")),
        ]

        def done(choice: str | None) -> None:
            if choice and self.relance.attempt(
                lambda: self.relance.service.resolve_stuck(
                    draft.id, was_sent=choice == DraftStatus.SENT
                )
            ):
                self.notify(tr("Envoi tranché", "Send settled"))
            self.reload()

        title = tr("Envoi interrompu #{i}", "Interrupted send #{i}", i=draft.id)
        self.app.push_screen(ChoiceModal(title, choices), done)

    def action_sort(self) -> None:
        self.sort_key = SORTS[(SORTS.index(self.sort_key) + 1) % len(SORTS)]
        self.refresh_table()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_reload(self) -> None:
        self.reload()
