"""Load what the planner needs from the store (its SQL: storage/snapshot_repo.py) into light
structures.

The planner itself (engine.py) is pure; this module is the only one that reads the store for
it. Dates are ordinals; money is cents; invoices stay tuples (a million of them must load fast).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from assistant.rules.calendar import ClosingSpans
from assistant.rules.gcpause import gc_paused
from assistant.rules.holds import Holds, load_holds
from assistant.rules.instalments import PlanState, load_plans
from assistant.rules.policy import ScenarioPolicy
from assistant.rules.promises import PromiseState, load_promises
from assistant.storage import snapshot_repo as repo
from assistant.storage.balances import Balance, balances, credit_totals
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds
from assistant.storage.snapshot_repo import InvoiceRow


@dataclass(slots=True)
class CustomerFacts:
    id: str
    country: str
    strategic: bool
    do_not_contact: bool
    sms_ok: bool
    since: int | None
    risk: str | None
    label: str | None
    closing: ClosingSpans = ()
    outstanding_cents: int = 0
    avg_days_late: float | None = None
    broken_promises: int = 0
    # last automatic message within the minimum gap (an older one cannot hold the next)
    recent_auto_contact: int | None = None


@dataclass(slots=True)
class Snapshot:
    as_of: date
    customers: dict[str, CustomerFacts]
    invoices: list[InvoiceRow]
    # latest promise per invoice / per customer (customer-level promises)
    invoice_promise: dict[str, PromiseState] = field(default_factory=dict)
    customer_promise: dict[str, PromiseState] = field(default_factory=dict)
    in_plan: frozenset[str] = frozenset()
    plans: list[PlanState] = field(default_factory=list)
    # what stops automatic work until a person acts (rules/holds.py)
    holds: Holds = field(default_factory=Holds)
    # the account ceiling (rules/balance.py): unallocated credits and balances of the customers
    # that have some, the currency of invoices not in EUR, instalment amounts
    credits: dict[str, dict[str, int]] = field(default_factory=dict)
    balances: dict[str, Balance] = field(default_factory=dict)
    currency_of: dict[str, str] = field(default_factory=dict)
    instalment_amounts: dict[int, int] = field(default_factory=dict)
    extra_outstanding: dict[str, int] = field(default_factory=dict)  # plan invoices out of view


def load_snapshot(
    store: Store, policy: ScenarioPolicy, as_of: date, customer_ids: CustomerIds = None
) -> Snapshot:
    """What the planner needs as of `as_of`; with `customer_ids`, only those customers (the
    plan of that snapshot is the full plan's actions for them: tests/unit/test_plan_for.py)."""
    with gc_paused():
        return _load_snapshot(store, policy, as_of, customer_ids)


# Two closing periods of one customer this many days apart or closer count as one run (a
# weekend and a bank holiday between them close the customer's office just the same).
_JOIN_GAP_DAYS = 4


def longest_closed_run(spans: Iterable[tuple[str, int, int]]) -> int:
    """The longest run of days any customer is closed, in days from its first to its last
    day: periods one after the other (or a short gap apart) are one run. The view's horizon
    uses it: a pre-due reminder that falls in a closing moves back before the whole run."""
    by_customer: dict[str, list[tuple[int, int]]] = {}
    for customer_id, first, last in spans:
        by_customer.setdefault(customer_id, []).append((first, last))
    longest = 0
    for periods in by_customer.values():
        periods.sort()
        start, end = periods[0]
        for first, last in periods[1:]:
            if first - end - 1 > _JOIN_GAP_DAYS:
                longest = max(longest, end - start)
                start = first
            end = max(end, last)
        longest = max(longest, end - start)
    return longest


def _load_snapshot(
    store: Store, policy: ScenarioPolicy, as_of: date, customer_ids: CustomerIds
) -> Snapshot:
    as_of_ord = as_of.toordinal()
    scoped = customer_ids is not None

    # over every customer, even for a few: which invoices are "in view" must not change
    longest_closing = longest_closed_run(repo.closing_spans(store))
    earliest_offset = min(s.offset_days for s in policy.steps)
    horizon = as_of_ord - earliest_offset + int(longest_closing) + 15

    customers: dict[str, CustomerFacts] = {}
    for row in repo.planner_customers(store, customer_ids):
        customers[row[0]] = CustomerFacts(
            id=row[0],
            country=(row[1] or policy.country_default).upper(),
            strategic=bool(row[2]),
            do_not_contact=bool(row[3]),
            sms_ok=bool(row[4]),
            since=row[5],
            risk=row[6],
            label=row[7],
        )

    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for cid, start, end in repo.closing_spans(store, customer_ids):
        spans[cid].append((start, end))
    for cid, items in spans.items():
        if cid in customers:
            customers[cid].closing = tuple(sorted(items))

    # Open invoices with their most advanced step done.
    rows = repo.open_invoices_with_last_step(
        store, [s.id for s in policy.steps], as_of, customer_ids
    )
    # Outstanding per customer counts every open invoice; the planner gets those with money
    # due and a due date close enough for a step to be reached.
    invoices: list[InvoiceRow] = []
    keep = invoices.append
    total, facts, previous = 0, None, None
    for row in rows:
        cid = row[1]
        if cid != previous:
            if facts is not None:
                facts.outstanding_cents = total
            facts, total, previous = customers.get(cid), 0, cid
        total += row[3]
        if row[3] > 0 and row[2] <= horizon:
            keep(row)
    if facts is not None:
        facts.outstanding_cents = total
    del rows

    year_ago = date.fromordinal(as_of_ord - 365)
    for cid, avg in repo.avg_days_late(store, year_ago, as_of, customer_ids):
        if cid in customers:
            customers[cid].avg_days_late = avg

    # Only a message inside the minimum gap can hold the next one: older ones are not loaded.
    automatic = [s.id for s in policy.steps if s.automatic]
    if automatic and policy.min_gap_days > 0:
        since = date.fromordinal(as_of_ord - policy.min_gap_days)
        for cid, last in repo.last_step_done(store, automatic, since, as_of, customer_ids):
            if cid in customers:
                customers[cid].recent_auto_contact = last

    invoice_promise: dict[str, PromiseState] = {}
    customer_promise: dict[str, PromiseState] = {}
    for promise in load_promises(store, policy.promise_grace_days, customer_ids=customer_ids):
        if promise.made_on > as_of:
            continue
        if promise.invoice_number is None:
            customer_promise[promise.customer_id] = promise  # ordered by made_on: latest wins
        else:
            invoice_promise[promise.invoice_number] = promise
        if (
            promise.status(as_of, policy.promise_grace_days) == "broken"
            and promise.promised_date.toordinal() > as_of_ord - 365
            and promise.customer_id in customers
        ):
            customers[promise.customer_id].broken_promises += 1

    in_plan = repo.invoices_in_active_plans(store, customer_ids)
    plans = load_plans(store, as_of, customer_ids)
    snap = Snapshot(
        as_of,
        customers,
        invoices,
        invoice_promise,
        customer_promise,
        in_plan,
        plans,
        load_holds(store, as_of, customer_ids),
    )
    snap.credits = credit_totals(store, customer_ids)
    snap.balances = balances(store, snap.credits, credits=snap.credits)
    snap.currency_of = repo.currencies_not_eur(store, customer_ids)
    snap.instalment_amounts = {i.id: i.amount_cents for p in plans for i in p.instalments}
    plan_numbers = sorted({n for p in plans for n in p.invoices})
    if plan_numbers and scoped:  # a plan naming another customer's invoice (never, in practice)
        snap.currency_of.update(repo.currencies_not_eur_of(store, plan_numbers))
    if plan_numbers:
        snap.extra_outstanding = repo.outstanding_of(store, plan_numbers)
    return snap
