"""Small reads and writes on customers and invoices that the domain modules need one at a time
(the bulk, diff-aware ones are in `repo.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.invoice_status import InvoiceStatus
from assistant.storage.db import Store


def do_not_contact(store: Store, customer_id: str) -> bool:
    """The customer asked not to be contacted (False for an unknown customer)."""
    return bool(store.scalar("SELECT do_not_contact FROM customers WHERE id = ?", (customer_id,)))


def customer_names(store: Store) -> dict[str, str]:
    """Customer id -> name."""
    return dict(store.conn.execute("SELECT id, name FROM customers").fetchall())


def set_invoice_status(store: Store, number: str, status: InvoiceStatus) -> None:
    store.conn.execute(
        "UPDATE invoices SET status = ?, updated_at = ? WHERE number = ?",
        (status.value, store.now_iso(), number),
    )


@dataclass(frozen=True, slots=True)
class InvoiceState:
    status: str
    outstanding_cents: int


def invoice_state(store: Store, number: str) -> InvoiceState | None:
    """An invoice's status and outstanding amount, read now (None: no such invoice)."""
    row = store.conn.execute(
        "SELECT status, outstanding_cents FROM invoices WHERE number = ?", (number,)
    ).fetchone()
    return InvoiceState(row[0], row[1]) if row else None
