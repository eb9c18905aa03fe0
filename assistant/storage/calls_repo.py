"""SQL for a call's outcomes: the open invoices a promise or a plan covers, and the instalment
plan agreed on a call (plan, its invoices, its instalments). Callers hold the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.storage.db import Store


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An open invoice as a call sees it."""

    number: str
    due_date: date
    outstanding_cents: int
    currency: str


def _open(store: Store, where: str, key: str, *, owed_only: bool) -> list[OpenInvoice]:
    owed = " AND outstanding_cents > 0" if owed_only else ""
    rows = store.conn.execute(
        "SELECT number, due_date, outstanding_cents, currency FROM invoices"
        f" WHERE {where} AND status = 'open'{owed}",
        (key,),
    ).fetchall()
    return [OpenInvoice(r[0], date.fromisoformat(r[1]), r[2], r[3]) for r in rows]


def open_invoices(store: Store, customer_id: str) -> list[OpenInvoice]:
    """The customer's open invoices (any amount outstanding, zero included)."""
    return _open(store, "customer_id = ?", customer_id, owed_only=False)


def invoices_for_plan(store: Store, customer_id: str, invoice: str | None) -> list[OpenInvoice]:
    """What a plan covers: the one invoice, else the customer's open invoices, money due."""
    if invoice:
        return _open(store, "number = ?", invoice, owed_only=True)
    return _open(store, "customer_id = ?", customer_id, owed_only=True)


@dataclass(frozen=True, slots=True)
class NewInstalment:
    due_date: date
    amount_cents: int


def insert_payment_plan(
    store: Store,
    customer_id: str,
    agreed_on: date,
    total_cents: int,
    note: str | None,
    invoices: Sequence[str],
    instalments: Sequence[NewInstalment],
) -> int:
    """The plan, the invoices it covers and its instalments (numbered from 1): its id."""
    cur = store.conn.execute(
        "INSERT INTO payment_plans (customer_id, agreed_on, total_cents, note, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (customer_id, agreed_on.isoformat(), total_cents, note, store.now_iso()),
    )
    plan_id = int(cur.lastrowid or 0)
    store.conn.executemany(
        "INSERT INTO payment_plan_invoices (plan_id, invoice_number) VALUES (?, ?)",
        [(plan_id, n) for n in invoices],
    )
    store.conn.executemany(
        "INSERT INTO instalments (plan_id, seq, due_date, amount_cents) VALUES (?, ?, ?, ?)",
        [
            (plan_id, i, x.due_date.isoformat(), x.amount_cents)
            for i, x in enumerate(instalments, start=1)
        ],
    )
    return plan_id
