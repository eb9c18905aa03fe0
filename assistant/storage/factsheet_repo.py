"""What a call-prep fact sheet (briefs/factsheet.py) reads about one customer besides its
invoices as of a day (storage/statutory.py), promises and plans: paid invoices, the last
payment, revenue, the last invoice, the currency of each invoice."""

from __future__ import annotations

from datetime import date

from assistant.storage.db import Store


def paid_due_dates(
    store: Store, customer_id: str, after: date, until: date
) -> list[tuple[date, date]]:
    """(due date, paid date) of the customer's invoices paid after `after`, up to `until`."""
    return [
        (date.fromisoformat(r["due_date"]), date.fromisoformat(r["paid_date"]))
        for r in store.query(
            "SELECT due_date, paid_date FROM invoices WHERE customer_id = ?"
            " AND paid_date IS NOT NULL AND paid_date > ? AND paid_date <= ?",
            (customer_id, after.isoformat(), until.isoformat()),
        )
    ]


def last_payment(store: Store, customer_id: str, until: date) -> tuple[date, int] | None:
    """(day, cents) of the customer's latest payment up to `until` (the last recorded that day)."""
    row = store.query_one(
        "SELECT p.date, p.amount_cents FROM payments p JOIN invoices i ON i.number ="
        " p.invoice_number WHERE i.customer_id = ? AND p.date <= ? ORDER BY p.date DESC, p.id DESC"
        " LIMIT 1",
        (customer_id, until.isoformat()),
    )
    return (date.fromisoformat(row["date"]), row["amount_cents"]) if row else None


def revenue_cents(store: Store, customer_id: str, after: date, until: date, currency: str) -> int:
    """Invoiced to the customer in `currency` after `after` up to `until` (credited and
    cancelled invoices left out)."""
    cents = store.scalar(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM invoices WHERE customer_id = ?"
        " AND issue_date > ? AND issue_date <= ? AND status NOT IN ('cancelled', 'credited')"
        " AND currency = ?",
        (customer_id, after.isoformat(), until.isoformat(), currency),
    )
    return int(cents or 0)


def last_invoice_date(store: Store, customer_id: str, until: date) -> date | None:
    """The issue date of the customer's latest invoice issued by `until`."""
    day = store.scalar(
        "SELECT MAX(issue_date) FROM invoices WHERE customer_id = ? AND issue_date <= ?",
        (customer_id, until.isoformat()),
    )
    return date.fromisoformat(day) if day else None


def invoice_currencies(store: Store, customer_id: str) -> dict[str, str]:
    """Invoice number -> currency, every invoice of the customer."""
    return {
        r["number"]: r["currency"]
        for r in store.query(
            "SELECT number, currency FROM invoices WHERE customer_id = ?", (customer_id,)
        )
    }
