"""Payment plans agreed on a call: their invoices leave the normal scenario; their instalments
are reminded instead. The first unpaid instalment gets a courteous reminder three days before
its date (`instalment_reminder`, automatic) and, if still unpaid after the promise grace, a call
(`instalment_missed`, human). An instalment is paid when the payments received on the plan's
invoices since the agreement cover the schedule up to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds, customer_filter

REMINDER_STEP = "instalment_reminder"
MISSED_STEP = "instalment_missed"
REMINDER_OFFSET = -3


@dataclass(frozen=True, slots=True)
class InstalmentState:
    id: int
    seq: int
    count: int
    due: date
    amount_cents: int
    cumulative_cents: int


@dataclass(frozen=True, slots=True)
class PlanState:
    id: int
    customer_id: str
    agreed_on: date
    invoices: tuple[str, ...]
    instalments: tuple[InstalmentState, ...]
    paid_since_agreed_cents: int
    done: frozenset[tuple[int, str]]  # (instalment id, step)

    def first_unpaid(self) -> InstalmentState | None:
        for item in self.instalments:
            if self.paid_since_agreed_cents < item.cumulative_cents:
                return item
        return None


def load_plans(store: Store, as_of: date, customer_ids: CustomerIds = None) -> list[PlanState]:
    """The active payment plans agreed by `as_of` (of `customer_ids`, if given)."""
    only, ids = customer_filter("customer_id", customer_ids)
    plans = store.query(
        "SELECT id, customer_id, agreed_on FROM payment_plans WHERE status = 'active'"
        f" AND agreed_on <= ?{only} ORDER BY id",
        (as_of.isoformat(), *ids),
    )
    states = []
    for plan in plans:
        invoices = tuple(
            r["invoice_number"]
            for r in store.query(
                "SELECT invoice_number FROM payment_plan_invoices WHERE plan_id = ?"
                " ORDER BY invoice_number",
                (plan["id"],),
            )
        )
        rows = store.query(
            "SELECT id, seq, due_date, amount_cents FROM instalments WHERE plan_id = ?"
            " ORDER BY seq",
            (plan["id"],),
        )
        total, items = 0, []
        for r in rows:
            total += r["amount_cents"]
            items.append(
                InstalmentState(
                    r["id"],
                    r["seq"],
                    len(rows),
                    date.fromisoformat(r["due_date"]),
                    r["amount_cents"],
                    total,
                )
            )
        marks = ",".join("?" * len(invoices)) or "''"
        paid = store.scalar(
            f"SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE invoice_number IN"
            f" ({marks}) AND date >= ? AND date <= ?",
            (*invoices, plan["agreed_on"], as_of.isoformat()),
        )
        done = frozenset(
            (r["instalment_id"], r["step"])
            for r in store.query(
                "SELECT s.instalment_id, s.step FROM instalment_steps s JOIN instalments i"
                " ON i.id = s.instalment_id WHERE i.plan_id = ? AND s.done_on <= ?",
                (plan["id"], as_of.isoformat()),
            )
        )
        states.append(
            PlanState(
                plan["id"],
                plan["customer_id"],
                date.fromisoformat(plan["agreed_on"]),
                invoices,
                tuple(items),
                int(paid),
                done,
            )
        )
    return states
