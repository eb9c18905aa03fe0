"""SQL for the demo: its history rows (steps done, the customer and invoices behind a past
e-mail), its summary counts, the invoices the demo bank statement pays, and the read-only
probe that tells a demo home from a real one."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.storage.db import Store


def holds_data(store: Store) -> bool:
    """Any customer or invoice stored (the demo builds only in an empty database)."""
    return bool(
        store.scalar("SELECT count(*) FROM customers")
        or store.scalar("SELECT count(*) FROM invoices")
    )


def insert_steps_done(
    store: Store,
    numbers: Sequence[str],
    step: str,
    day: date,
    channel: str,
    draft_id: int | None = None,
) -> None:
    """Steps of the demo history, done on `day` (source `demo`)."""
    store.conn.executemany(
        "INSERT INTO invoice_steps (invoice_number, step, done_on, channel, source, draft_id)"
        " VALUES (?, ?, ?, ?, 'demo', ?)",
        [(n, step, day.isoformat(), channel, draft_id) for n in numbers],
    )


@dataclass(frozen=True, slots=True)
class Addressee:
    name: str
    email: str | None
    language: str
    segment: str | None
    strategic: bool


def addressee(store: Store, customer_id: str) -> Addressee | None:
    row = store.conn.execute(
        "SELECT name, email, language, segment, strategic FROM customers WHERE id = ?",
        (customer_id,),
    ).fetchone()
    return Addressee(row[0], row[1], row[2], row[3], bool(row[4])) if row else None


def invoices_total_and_first_due(store: Store, numbers: Sequence[str]) -> tuple[int, date]:
    """The sum of the invoices' amounts and their earliest due day."""
    marks = ",".join("?" * len(numbers))
    total, first_due = store.conn.execute(
        f"SELECT SUM(amount_cents), MIN(due_date) FROM invoices WHERE number IN ({marks})",
        tuple(numbers),
    ).fetchone()
    return total, date.fromisoformat(first_due)


def latest_event_data(store: Store, kind: str) -> dict[str, Any] | None:
    """The data of the latest event of this kind (None: there is none)."""
    row = store.conn.execute(
        "SELECT data FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1", (kind,)
    ).fetchone()
    return json.loads(row[0]) if row else None


@dataclass(frozen=True, slots=True)
class DemoCounts:
    customers: int
    strategic: int
    english: int
    new_customers: int  # customer since after `new_since`
    do_not_contact: int
    sms_opt_in: int
    invoices: int
    payments: int
    partly_paid_open: int
    messages_sent: int
    calls_logged: int
    promises_made: int


def demo_counts(store: Store, new_since: date) -> DemoCounts:
    def count(sql: str, params: tuple = ()) -> int:  # type: ignore[type-arg]
        return int(store.scalar(sql, params) or 0)

    return DemoCounts(
        customers=count("SELECT count(*) FROM customers"),
        strategic=count("SELECT count(*) FROM customers WHERE strategic = 1"),
        english=count("SELECT count(*) FROM customers WHERE language = 'en'"),
        new_customers=count(
            "SELECT count(*) FROM customers WHERE customer_since > ?", (new_since.isoformat(),)
        ),
        do_not_contact=count("SELECT count(*) FROM customers WHERE do_not_contact = 1"),
        sms_opt_in=count("SELECT count(*) FROM customers WHERE sms_opt_in = 1"),
        invoices=count("SELECT count(*) FROM invoices"),
        payments=count("SELECT count(*) FROM payments"),
        partly_paid_open=count(
            "SELECT count(*) FROM invoices WHERE status IN ('open', 'disputed')"
            " AND outstanding_cents > 0 AND outstanding_cents < amount_cents"
        ),
        messages_sent=count("SELECT count(*) FROM events WHERE kind = 'message.sent'"),
        calls_logged=count("SELECT count(*) FROM events WHERE kind = 'call.logged'"),
        promises_made=count("SELECT count(*) FROM promises"),
    )


def closing_periods_from(store: Store, day: date) -> list[tuple[str, date, date]]:
    """(customer name, start, end) of the closing periods not over before `day`."""
    rows = store.conn.execute(
        "SELECT c.name, p.start, p.end FROM customers c JOIN closing_periods p"
        " ON p.customer_id = c.id WHERE p.end >= ? ORDER BY p.start, c.name",
        (day.isoformat(),),
    ).fetchall()
    return [(r[0], date.fromisoformat(r[1]), date.fromisoformat(r[2])) for r in rows]


def worst_payer(store: Store, due_before: date) -> tuple[str, str] | None:
    """(id, name) of the contactable customer owing most on open invoices due before the day."""
    row = store.conn.execute(
        "SELECT c.id, c.name, sum(i.outstanding_cents) AS late FROM invoices i"
        " JOIN customers c ON c.id = i.customer_id"
        " WHERE i.status = 'open' AND i.due_date < ? AND c.do_not_contact = 0"
        " GROUP BY c.id ORDER BY late DESC, c.id LIMIT 1",
        (due_before.isoformat(),),
    ).fetchone()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True, slots=True)
class UntouchedInvoice:
    number: str
    customer_id: str
    outstanding_cents: int
    customer_name: str


def untouched_invoices(store: Store, due_by: date) -> list[UntouchedInvoice]:
    """Open invoices nothing was paid on, due by `due_by`, of customers one may contact and
    who made no promise: the most recent first."""
    rows = store.conn.execute(
        "SELECT i.number, i.customer_id, i.outstanding_cents, c.name FROM invoices i"
        " JOIN customers c ON c.id = i.customer_id"
        " WHERE i.status = 'open' AND i.outstanding_cents = i.amount_cents AND i.due_date <= ?"
        " AND c.do_not_contact = 0 AND NOT EXISTS (SELECT 1 FROM promises p"
        "  WHERE p.customer_id = i.customer_id) ORDER BY i.due_date DESC, i.number",
        (due_by.isoformat(),),
    ).fetchall()
    return [UntouchedInvoice(*r) for r in rows]


def has_event(db: Path, kind: str) -> bool | None:
    """Whether the database file records an event of this kind, read-only (nothing created,
    migrated or written); None when it cannot be read as a relance database."""
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = conn.execute("SELECT 1 FROM events WHERE kind = ? LIMIT 1", (kind,))
            return found.fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return None
