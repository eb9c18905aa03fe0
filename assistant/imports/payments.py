"""Payments import: each row lowers an invoice's outstanding; 0 left = paid on that date.

Re-importing a file is a no-op: a payment's key is (invoice, date, amount, rank of that same
triple in the file), see `repo.payment_key`. An unknown invoice, a payment larger than what is
still outstanding (after the file's earlier payments on that invoice: an overpayment is
for the accountant to sort out, not to hide), a payment on a settled invoice, a currency
written in the amount other than the invoice's, a customer code (optional column) other than
the invoice's customer, or a non-positive amount rejects the file.
"Total" rows are skipped and listed in the report.

Sources agree (`sources.py`): a row that is a payment another source already recorded (FEC
lettering, a bank statement: same invoice, same amount, within a week) is not counted again; a
payment an invoices export already saw paid (dated on or before that export) is recorded
without lowering the outstanding twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.i18n import tr
from assistant.imports import values
from assistant.imports.columns import REQUIRED, map_columns
from assistant.imports.reader import Table
from assistant.imports.report import ImportReport
from assistant.imports.rows import Problems, RowView, iter_rows, split_totals
from assistant.imports.sources import Seen, paid_known, same_money
from assistant.models import Payment
from assistant.money import display_money
from assistant.storage import balances, repo
from assistant.storage.db import Store


@dataclass(frozen=True)
class _Row:
    view: RowView
    payment: Payment
    key: str


def import_payments(store: Store, table: Table, *, actor: str) -> ImportReport:
    columns = map_columns("payments", table.headers, table.name, [r.cells for r in table.rows])
    problems = Problems(table.name)
    report = ImportReport("payments", table.name, table.sha256, ignored_columns=columns.ignored)
    data, report.total_lines = split_totals(table.rows, columns, REQUIRED["payments"])
    report.rows_read, report.header_line = len(data), table.header_line
    rows: list[_Row] = []
    rank: dict[tuple[str, str, int], int] = {}
    markers: dict[int, str] = {}  # line -> currency written in the amount
    payers: dict[int, str] = {}  # line -> customer code given for the payment
    for view in iter_rows(table, columns, problems, data):
        number = view.require("invoice_number", values.identifier)
        day = view.require("date", values.day)
        amount = view.require("amount", values.amount)
        if marker := view.get("amount", values.currency_marker):
            markers[view.line] = marker
        if payer := view.get("customer_id", values.identifier):
            payers[view.line] = payer
        if day is not None and day > store.today():
            view.fail(
                "date",
                tr(
                    "règlement daté du {d}, dans le futur (aujourd'hui : {t})",
                    "payment dated {d}, in the future (today: {t})",
                    d=day.isoformat(),
                    t=store.today().isoformat(),
                ),
            )
        if amount is not None and amount <= 0:
            view.fail(
                "amount",
                tr(
                    "montant {a} : doit être positif",
                    "amount {a}: must be positive",
                    a=display_money(amount),
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
    known = balances.payments_for(store, invoices)
    observed = balances.observations(store, invoices)
    paid = {n: [(p.on_date, p.amount_cents) for p in known.get(n, [])] for n in invoices}
    twins_used: set[int] = set()
    left = {
        number: min(
            invoice.outstanding_cents,
            invoice.amount_cents - paid_known(paid[number], observed.get(number)),
        )
        for number, invoice in invoices.items()
    }
    after: dict[int, int] = {}  # line -> the invoice's outstanding once its payment is in
    new: list[_Row] = []
    for row in rows:
        number, amount = row.payment.invoice_number, row.payment.amount_cents
        if number not in invoices:
            row.view.fail(
                "invoice_number", tr("facture inconnue : {n}", "unknown invoice: {n}", n=number)
            )
        elif (payer := payers.get(row.view.line)) and payer != invoices[number].customer_id:
            row.view.fail(
                "customer_id",
                tr(
                    "la facture {n} est celle du client {c}, pas de {p}",
                    "invoice {n} belongs to customer {c}, not {p}",
                    n=number,
                    c=invoices[number].customer_id,
                    p=payer,
                ),
            )
        elif row.key in recorded:
            report.unchanged += 1
        elif twin := _twin(row.payment, known.get(number, []), twins_used):
            twins_used.add(twin.id)
            report.unchanged += 1
            report.already_known.append(
                tr(
                    "{f}:{n}: règlement de {a} sur {i} déjà connu (source {s}, {d})",
                    "{f}:{n}: payment of {a} on {i} already known (source {s}, {d})",
                    f=table.name,
                    n=row.view.line,
                    a=display_money(amount),
                    i=number,
                    s=twin.source,
                    d=twin.on_date.isoformat(),
                )
            )
        elif (marker := markers.get(row.view.line)) and marker != invoices[number].currency:
            row.view.fail(
                "amount",
                tr(
                    "règlement en {m} pour la facture {n} en {c}",
                    "payment in {m} for invoice {n} in {c}",
                    m=marker,
                    n=number,
                    c=invoices[number].currency,
                ),
            )
        elif _absorbed(paid[number], observed.get(number), row.payment):
            paid[number].append((row.payment.date, amount))
            after[row.view.line] = left[number]
            new.append(row)
        elif left[number] == 0:
            row.view.fail(
                "invoice_number",
                tr(
                    "facture {n} déjà soldée ({s}) : règlement en double ou mauvaise facture ?",
                    "invoice {n} already settled ({s}): duplicate payment or wrong invoice?",
                    n=number,
                    s=invoices[number].status.value,
                ),
            )
        elif amount > left[number]:
            row.view.fail(
                "amount",
                tr(
                    "règlement de {a} supérieur au reste à payer de la facture {n} ({o})",
                    "payment of {a} larger than what is left to pay on invoice {n} ({o})",
                    a=display_money(amount),
                    n=number,
                    o=display_money(left[number]),
                ),
            )
        else:
            left[number] -= amount
            paid[number].append((row.payment.date, amount))
            after[row.view.line] = left[number]
            new.append(row)
    problems.raise_if_any(len(data))

    for row in new:
        repo.apply_payment(
            store, row.payment, row.key, actor, outstanding_after=after[row.view.line]
        )
        report.added += 1
    report.invoices_paid = sum(
        1 for number, amount in left.items() if amount == 0 and invoices[number].outstanding_cents
    )
    return report


def _twin(payment: Payment, known: list, used: set[int]) -> balances.SourcePayment | None:
    """The same money already recorded by another source (`sources.same_money`)."""
    seen = Seen("", payment.date, payment.amount_cents)
    return next(
        (
            p
            for p in known
            if p.source != payment.source and p.id not in used and same_money(seen, p)
        ),
        None,
    )


def _absorbed(
    paid: list[tuple[date, int]], observed: tuple[int, date] | None, payment: Payment
) -> bool:
    """An invoices export dated on or after this payment already counted it as paid."""
    if observed is None or payment.date > observed[1]:
        return False
    with_it = [*paid, (payment.date, payment.amount_cents)]
    return paid_known(with_it, observed) == paid_known(paid, observed)
