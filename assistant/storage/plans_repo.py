"""Payment plans as stored (rules/instalments.py makes them plan states): the active plans, their
invoices and instalments, what was paid since each was agreed, the instalment steps done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds, customer_filter


@dataclass(frozen=True, slots=True)
class StoredInstalment:
    id: int
    seq: int
    due: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class StoredPlan:
    id: int
    customer_id: str
    agreed_on: date
    invoices: tuple[str, ...]  # by number
    instalments: tuple[StoredInstalment, ...]  # by seq
    paid_since_agreed_cents: int  # payments on its invoices from agreed_on to as_of
    done: frozenset[tuple[int, str]]  # (instalment id, step) done by as_of


def active_plans(store: Store, as_of: date, customer_ids: CustomerIds = None) -> list[StoredPlan]:
    """The active payment plans agreed by `as_of` (of `customer_ids`, if given), by id."""
    day = as_of.isoformat()
    only, ids = customer_filter("customer_id", customer_ids)
    plans = store.query(
        "SELECT id, customer_id, agreed_on FROM payment_plans WHERE status = 'active'"
        f" AND agreed_on <= ?{only} ORDER BY id",
        (day, *ids),
    )
    found = []
    for plan in plans:
        invoices = tuple(
            r["invoice_number"]
            for r in store.query(
                "SELECT invoice_number FROM payment_plan_invoices WHERE plan_id = ?"
                " ORDER BY invoice_number",
                (plan["id"],),
            )
        )
        instalments = tuple(
            StoredInstalment(
                r["id"], r["seq"], date.fromisoformat(r["due_date"]), r["amount_cents"]
            )
            for r in store.query(
                "SELECT id, seq, due_date, amount_cents FROM instalments WHERE plan_id = ?"
                " ORDER BY seq",
                (plan["id"],),
            )
        )
        marks = ",".join("?" * len(invoices)) or "''"
        paid = store.scalar(
            f"SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE invoice_number IN"
            f" ({marks}) AND date >= ? AND date <= ?",
            (*invoices, plan["agreed_on"], day),
        )
        done = frozenset(
            (r["instalment_id"], r["step"])
            for r in store.query(
                "SELECT s.instalment_id, s.step FROM instalment_steps s JOIN instalments i"
                " ON i.id = s.instalment_id WHERE i.plan_id = ? AND s.done_on <= ?",
                (plan["id"], day),
            )
        )
        found.append(
            StoredPlan(
                plan["id"],
                plan["customer_id"],
                date.fromisoformat(plan["agreed_on"]),
                invoices,
                instalments,
                int(paid),
                done,
            )
        )
    return found
