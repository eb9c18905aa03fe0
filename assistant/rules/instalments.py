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
from assistant.storage.plans_repo import active_plans
from assistant.storage.scope import CustomerIds

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
    states = []
    for plan in active_plans(store, as_of, customer_ids):
        total, items = 0, []
        for item in plan.instalments:
            total += item.amount_cents
            items.append(
                InstalmentState(
                    item.id, item.seq, len(plan.instalments), item.due, item.amount_cents, total
                )
            )
        states.append(
            PlanState(
                plan.id,
                plan.customer_id,
                plan.agreed_on,
                plan.invoices,
                tuple(items),
                plan.paid_since_agreed_cents,
                plan.done,
            )
        )
    return states
