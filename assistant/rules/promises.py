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
from assistant.storage.promises_repo import promises_with_payments
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


def load_promises(
    store: Store, grace_days: int, as_of: date | None = None, *, customer_ids: CustomerIds = None
) -> list[PromiseState]:
    """Every promise (of `customer_ids`, if given) with what was paid inside its window (one
    query). With `as_of`, only payments made up to that day count (the state as it was then)."""
    return [
        PromiseState(
            id=r.id,
            customer_id=r.customer_id,
            invoice_number=r.invoice_number,
            made_on=r.made_on,
            promised_date=r.promised_date,
            amount_cents=r.amount_cents,
            paid_in_window_cents=r.paid_in_window_cents,
            invoice_paid_on=r.invoice_paid_on,
            expected_cents=r.expected_cents,
        )
        for r in promises_with_payments(store, grace_days, as_of or date.max, customer_ids)
    ]
