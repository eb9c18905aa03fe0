"""Invoices import: upsert by invoice number; unknown customers are created from the row.

Rules (docs/imports.md):
- `outstanding` defaults to `amount` for a new invoice; for a known invoice without an
  outstanding value it is the amount minus the payments already recorded. 0 outstanding = paid.
- A column absent from the file leaves the stored value alone (reference, currency, status);
  a column present is authoritative.
- A stored dispute is kept when the file says `open` (the store's repo rule); a `disputed`
  status in the file opens a dispute (`dispute.opened` event).
- An invoice that becomes paid gets `paid_date` from the file, else the import day (the day it
  was seen paid) and an `invoice.paid` event; a new invoice already paid keeps what the file says.
- Existing customers are not rewritten from an invoices file (the customers file is the master);
  only a missing e-mail address is filled in.
- Credit notes (a `Type` of avoir, or a negative amount) are never stored as invoices; see
  `assistant.imports.credits`. An invoice they bring to 0 is `credited` (`invoice.credited`).
- "Total" rows are skipped and listed in the report (`rows.split_totals`).
- Line-item exports (one row per invoice line, the invoice's fields repeated): rows of one
  number are one invoice when their invoice-level fields agree; when they disagree the file is
  refused naming both lines.
- A status column is honoured: draft (brouillon), void and cancelled invoices are never stored
  as receivables (a stored one becomes `cancelled`); paid is paid. A `Paid` amount column gives
  the outstanding (amount - paid). A currency column (or the currency written in the amounts)
  is kept per invoice; totals are per currency.
- A file naming customers without a code gets codes derived from the names (`names.py`), with a
  warning and the possible duplicates listed.
- Sources agree (`sources.py`): an export showing less paid than relance already knows never
  re-opens an invoice (kept paid, reported); what it saw paid is remembered.
- Payment terms beyond the legal cap (60 days, or 45 days end of month; Code de commerce
  L441-10) are a warning listing the invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from assistant.delivery.attachments import AttachmentRefused, accept_import_pdf
from assistant.i18n import tr
from assistant.imports import values
from assistant.imports.columns import REQUIRED, ColumnMap, map_columns
from assistant.imports.credits import Credit, apply_credits
from assistant.imports.names import derived_code, possible_duplicates
from assistant.imports.reader import Row, Table
from assistant.imports.report import ImportReport
from assistant.imports.rows import Problems, RowView, iter_rows, split_totals
from assistant.imports.sources import paid_known
from assistant.models import Customer, Invoice, InvoiceStatus
from assistant.money import Money, Totals, display_money
from assistant.storage import balances, repo
from assistant.storage.db import Store

_CLOSED = (InvoiceStatus.PAID, InvoiceStatus.CREDITED, InvoiceStatus.CANCELLED)


@dataclass
class _Row:
    view: RowView
    number: str
    customer_id: str
    customer_name: str | None
    email: str | None
    language: str | None
    issue_date: date
    due_date: date
    amount: int
    outstanding: int | None
    currency: str | None
    status: InvoiceStatus | None
    reference: str | None
    paid_date: date | None
    pdf_path: str | None = None
    credit: bool = False  # a credit note (avoir): never stored as an invoice
    credited_invoice: str | None = None
    paid_amount: int | None = None
    draft: bool = False


def import_invoices(store: Store, table: Table, *, actor: str) -> ImportReport:
    columns = map_columns("invoices", table.headers, table.name, [r.cells for r in table.rows])
    problems = Problems(table.name)
    report = ImportReport("invoices", table.name, table.sha256, ignored_columns=columns.ignored)
    data, report.total_lines = split_totals(table.rows, columns, REQUIRED["invoices"])
    report.rows_read = len(data)
    report.header_line = table.header_line
    rows = _parse_rows(table, columns, problems, data, report)
    stored = repo.invoices_by_number(store, (r.number for r in rows))
    rows = _skip_by_status(rows, stored, report)
    known = repo.customers_by_id(store, (r.customer_id for r in rows if not r.credit))
    customers = _customers([r for r in rows if not r.credit], known)
    numbers = [r.number for r in rows if not r.credit]
    payments = balances.payments_for(store, numbers)
    observed = balances.observations(store, numbers)
    today = store.today()
    invoices: list[Invoice] = []
    credits: list[Credit] = []
    observe: list[tuple[str, int]] = []
    for row in rows:
        before = stored.get(row.number)
        if row.credit or row.draft:
            credit = None if row.draft else _credit(row, before, columns)
            if credit is not None:
                credits.append(credit)
            if before is not None and before.status is not InvoiceStatus.CANCELLED:
                # stored as an invoice by an earlier import: the file now says it is a credit
                # (or a draft: not a receivable)
                cancelled = {"status": InvoiceStatus.CANCELLED, "outstanding_cents": 0}
                invoices.append(before.model_copy(update=cancelled | {"paid_date": None}))
            continue
        paid = [(p.on_date, p.amount_cents) for p in payments.get(row.number, [])]
        known_paid = paid_known(paid, observed.get(row.number)) if before is not None else 0
        invoice = _invoice(row, before, known_paid, columns, today, report)
        if invoice is not None:
            invoices.append(invoice)
            if row.outstanding is not None or row.paid_amount is not None:
                seen = row.amount - (
                    row.outstanding
                    if row.outstanding is not None
                    else row.amount - (row.paid_amount or 0)
                )
                if seen > 0 or row.number in observed:
                    observe.append((row.number, max(seen, 0)))
            _check_terms(row, report)
    problems.raise_if_any(len(data))
    leftovers: list[tuple[Credit, int]] = []
    invoices, report.unallocated, report.credits_applied = apply_credits(
        credits, invoices, leftovers
    )
    report.credit_notes = sum(1 for r in rows if r.credit)

    counts = repo.upsert_customers(store, customers, actor)
    report.customers_added, report.customers_updated = counts.added, counts.updated
    counts = repo.upsert_invoices(store, invoices, actor)
    report.added, report.updated, report.unchanged = counts.added, counts.updated, counts.unchanged
    balances.observe_paid_many(
        store, [(n, seen) for n, seen in observe if observed.get(n, (None,))[0] != seen], today
    )
    record_transitions(store, invoices, stored, actor, table.name, report)
    report.absent_open = repo.open_invoices_not_in(store, {r.number for r in rows})
    report.touched = {r.customer_id for r in rows}
    balances.replace_credits(
        store,
        "invoices",
        report.touched,
        [
            balances.StoredCredit(
                c.customer_id, "invoices", c.number, c.on_date, Money(cents, c.currency),
                None, table.name, (c.line,),
            )
            for c, cents in leftovers
        ],
    )  # fmt: skip
    totals = Totals()
    for invoice in invoices:
        if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED):
            totals.add(Money(invoice.outstanding_cents, invoice.currency))
    report.totals_by_currency = totals.by_currency()
    return report


_LEGAL_DAYS, _LEGAL_EOM_DAYS = 60, 45


def _check_terms(row: _Row, report: ImportReport) -> None:
    """LME (Code de commerce L441-10): 60 days from the invoice, or 45 days end of month."""
    from assistant.dates import due_after

    if (row.due_date - row.issue_date).days <= _LEGAL_DAYS:  # the common case, without dates
        return
    cap = max(
        due_after(row.issue_date, _LEGAL_DAYS, False),
        due_after(row.issue_date, _LEGAL_EOM_DAYS, True),
    )
    if row.due_date > cap:
        report.warnings.append(
            tr(
                "{f}:{n}: facture {i} : échéance à {d} jours, au-delà du plafond légal (60 jours"
                " ou 45 jours fin de mois, art. L441-10 du Code de commerce)",
                "{f}:{n}: invoice {i}: due {d} days after issue, beyond the legal cap (60 days"
                " or 45 days end of month, French Commercial Code L441-10)",
                f=report.file,
                n=row.view.line,
                i=row.number,
                d=(row.due_date - row.issue_date).days,
            )
        )


def _skip_by_status(
    rows: list[_Row], stored: dict[str, Invoice], report: ImportReport
) -> list[_Row]:
    """Draft, void and cancelled invoices unknown to the store are never stored."""
    kept: list[_Row] = []
    for row in rows:
        skip = row.draft or (row.status is InvoiceStatus.CANCELLED and not row.credit)
        if skip and row.number not in stored:
            label = "draft" if row.draft else "cancelled"
            report.skipped_status.setdefault(label, []).append(row.number)
            continue
        kept.append(row)
    return kept


def _parse_rows(
    table: Table, columns: ColumnMap, problems: Problems, data: list[Row], report: ImportReport
) -> list[_Row]:
    rows: list[_Row] = []
    first: dict[str, _Row] = {}
    derive = not columns.has("customer_id")
    for view in iter_rows(table, columns, problems, data):
        credit = _is_credit(view)
        number = view.require("invoice_number", values.identifier)
        if derive:
            name = view.require("customer_name", values.optional_text)
            customer_id = derived_code(name) if name else None
        else:
            customer_id = view.require("customer_id", values.identifier)
        issue_date = view.require("issue_date", values.day)
        due_date = (view.get if credit else view.require)("due_date", values.day)
        amount = view.require("amount", values.amount)
        outstanding = view.get("outstanding", values.amount)
        state = view.get("status", values.status)
        if credit:  # a credit note's amounts may be written negative or positive
            amount = None if amount is None else abs(amount)
            outstanding = None if outstanding is None else abs(outstanding)
        row = _Row(
            view,
            number or "",
            customer_id or "",
            customer_name=view.get("customer_name", values.line),
            email=view.get("email", values.email),
            language=view.get("language", values.language),
            issue_date=issue_date or date.min,
            due_date=due_date or issue_date or date.min,
            amount=amount or 0,
            outstanding=outstanding,
            currency=_currency(view),
            status=state if isinstance(state, InvoiceStatus) else None,
            reference=view.get("reference", values.line),
            paid_date=view.get("paid_date", values.day),
            pdf_path=view.get("pdf_path", partial(_pdf, table=table)),
            credit=credit,
            credited_invoice=view.get("credited_invoice", values.identifier),
            paid_amount=view.get("paid_amount", values.amount),
            draft=state == values.DRAFT,
        )
        if number and (seen := first.setdefault(number, row)) is not row:
            if (difference := _disagreement(seen, row)) is not None:
                view.fail(
                    "invoice_number",
                    tr(
                        "facture {n} déjà ligne {l} avec un autre {c} : lignes d'une même"
                        " facture en désaccord",
                        "invoice {n} already on line {l} with another {c}: rows of one invoice"
                        " disagree",
                        n=number,
                        l=seen.view.line,
                        c=columns.header(difference) if columns.has(difference) else difference,
                    ),
                )
            else:
                report.merged_rows += 1
            continue
        if amount == 0:
            view.fail(
                "amount",
                tr(
                    "montant nul : une facture a un montant (un avoir : montant négatif"
                    " ou type « Avoir »)",
                    "zero amount: an invoice has an amount (a credit note: a negative"
                    " amount or type 'credit note')",
                ),
            )
        if issue_date and due_date and due_date < issue_date and not credit:
            view.fail(
                "due_date",
                tr(
                    "échéance {d} antérieure à la date de facture {i}",
                    "due date {d} before the invoice date {i}",
                    d=due_date.isoformat(),
                    i=issue_date.isoformat(),
                ),
            )
        rows.append(row)
    if derive:
        names = {r.customer_name for r in rows if r.customer_name}
        report.warnings.append(
            tr(
                "{f} : pas de colonne code client : {n} code(s) déduit(s) des noms (ex. {e})",
                "{f}: no customer code column: {n} code(s) derived from the names (e.g. {e})",
                f=table.name,
                n=len({derived_code(n) for n in names}),
                e=next((derived_code(n) for n in sorted(names)), "-"),
            )
        )
        for group in possible_duplicates(names):
            report.warnings.append(
                tr(
                    "{f} : clients peut-être en double : {g}",
                    "{f}: possibly the same customer: {g}",
                    f=table.name,
                    g=" / ".join(group),
                )
            )
    return rows


_INVOICE_LEVEL = ("customer_id", "issue_date", "due_date", "amount", "outstanding", "currency",
                  "status", "credit", "paid_amount", "draft")  # fmt: skip


def _disagreement(first: _Row, other: _Row) -> str | None:
    """The first invoice-level field two rows of one invoice number disagree on, or None."""
    for name in _INVOICE_LEVEL:
        if getattr(first, name) != getattr(other, name):
            return name
    return None


def _is_credit(view: RowView) -> bool:
    """A credit note: so typed, or a negative amount (peeked at; parse errors come later)."""
    if view.get("document_type", values.document_type) == "credit":
        return True
    raw = view.raw("amount")
    if isinstance(raw, str) and not raw.lstrip().startswith(("-", "(")) and "-" not in raw:
        return False  # the common case, without parsing the amount twice
    try:
        return (values.amount(raw) or 0) < 0
    except ValueError:
        return False


def _currency(view: RowView) -> str | None:
    """The currency column, else the one written in the amounts (`1 234,56 €`); they must
    agree (an amount in CHF on an invoice in EUR is an error, not a conversion)."""
    written = view.get("currency", values.currency)
    for name in ("amount", "outstanding"):
        try:
            marker = values.currency_marker(view.raw(name))
        except ValueError as exc:
            view.fail(name, str(exc))
            return written
        if marker is None or marker == written:
            continue
        if written is not None:
            view.fail(
                name,
                tr(
                    "montant en {m} mais devise {c}",
                    "amount in {m} but currency {c}",
                    m=marker,
                    c=written,
                ),
            )
            return written
        written = marker
    return written


def _credit(row: _Row, before: Invoice | None, columns: ColumnMap) -> Credit | None:
    """The credit note of this row (what is still open on it), or None if the row is bad."""
    view = row.view
    if not view.ok:
        return None
    open_cents = row.amount if row.outstanding is None else row.outstanding
    if open_cents > row.amount:
        view.fail(
            "outstanding",
            tr(
                "reste {o} de l'avoir supérieur à son montant {a}",
                "credit note: {o} left is more than its amount {a}",
                o=display_money(open_cents),
                a=display_money(row.amount),
            ),
        )
        return None
    if row.status in _CLOSED:  # the credit note is settled (used or refunded)
        open_cents = 0
    targets = tuple(t for t in (row.credited_invoice, row.reference) if t)
    return Credit(
        view.line, row.number, row.customer_id, open_cents, targets, row.currency or "EUR",
        row.issue_date,
    )  # fmt: skip


def _pdf(cell: object, *, table: Table) -> str | None:
    """An invoice PDF named in the file: a PDF inside the allowed folder (see
    `delivery.attachments`), made absolute from the file's own folder."""
    value = values.line(cell)
    if not value:
        return None
    try:
        return accept_import_pdf(value, table.folder, table.attachments_root)
    except AttachmentRefused as exc:
        raise ValueError(str(exc)) from None


def _customers(rows: list[_Row], known: dict[str, Customer]) -> list[Customer]:
    """Customers to write: new ones (name, e-mail, language from the first row giving them)
    and known ones whose e-mail is missing. Rows of an unknown, unnamed customer fail."""
    names: dict[str, str] = {}
    emails: dict[str, str] = {}
    languages: dict[str, str] = {}
    for row in rows:
        if row.customer_name:
            names.setdefault(row.customer_id, row.customer_name)
        if row.email:
            emails.setdefault(row.customer_id, row.email)
        if row.language:
            languages.setdefault(row.customer_id, row.language)
    result: dict[str, Customer] = {}
    for row in rows:
        customer_id = row.customer_id
        if not customer_id or customer_id in result:
            continue
        stored = known.get(customer_id)
        if stored is not None:
            if stored.email is None and customer_id in emails:
                result[customer_id] = stored.model_copy(update={"email": emails[customer_id]})
        elif customer_id in names:
            result[customer_id] = Customer(
                id=customer_id,
                name=names[customer_id],
                email=emails.get(customer_id),
                language=languages.get(customer_id, "fr"),  # type: ignore[arg-type]
            )
        else:
            row.view.fail(
                "customer_id",
                tr(
                    "client inconnu : {c} (ajoutez une colonne « Raison sociale » ou importez "
                    "d'abord les clients)",
                    "unknown customer: {c} (add a customer name column or import the customers "
                    "first)",
                    c=customer_id,
                ),
            )
    return list(result.values())


def _invoice(
    row: _Row,
    before: Invoice | None,
    paid_cents: int,
    columns: ColumnMap,
    today: date,
    report: ImportReport,
) -> Invoice | None:
    """The invoice to store for this row, or None (with the problem recorded on the row).
    `paid_cents`: what relance already knows paid on it (`sources.paid_known`)."""
    if not row.view.ok:
        return None
    view, status, outstanding = row.view, row.status, row.outstanding
    if outstanding is None and row.paid_amount is not None:
        outstanding = row.amount - row.paid_amount
    if outstanding is None:
        if status in _CLOSED:
            outstanding = 0
        elif before is not None:
            outstanding = max(row.amount - paid_cents, 0)
        else:
            outstanding = row.amount
    elif before is not None and paid_cents and outstanding > max(row.amount - paid_cents, 0):
        report.kept_paid.append(
            tr(
                "{n} : le fichier dit {o} restant dû, les règlements connus laissent {k}",
                "{n}: the file says {o} outstanding, the known payments leave {k}",
                n=row.number,
                o=display_money(outstanding, row.currency or "EUR"),
                k=display_money(max(row.amount - paid_cents, 0), row.currency or "EUR"),
            )
        )
        outstanding = max(row.amount - paid_cents, 0)
        if outstanding == 0 and status is InvoiceStatus.OPEN:
            status = InvoiceStatus.PAID
    if outstanding < 0 or outstanding > row.amount:
        view.fail(
            "outstanding",
            tr(
                "reste à payer {o} hors de 0..{a} (montant de la facture)",
                "outstanding {o} outside 0..{a} (the invoice amount)",
                o=display_money(outstanding),
                a=display_money(row.amount),
            ),
        )
        return None
    if status is None:
        closed = (InvoiceStatus.CREDITED, InvoiceStatus.CANCELLED)
        if before is not None and before.status in closed and outstanding == 0:
            status = before.status  # still closed; the file just has no status column
        else:
            status = InvoiceStatus.OPEN  # the file's amounts say it is open (credits follow)
    if status in _CLOSED and outstanding > 0:
        view.fail(
            "status",
            tr(
                "statut « {s} » mais reste à payer {o}",
                "status '{s}' but {o} still outstanding",
                s=values.text(view.raw("status")) or status.value,
                o=display_money(outstanding),
            ),
        )
        return None
    if outstanding == 0 and status in (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED):
        status = InvoiceStatus.PAID
    paid_date = None
    if status is InvoiceStatus.PAID:
        if row.paid_date is not None:
            paid_date = row.paid_date
        elif before is not None and before.status is InvoiceStatus.PAID:
            paid_date = before.paid_date
        elif before is not None:
            paid_date = today  # seen paid by this import
    currency = row.currency or "EUR"
    reference = row.reference
    if before is not None:  # absent columns keep the stored values
        currency = row.currency or (before.currency if not columns.has("currency") else "EUR")
        reference = row.reference if columns.has("reference") else before.reference
    return Invoice(
        number=row.number,
        customer_id=row.customer_id,
        issue_date=row.issue_date,
        due_date=row.due_date,
        amount_cents=row.amount,
        outstanding_cents=outstanding,
        currency=currency,
        status=status,
        reference=reference,
        pdf_path=row.pdf_path if columns.has("pdf_path") or before is None else before.pdf_path,
        paid_date=paid_date,
    )


def record_transitions(
    store: Store,
    invoices: list[Invoice],
    stored: dict[str, Invoice],
    actor: str,
    file_name: str,
    report: ImportReport,
) -> None:
    """`dispute.opened` for invoices the file puts in dispute; `invoice.paid` when one gets paid,
    `invoice.credited` when a credit note settles one (recorded in one batch)."""
    events: list[repo.EventRow] = []
    for invoice in invoices:
        before = stored.get(invoice.number)
        was = before.status if before else None
        who, number = invoice.customer_id, invoice.number
        if invoice.status is InvoiceStatus.DISPUTED and was is not InvoiceStatus.DISPUTED:
            reason = tr("statut « litige » dans {f}", "status 'disputed' in {f}", f=file_name)
            events.append(
                ("dispute.opened", who, number, None, {"reason": reason, "source": "import"})
            )
            report.disputes_opened += 1
        if (
            invoice.status is InvoiceStatus.PAID
            and before is not None
            and was is not InvoiceStatus.PAID
        ):
            events.append(("invoice.paid", who, number, invoice.paid_date, {"source": "import"}))
            report.invoices_paid += 1
        if invoice.status is InvoiceStatus.CREDITED and was is not InvoiceStatus.CREDITED:
            data = {"source": "import", "file": file_name}
            events.append(("invoice.credited", who, number, None, data))
    repo.record_events(store, actor, events)
