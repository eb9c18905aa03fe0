"""Payments import: each row lowers an invoice's outstanding; 0 left = paid on that date.

Re-importing a file is a no-op: a payment's key is (invoice, date, amount, rank of that same
triple in the file), see `repo.payment_key`. An unknown invoice, a payment larger than what is
still outstanding (after the file's earlier payments on that invoice) or a non-positive amount
rejects the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.i18n import tr
from assistant.imports import values
from assistant.imports.columns import map_columns
from assistant.imports.reader import Table
from assistant.imports.report import ImportReport
from assistant.imports.rows import Problems, RowView, iter_rows
from assistant.models import Payment
from assistant.money import cents_to_str
from assistant.storage import repo
from assistant.storage.db import Store


@dataclass(frozen=True)
class _Row:
    view: RowView
    payment: Payment
    key: str


def import_payments(store: Store, table: Table, *, actor: str) -> ImportReport:
    columns = map_columns("payments", table.headers, table.name)
    problems = Problems(table.name)
    report = ImportReport(
        "payments",
        table.name,
        table.sha256,
        rows_read=len(table.rows),
        ignored_columns=columns.ignored,
    )
    rows: list[_Row] = []
    rank: dict[tuple[str, str, int], int] = {}
    for view in iter_rows(table, columns, problems):
        number = view.require("invoice_number", values.optional_text)
        day = view.require("date", values.day)
        amount = view.require("amount", values.amount)
        if amount is not None and amount <= 0:
            view.fail(
                "amount",
                tr(
                    "montant {a} : doit être positif",
                    "amount {a}: must be positive",
                    a=cents_to_str(amount),
                ),
            )
        if not view.ok or number is None or day is None or amount is None:
            continue
        triple = (number, day.isoformat(), amount)
        rank[triple] = rank.get(triple, 0) + 1
        payment = Payment(invoice_number=number, date=day, amount_cents=amount, source="import")
        rows.append(_Row(view, payment, repo.payment_key(payment, rank[triple])))

    invoices = repo.invoices_by_number(store, (r.payment.invoice_number for r in rows))
    recorded = repo.recorded_payment_keys(store, (r.key for r in rows))
    left = {number: invoice.outstanding_cents for number, invoice in invoices.items()}
    new: list[_Row] = []
    for row in rows:
        number, amount = row.payment.invoice_number, row.payment.amount_cents
        if number not in invoices:
            row.view.fail(
                "invoice_number", tr("facture inconnue : {n}", "unknown invoice: {n}", n=number)
            )
        elif row.key in recorded:
            report.unchanged += 1
        elif amount > left[number]:
            row.view.fail(
                "amount",
                tr(
                    "règlement de {a} supérieur au reste à payer de la facture {n} ({o})",
                    "payment of {a} larger than what is left to pay on invoice {n} ({o})",
                    a=cents_to_str(amount),
                    n=number,
                    o=cents_to_str(left[number]),
                ),
            )
        else:
            left[number] -= amount
            new.append(row)
    problems.raise_if_any(len(table.rows))

    for row in new:
        repo.apply_payment(store, row.payment, row.key, actor)
        report.added += 1
    report.invoices_paid = sum(
        1 for number, amount in left.items() if amount == 0 and invoices[number].outstanding_cents
    )
    return report
