"""SQL of `relance export status`: every open invoice with its customer and last step done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.models import InvoiceStatus
from assistant.storage.db import Store


@dataclass(frozen=True)
class OpenInvoiceRow:
    customer_id: str
    customer_name: str
    salesperson_name: str | None
    salesperson_email: str | None
    invoice_number: str
    due_date: date
    outstanding_cents: int
    currency: str
    status: str
    last_step: str | None  # the last reminder step done for it, or None
    last_step_on: date | None
    owner: str | None = None  # the person who follows the customer (docs/team.md)


def open_invoice_rows(store: Store) -> list[OpenInvoiceRow]:
    """Open and disputed invoices with something left to pay, by customer then due date."""
    rows = store.query(
        "SELECT i.customer_id, c.name AS customer_name, c.salesperson_name,"
        " c.salesperson_email, c.owner, i.number, i.due_date, i.outstanding_cents, i.currency,"
        " i.status,"
        " (SELECT s.step FROM invoice_steps s WHERE s.invoice_number = i.number"
        "  ORDER BY s.done_on DESC, s.rowid DESC LIMIT 1) AS last_step,"
        " (SELECT MAX(s.done_on) FROM invoice_steps s WHERE s.invoice_number = i.number)"
        "  AS last_step_on"
        " FROM invoices i JOIN customers c ON c.id = i.customer_id"
        " WHERE i.status IN (?, ?) AND i.outstanding_cents > 0"
        " ORDER BY i.customer_id, i.due_date, i.number",
        (InvoiceStatus.OPEN.value, InvoiceStatus.DISPUTED.value),
    )
    return [
        OpenInvoiceRow(
            customer_id=r["customer_id"],
            customer_name=r["customer_name"],
            salesperson_name=r["salesperson_name"],
            salesperson_email=r["salesperson_email"],
            invoice_number=r["number"],
            due_date=date.fromisoformat(r["due_date"]),
            outstanding_cents=int(r["outstanding_cents"]),
            currency=r["currency"],
            status=r["status"],
            last_step=r["last_step"],
            last_step_on=date.fromisoformat(r["last_step_on"]) if r["last_step_on"] else None,
            owner=r["owner"],
        )
        for r in rows
    ]
