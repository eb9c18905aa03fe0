"""Promises to pay as the planner, briefs and KPIs judge them (rules/promises.py): each promise
with what was paid inside its window, in one query."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds


class PromiseRow(NamedTuple):
    id: int
    customer_id: str
    invoice_number: str | None
    made_on: date
    promised_date: date
    amount_cents: int | None
    paid_in_window_cents: int
    invoice_paid_on: date | None
    expected_cents: int | None  # customer-level, no amount: what was overdue when it was made


# The customer's invoices as they stood before the payments of the day the promise was made
# (issued by then, not disputed, credited or cancelled), with what was unpaid: a correlated
# subquery over the promise `p`.
_OWED_WHEN_MADE = """
    SELECT inv.due_date, inv.outstanding_cents + COALESCE((SELECT SUM(x.amount_cents)
      FROM payments x WHERE x.invoice_number = inv.number AND x.date >= p.made_on), 0) AS cents
    FROM invoices inv WHERE inv.customer_id = p.customer_id AND inv.issue_date <= p.made_on
      AND inv.status IN ('open', 'paid')"""


def promises_with_payments(
    store: Store, grace_days: int, until: date, customer_ids: CustomerIds = None
) -> list[PromiseRow]:
    """Every promise (of `customer_ids`, or about their invoices, if given), oldest first, with
    the payments made between the day it was made and its date + `grace_days`, counting only
    payments up to `until`; the invoice's paid date if by `until`."""
    grace = f"+{int(grace_days)} days"
    only, scope = "", {}
    if customer_ids is not None:  # theirs, or about their invoices (named parameters :c0...)
        scope = {f"c{i}": cid for i, cid in enumerate(sorted(set(customer_ids)))}
        marks = ", ".join(":" + k for k in scope)
        only = (
            f" WHERE p.id IN (SELECT id FROM promises WHERE customer_id IN ({marks}) UNION"
            " SELECT x.id FROM invoices xi JOIN promises x ON x.invoice_number = xi.number"
            f" WHERE xi.customer_id IN ({marks}))"
        )
    rows = store.conn.execute(
        f"""
        SELECT p.id, p.customer_id, p.invoice_number, p.made_on, p.promised_date, p.amount_cents,
          CASE WHEN p.invoice_number IS NOT NULL THEN
            (SELECT COALESCE(SUM(pay.amount_cents), 0) FROM payments pay
              WHERE pay.invoice_number = p.invoice_number
                AND pay.date >= p.made_on AND pay.date <= date(p.promised_date, :grace)
                AND pay.date <= :until)
          ELSE
            (SELECT COALESCE(SUM(pay.amount_cents), 0) FROM payments pay
              JOIN invoices inv ON inv.number = pay.invoice_number
              WHERE inv.customer_id = p.customer_id
                AND pay.date >= p.made_on AND pay.date <= date(p.promised_date, :grace)
                AND pay.date <= :until)
          END,
          CASE WHEN i.paid_date <= :until THEN i.paid_date END,
          CASE WHEN p.invoice_number IS NULL AND p.amount_cents IS NULL THEN
            COALESCE(NULLIF((SELECT SUM(owed.cents) FROM ({_OWED_WHEN_MADE}) owed
              WHERE owed.due_date < p.made_on), 0),
              (SELECT SUM(owed.cents) FROM ({_OWED_WHEN_MADE}) owed))
          END
        FROM promises p LEFT JOIN invoices i ON i.number = p.invoice_number{only}
        ORDER BY p.made_on, p.id
        """,
        {"grace": grace, "until": until.isoformat(), **scope},
    ).fetchall()
    return [
        PromiseRow(
            r[0],
            r[1],
            r[2],
            date.fromisoformat(r[3]),
            date.fromisoformat(r[4]),
            r[5],
            r[6],
            date.fromisoformat(r[7]) if r[7] else None,
            r[8],
        )
        for r in rows
    ]
