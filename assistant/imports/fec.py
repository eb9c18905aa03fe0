"""FEC import (Fichier des Écritures Comptables): open receivables from customer accounts.

Only lines on customer accounts (`CompteNum` starting with 411) are used. The customer is
`CompAuxNum` (or the account number when there is no auxiliary account), named `CompAuxLib`
(or `CompteLib`); unknown customers are created, known ones are left as they are.

Each debit line is (part of) an invoice: number `PieceRef` (when one `PieceRef` is debited on
several customers, e.g. an opening entry, the number becomes `PieceRef-customer`), issue date
`PieceDate`, amount = the sum of its debit lines, due date = issue date + the customer's
`payment_terms_days` (to the end of that month for "45 jours fin de mois" terms), else the
default terms passed in (the policy's `default_payment_terms_days`, 30 days).

What is still open, per customer account:
1. Lettering (`EcritureLet`): the credits of a letter group settle the debits of the same group,
   oldest invoice first. A balanced group settles them all; a partially lettered group (credits
   short of the debits) leaves the residual open on its newest invoice(s). Credits beyond the
   debits of their group are an unallocated credit.
2. An unlettered credit with the `PieceRef` of an invoice of the same customer reduces it
   (a payment or credit note referencing the invoice).
3. Any other unlettered credit (a payment on account, a credit note without reference, what is
   left of the credits above) is NOT applied: guessing which invoice it pays would silently
   hide overdue invoices or remind the wrong ones. It is reported per customer as an
   "unallocated credit" with its FEC lines, for the accountant to letter.

All invoices of the file are stored, settled ones as `paid` (paid on the lettering date
`DateLet`, else the date of the last credit applied), so a re-import after lettering closes
them. Amounts are the book amounts (`Debit`/`Credit`, or `Montant` + `Sens`); `Montantdevise`
and `Idevise` are ignored. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from assistant.dates import due_after
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports import values
from assistant.imports.columns import ColumnMap, header_key
from assistant.imports.invoices import record_transitions
from assistant.imports.reader import Table
from assistant.imports.report import ImportReport, UnallocatedCredit
from assistant.imports.rows import Problems, RowView, iter_rows
from assistant.models import Customer, Invoice, InvoiceStatus
from assistant.storage import repo
from assistant.storage.db import Store

DEFAULT_TERMS_DAYS = 30
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
FEC_DELIMITERS = ("\t", "|")
FEC_QUOTING = csv.QUOTE_NONE  # the FEC format has no quoting
_ALT_AMOUNTS = ("Montant", "Sens")  # allowed instead of Debit/Credit
_KEYS = {header_key(name): name for name in (*FEC_COLUMNS, *_ALT_AMOUNTS)}
CUSTOMER_ACCOUNT_PREFIX = "411"


def recognises(header: str) -> bool:
    return header_key(header) in _KEYS


@dataclass
class _Line:
    line: int
    customer_id: str
    customer_name: str
    piece_ref: str
    piece_date: date
    entry_date: date
    net: int  # debit - credit, cents
    letter: str
    date_let: date | None


@dataclass
class _Open:
    """One debit line of an invoice and what is still open on it."""

    number: str
    line: _Line
    open: int
    settled_on: date | None = None


@dataclass
class _Customer:
    id: str
    name: str
    debits: list[_Open] = field(default_factory=list)
    credits: list[_Line] = field(default_factory=list)
    unallocated: int = 0
    unallocated_lines: list[int] = field(default_factory=list)


def import_fec(
    store: Store, table: Table, *, actor: str, terms_days: int = DEFAULT_TERMS_DAYS
) -> ImportReport:
    columns = _map_fec_columns(table)
    problems = Problems(table.name)
    report = ImportReport("fec", table.name, table.sha256, rows_read=len(table.rows))
    report.header_line = table.header_line
    lines = [line for view in iter_rows(table, columns, problems) if (line := _parse(view))]
    problems.raise_if_any(len(table.rows))
    report.receivable_lines = len(lines)

    customers = _by_customer(lines)
    for customer in customers.values():
        _settle(customer)
    known = repo.customers_by_id(store, customers)
    new = [Customer(id=c.id, name=c.name) for c in customers.values() if c.id not in known]
    report.customers_added = repo.upsert_customers(store, new, actor).added

    invoices = _invoices(customers, known, terms_days)
    stored = repo.invoices_by_number(store, (i.number for i in invoices))
    invoices = [_keep_local(i, stored.get(i.number)) for i in invoices]
    counts = repo.upsert_invoices(store, invoices, actor)
    report.added, report.updated, report.unchanged = counts.added, counts.updated, counts.unchanged
    record_transitions(store, invoices, stored, actor, table.name, report)
    report.open_invoices = sum(1 for i in invoices if i.outstanding_cents > 0)
    report.open_cents = sum(i.outstanding_cents for i in invoices)
    report.unallocated = [
        UnallocatedCredit(c.id, c.unallocated, sorted(c.unallocated_lines))
        for c in sorted(customers.values(), key=lambda c: c.id)
        if c.unallocated
    ]
    return report


def _map_fec_columns(table: Table) -> ColumnMap:
    positions: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        name = _KEYS.get(header_key(header))
        if name is not None:
            positions.setdefault(name, position)
    required = [n for n in FEC_COLUMNS if n not in ("Debit", "Credit")]
    if not {"Debit", "Credit"} <= positions.keys():
        required += (
            ["Montant", "Sens"] if {"Montant", "Sens"} & positions.keys() else ["Debit", "Credit"]
        )
    missing = [name for name in required if name not in positions]
    if missing:
        found = ", ".join(repr(h) for h in table.headers if h) or "-"
        raise UserError(
            tr(
                "{f} : en-tête FEC invalide, colonne(s) manquante(s) : {m} ; colonnes trouvées : "
                "{c} (attendu les 18 colonnes du FEC séparées par tabulation ou |)",
                "{f}: invalid FEC header, missing column(s): {m}; columns found: {c} "
                "(expected the 18 FEC columns separated by tabs or |)",
                f=table.name,
                m=", ".join(missing),
                c=found,
            )
        )
    return ColumnMap(positions, table.headers)


def _parse(view: RowView) -> _Line | None:
    """A customer-account line, or None (other accounts, zero lines, bad lines)."""
    account = values.text(view.raw("CompteNum"))
    if not account.startswith(CUSTOMER_ACCOUNT_PREFIX):
        return None
    entry_date = view.require("EcritureDate", values.day)
    piece_date = view.get("PieceDate", values.day) or entry_date
    if view.has("Debit"):
        net = (view.get("Debit", values.amount) or 0) - (view.get("Credit", values.amount) or 0)
    else:
        net = _signed(view)
    date_let = view.get("DateLet", values.day)
    if not view.ok or entry_date is None or piece_date is None or net == 0:
        return None
    aux = values.text(view.raw("CompAuxNum"))
    name = values.text(view.raw("CompAuxLib")) or values.text(view.raw("CompteLib"))
    piece_ref = values.text(view.raw("PieceRef"))
    if not piece_ref:
        journal = values.text(view.raw("JournalCode"))
        piece_ref = f"{journal}{values.text(view.raw('EcritureNum'))}"
    return _Line(
        view.line,
        aux or account,
        name or aux or account,
        piece_ref,
        piece_date,
        entry_date,
        net,
        values.text(view.raw("EcritureLet")),
        date_let,
    )


def _signed(view: RowView) -> int:
    """`Montant` + `Sens` (D/C, or +1/-1) as debit - credit."""
    amount = view.get("Montant", values.amount) or 0
    sense = values.text(view.raw("Sens")).upper()
    if sense in ("D", "+1", "1"):
        return amount
    if sense in ("C", "-1"):
        return -amount
    view.fail(
        "Sens", tr("sens invalide : {v!r} (D ou C)", "invalid direction: {v!r} (D or C)", v=sense)
    )
    return 0


def _by_customer(lines: list[_Line]) -> dict[str, _Customer]:
    """Lines per customer; debit lines carry their invoice number (made unique if needed)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line.net > 0:
            owners[line.piece_ref].add(line.customer_id)
    customers: dict[str, _Customer] = {}
    for line in lines:
        customer = customers.setdefault(
            line.customer_id, _Customer(line.customer_id, line.customer_name)
        )
        if line.net > 0:
            number = line.piece_ref
            if len(owners[number]) > 1:
                number = f"{number}-{line.customer_id}"
            customer.debits.append(_Open(number, line, line.net))
        else:
            customer.credits.append(line)
    return customers


def _settle(customer: _Customer) -> None:
    """Apply the customer's credits to its debits (the rules in the module docstring)."""
    oldest_first = sorted(customer.debits, key=lambda d: (d.line.piece_date, d.number, d.line.line))
    groups: dict[str, list[_Line]] = defaultdict(list)
    for credit in customer.credits:
        if credit.letter:
            groups[credit.letter].append(credit)
    for letter, credits in groups.items():
        debits = [d for d in oldest_first if d.line.letter == letter]
        lettered_on = max(
            (ln.date_let for ln in (*credits, *(d.line for d in debits)) if ln.date_let),
            default=max(c.entry_date for c in credits),
        )
        left = _apply(debits, -sum(c.net for c in credits), lettered_on)
        _unallocated(customer, left, credits)
    for credit in customer.credits:
        if credit.letter:
            continue
        debits = [d for d in oldest_first if d.line.piece_ref == credit.piece_ref]
        left = _apply(debits, -credit.net, credit.entry_date)
        _unallocated(customer, left, [credit])


def _apply(debits: list[_Open], amount: int, on: date) -> int:
    """Settle `amount` over `debits` in order; returns what could not be applied."""
    for debit in debits:
        if amount <= 0:
            break
        used = min(amount, debit.open)
        if used:
            debit.open -= used
            amount -= used
            debit.settled_on = max(on, debit.settled_on or on)
    return amount


def _unallocated(customer: _Customer, amount: int, credits: list[_Line]) -> None:
    if amount > 0:
        customer.unallocated += amount
        customer.unallocated_lines.extend(c.line for c in credits)


def _invoices(
    customers: dict[str, _Customer], known: dict[str, Customer], terms_days: int
) -> list[Invoice]:
    invoices: list[Invoice] = []
    for customer in customers.values():
        stored = known.get(customer.id)
        if stored and stored.payment_terms_days is not None:
            terms, end_of_month = stored.payment_terms_days, stored.payment_terms_end_of_month
        else:
            terms, end_of_month = terms_days, False
        parts: dict[str, list[_Open]] = defaultdict(list)
        for debit in customer.debits:
            parts[debit.number].append(debit)
        for number, debits in parts.items():
            issue = min(d.line.piece_date for d in debits)
            outstanding = sum(d.open for d in debits)
            paid = outstanding == 0
            invoices.append(
                Invoice(
                    number=number,
                    customer_id=customer.id,
                    issue_date=issue,
                    due_date=due_after(issue, terms, end_of_month),
                    amount_cents=sum(d.line.net for d in debits),
                    outstanding_cents=outstanding,
                    status=InvoiceStatus.PAID if paid else InvoiceStatus.OPEN,
                    paid_date=max(d.settled_on for d in debits if d.settled_on) if paid else None,
                )
            )
    return invoices


def _keep_local(invoice: Invoice, before: Invoice | None) -> Invoice:
    """What the FEC does not know stays as stored: reference, PDF, currency."""
    if before is None:
        return invoice
    return invoice.model_copy(
        update={
            "reference": before.reference,
            "pdf_path": before.pdf_path,
            "currency": before.currency,
        }
    )
