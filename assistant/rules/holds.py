"""Holds: facts that stop the automatic sequence for a customer or an invoice until a person acts.

One mechanism for every reason a reminder must not go out although a step is due: a credit not
yet allocated, a customer reply to triage, a bank credit that may pay the invoice, collective
proceedings, a hand-off to a lawyer... Each capability adds a *hold source* to
`hold_sources.SOURCES`: a function that reads the store as of a date and yields holds. The planner
(through the snapshot) and the send-time re-check read the same holds, so what the plan holds never
leaves at send time either.

A hold with `task=True` also appears in the plan as an action for a person (`requires_human`),
with the hold's code as its step and channel `task`; `task=False` only explains the silence
(`plan --explain`).
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from assistant.reasons import Reason

if TYPE_CHECKING:
    from assistant.storage.db import Store


@dataclass(frozen=True, slots=True)
class Hold:
    """Why automatic work stops. `customer_id` always; `invoice_number` for an invoice hold."""

    code: str  # stable id: unallocated_credit, reply_pending, payment_match, ...
    customer_id: str
    reason: Reason  # a code with raw parameters; rendered at the edge (assistant/reasons.py)
    invoice_number: str | None = None
    task: bool = True  # a person must act: listed in the plan as a task
    invoices: tuple[str, ...] = ()  # the invoices the task is about (default: all held)
    amount_cents: int | None = None  # the money the task is about, when there is one
    address: str | None = None  # an address hold: no message to it, whoever the customer


# `(store, as_of) -> holds`; a source may also take a keyword `customer_ids` (a frozenset) and
# then read only those customers' holds (per-customer work stays fast on a large portfolio).
HoldSource = Callable[["Store", date], Iterable[Hold]]


@dataclass(slots=True)
class Holds:
    """Every hold as of a date, by customer and by invoice."""

    customer: dict[str, list[Hold]] = field(default_factory=lambda: defaultdict(list))
    invoice: dict[str, list[Hold]] = field(default_factory=lambda: defaultdict(list))
    address: dict[str, list[Hold]] = field(default_factory=lambda: defaultdict(list))

    def add(self, hold: Hold) -> None:
        if hold.address is not None:
            self.address[hold.address.lower()].append(hold)
        elif hold.invoice_number is None:
            self.customer[hold.customer_id].append(hold)
        else:
            self.invoice[hold.invoice_number].append(hold)

    def for_customer(self, customer_id: str) -> list[Hold]:
        return self.customer.get(customer_id, [])

    def for_invoice(self, number: str) -> list[Hold]:
        return self.invoice.get(number, [])

    def blocking(
        self, customer_id: str, numbers: Iterable[str], recipients: Iterable[str] = ()
    ) -> Hold | None:
        """The first hold that stops a message to this customer about these invoices (sent
        to these addresses)."""
        found = self.for_customer(customer_id)
        if found:
            return found[0]
        for number in numbers:
            held = self.for_invoice(number)
            if held:
                return held[0]
        for address in recipients:
            held = self.address.get(address.lower(), [])
            if held:
                return held[0]
        return None

    def __bool__(self) -> bool:
        return bool(self.customer) or bool(self.invoice) or bool(self.address)


def load_holds(store: Store, as_of: date, customer_ids: Collection[str] | None = None) -> Holds:
    """Run every hold source of `hold_sources.SOURCES` (they only read). With `customer_ids`:
    the holds of those customers, and every address hold (an address may be shared)."""
    from assistant.rules.hold_sources import SOURCES

    holds = Holds()
    wanted = None if customer_ids is None else frozenset(customer_ids)
    for source in SOURCES:
        if wanted is None:
            found = source(store, as_of)
        elif _scoped(source):
            found = source(store, as_of, customer_ids=wanted)  # type: ignore[call-arg]
        else:  # a source that cannot narrow its read: read all, keep theirs
            found = source(store, as_of)
        for hold in found:
            if wanted is None or hold.address is not None or hold.customer_id in wanted:
                holds.add(hold)
    return holds


@cache
def _scoped(source: HoldSource) -> bool:
    """Does this source take `customer_ids` (read only those customers' holds)?"""
    return "customer_ids" in inspect.signature(source).parameters
