"""What the results read (stats.py, kpis.py, results.py): invoices owed on a day, sales, paid
lateness, steps done and what followed, review outcomes of drafts. Rows are dicts keyed by
column name, as those modules use them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import APPROVED_OR_LATER, LEAVING, DraftStatus, sql, sql_in


def owed_invoices(store: Store, as_of: date, statuses: Sequence[str]) -> list[dict[str, Any]]:
    """Invoices owed on `as_of` (in `statuses`, or paid after that day): issued by then, with
    what was outstanding that day (today's outstanding plus the payments dated after `as_of`).
    Keys: number, customer_id, due_date, status, currency, outstanding_cents."""
    marks = ",".join("?" * len(statuses))
    day = as_of.isoformat()
    return store.query(
        "WITH later AS (SELECT invoice_number, SUM(amount_cents) AS cents FROM payments"
        " WHERE date > ? GROUP BY invoice_number)"
        " SELECT i.number, i.customer_id, i.due_date, i.status, i.currency,"
        " i.outstanding_cents + COALESCE(l.cents, 0) AS outstanding_cents"
        " FROM invoices i LEFT JOIN later l ON l.invoice_number = i.number"
        f" WHERE (i.status IN ({marks}) OR (i.status = 'paid' AND l.cents IS NOT NULL))"
        " AND i.issue_date <= ? AND i.outstanding_cents + COALESCE(l.cents, 0) > 0",
        (day, *statuses, day),
    )


def invoice_counts_by_currency(store: Store) -> dict[str, int]:
    """How many invoices (any status) are in each currency."""
    rows = store.query("SELECT currency, count(*) AS n FROM invoices GROUP BY currency")
    return {r["currency"]: int(r["n"]) for r in rows}


def promised_invoices(store: Store, since: date) -> list[dict[str, Any]]:
    """Open or disputed invoices with money due and a promised date on or after `since`, once
    each. Keys: invoice_number, outstanding_cents, currency."""
    return store.query(
        "SELECT DISTINCT p.invoice_number, i.outstanding_cents, i.currency FROM promises p"
        " JOIN invoices i ON i.number = p.invoice_number"
        " WHERE p.promised_date >= ? AND i.status IN ('open', 'disputed')"
        " AND i.outstanding_cents > 0",
        (since.isoformat(),),
    )


def customer_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM customers") or 0)


def customer_names(store: Store) -> dict[str, str]:
    """Customer id -> name, every customer."""
    return dict(store.conn.execute("SELECT id, name FROM customers").fetchall())


def sales_by_currency(store: Store, after: date, until: date) -> dict[str, int]:
    """Invoiced after `after` up to `until` (credited and cancelled invoices left out), in cents
    by currency."""
    rows = store.query(
        "SELECT currency, SUM(amount_cents) AS cents FROM invoices WHERE issue_date > ?"
        " AND issue_date <= ? AND status NOT IN ('cancelled', 'credited') GROUP BY currency",
        (after.isoformat(), until.isoformat()),
    )
    return {r["currency"]: int(r["cents"] or 0) for r in rows}


def paid_lateness(store: Store, until: date) -> tuple[int, float | None]:
    """(how many invoices were paid up to `until`, their average days late, late ones only
    counting their delay, None without any)."""
    row = store.query_one(
        "SELECT COUNT(*) AS n, AVG(MAX(julianday(paid_date) - julianday(due_date), 0)) AS late"
        " FROM invoices WHERE status = 'paid' AND paid_date IS NOT NULL AND paid_date <= ?",
        (until.isoformat(),),
    )
    if not row:
        return 0, None
    return int(row["n"] or 0), row["late"]


def steps_done(store: Store, until: date) -> list[dict[str, Any]]:
    """One row per invoice and step done up to `until`, with what followed. A step done by a
    message counts from the day it was sent; one approved but not sent yet does not count, nor
    one rejected. Keys: step, done_on, paid_date, tone, segment, policy_version."""
    return store.query(
        "SELECT s.step, COALESCE(date(d.sent_at, 'localtime'), s.done_on) AS done_on,"
        " i.paid_date, d.tone, d.segment, d.policy_version"
        " FROM invoice_steps s JOIN invoices i ON i.number = s.invoice_number"
        " LEFT JOIN drafts d ON d.id = s.draft_id"
        " WHERE s.source != 'rejected'"
        f" AND (d.id IS NULL OR d.status NOT IN {sql_in(LEAVING)})"
        " AND COALESCE(date(d.sent_at, 'localtime'), s.done_on) <= ?",
        (until.isoformat(),),
    )


def draft_review_counts(store: Store, planned_until: date) -> dict[str, int]:
    """Customer drafts planned up to `planned_until`, by review outcome (their status today):
    keys unchanged, edited (approved or later), rejected."""
    row = store.query_one(
        "SELECT"
        f" SUM(status IN {sql_in(APPROVED_OR_LATER)} AND edited = 0) AS unchanged,"
        f" SUM(status IN {sql_in(APPROVED_OR_LATER)} AND edited = 1) AS edited,"
        f" SUM(status = {sql(DraftStatus.REJECTED)}) AS rejected"
        " FROM drafts WHERE channel != 'internal' AND plan_date <= ?",
        (planned_until.isoformat(),),
    )
    row = row or {}
    return {k: int(row.get(k) or 0) for k in ("unchanged", "edited", "rejected")}
