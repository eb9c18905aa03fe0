"""Promises to pay: open, kept or broken on a given date (used by the planner, briefs and KPIs).

A promise is kept when, between the day it was made and its date + grace, what was promised
arrived: the promised amount; without an amount, the invoice paid in full, or for a
customer-level promise, what was overdue when it was made (a small payment does not keep it).
It is open until date + grace, then kept or broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds

PromiseStatus = Literal["open", "kept", "broken"]


@dataclass(frozen=True, slots=True)
class PromiseState:
    id: int
    customer_id: str
    invoice_number: str | None
    made_on: date
    promised_date: date
    amount_cents: int | None
    paid_in_window_cents: int
    invoice_paid_on: date | None
    expected_cents: int | None = None  # customer-level, no amount: overdue when it was made

    def deadline(self, grace_days: int) -> date:
        return self.promised_date + timedelta(days=grace_days)

    def is_fulfilled(self, grace_days: int) -> bool:
        deadline = self.deadline(grace_days)
        if self.amount_cents is not None:
            return self.paid_in_window_cents >= self.amount_cents
        if self.invoice_number is not None:
            return self.invoice_paid_on is not None and self.invoice_paid_on <= deadline
        if self.expected_cents:
            return self.paid_in_window_cents >= self.expected_cents
        return self.paid_in_window_cents > 0  # nothing was owed when it was made

    def status(self, as_of: date, grace_days: int) -> PromiseStatus:
        if self.is_fulfilled(grace_days):
            return "kept"
        return "open" if as_of <= self.deadline(grace_days) else "broken"


# The customer's invoices as they stood before the payments of the day the promise was made
# (issued by then, not disputed, credited or cancelled), with what was unpaid: a correlated
# subquery over the promise `p`.
_OWED_WHEN_MADE = """
    SELECT inv.due_date, inv.outstanding_cents + COALESCE((SELECT SUM(x.amount_cents)
      FROM payments x WHERE x.invoice_number = inv.number AND x.date >= p.made_on), 0) AS cents
    FROM invoices inv WHERE inv.customer_id = p.customer_id AND inv.issue_date <= p.made_on
      AND inv.status IN ('open', 'paid')"""


def load_promises(
    store: Store, grace_days: int, as_of: date | None = None, *, customer_ids: CustomerIds = None
) -> list[PromiseState]:
    """Every promise (of `customer_ids`, if given) with what was paid inside its window (one
    query). With `as_of`, only payments made up to that day count (the state as it was then)."""
    grace = f"+{int(grace_days)} days"
    until = (as_of or date.max).isoformat()
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
        {"grace": grace, "until": until, **scope},
    ).fetchall()
    return [
        PromiseState(
            id=r[0],
            customer_id=r[1],
            invoice_number=r[2],
            made_on=date.fromisoformat(r[3]),
            promised_date=date.fromisoformat(r[4]),
            amount_cents=r[5],
            paid_in_window_cents=r[6],
            invoice_paid_on=date.fromisoformat(r[7]) if r[7] else None,
            expected_cents=r[8],
        )
        for r in rows
    ]
