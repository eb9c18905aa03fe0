"""Load what the planner needs from the store, with plain SQL, into light structures.

The planner itself (engine.py) is pure; this module is the only one that reads the database
for it. Dates are ordinals; money is cents; invoices stay tuples (a million of them must load fast).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from assistant.rules.calendar import ClosingSpans
from assistant.rules.gcpause import gc_paused
from assistant.rules.holds import Holds, load_holds
from assistant.rules.instalments import PlanState, load_plans
from assistant.rules.policy import ScenarioPolicy
from assistant.rules.promises import PromiseState, load_promises
from assistant.storage.balances import Balance, balances, credit_totals
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds, customer_filter

# julianday('0001-01-01') - 1: turns an ISO date into a proleptic ordinal inside SQLite.
_ORD = "CAST(julianday({col}) - 1721424.5 AS INTEGER)"

# (number, customer_id, due ordinal, outstanding cents, index of the last step done or None,
#  ordinal of the day it was done or None). Sorted by customer, then number.
InvoiceRow = tuple[str, str, int, int, int | None, int | None]


@dataclass(slots=True)
class CustomerFacts:
    id: str
    name: str
    country: str
    strategic: bool
    do_not_contact: bool
    sms_ok: bool
    since: int | None
    risk: str | None
    label: str | None
    salesperson_email: str | None
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


def _load_snapshot(
    store: Store, policy: ScenarioPolicy, as_of: date, customer_ids: CustomerIds
) -> Snapshot:
    # Whole portfolio: full-table scans (NOT INDEXED) on purpose: most invoices qualify, and
    # walking an index then fetching each row costs 3-4 times a scan (benchmarks/plan_bench.py).
    # A few customers: the customer indexes (benchmarks/customer_bench.py).
    as_of_ord = as_of.toordinal()
    today = as_of.isoformat()
    conn = store.conn
    scoped = customer_ids is not None
    scan = "" if scoped else " NOT INDEXED"
    only_c, ids = customer_filter("id", customer_ids)
    only_cust, _ = customer_filter("customer_id", customer_ids)
    only_inv, _ = customer_filter("i.customer_id", customer_ids)

    # over every customer, even for a few: which invoices are "in view" must not change
    longest_closing = conn.execute(
        "SELECT COALESCE(MAX(julianday(end) - julianday(start)), 0) FROM closing_periods"
    ).fetchone()[0]
    earliest_offset = min(s.offset_days for s in policy.steps)
    horizon = as_of_ord - earliest_offset + int(longest_closing) + 15

    customers: dict[str, CustomerFacts] = {}
    for row in conn.execute(
        "SELECT id, name, country, strategic, do_not_contact,"
        " sms_opt_in AND COALESCE(phone, '') <> '',"
        f" CASE WHEN customer_since IS NULL THEN NULL ELSE {_ORD.format(col='customer_since')} END,"
        f" risk, segment, salesperson_email FROM customers WHERE 1{only_c}",
        ids,
    ):
        customers[row[0]] = CustomerFacts(
            id=row[0],
            name=row[1],
            country=(row[2] or policy.country_default).upper(),
            strategic=bool(row[3]),
            do_not_contact=bool(row[4]),
            sms_ok=bool(row[5]),
            since=row[6],
            risk=row[7],
            label=row[8],
            salesperson_email=row[9],
        )

    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for cid, start, end in conn.execute(
        f"SELECT customer_id, {_ORD.format(col='start')}, {_ORD.format(col='end')}"
        f" FROM closing_periods WHERE 1{only_cust}",
        ids,
    ):
        spans[cid].append((start, end))
    for cid, items in spans.items():
        if cid in customers:
            customers[cid].closing = tuple(sorted(items))

    # Open invoices with their most advanced step done (SQLite's bare column: with a single
    # MAX(), `done` comes from the row holding the maximum).
    step_ids = [s.id for s in policy.steps]
    marks = ",".join("?" * len(step_ids))
    index_of = " ".join(f"WHEN ? THEN {i}" for i in range(len(step_ids)))
    rows = conn.execute(
        f"SELECT i.number, i.customer_id, {_ORD.format(col='i.due_date')},"
        " i.outstanding_cents, d.idx, d.done"
        f" FROM invoices i{scan} LEFT JOIN ("
        f"  SELECT s.invoice_number AS number, MAX(CASE s.step {index_of} END) AS idx,"
        f"   {_ORD.format(col='s.done_on')} AS done FROM invoice_steps s"
        f"  WHERE +s.done_on <= ? AND s.step IN ({marks})"
        + (
            f"   AND s.invoice_number IN (SELECT i.number FROM invoices i WHERE 1{only_inv})"
            if scoped
            else ""
        )
        + "  GROUP BY s.invoice_number"
        f" ) d ON d.number = i.number"
        f" WHERE i.status = 'open'{only_inv} ORDER BY i.customer_id, i.number",
        (*step_ids, today, *step_ids, *ids, *ids),
    ).fetchall()
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

    year_ago = date.fromordinal(as_of_ord - 365).isoformat()
    for cid, avg in conn.execute(
        "SELECT customer_id, AVG(MAX(julianday(paid_date) - julianday(due_date), 0))"
        f" FROM invoices{scan} WHERE paid_date > ? AND paid_date <= ?{only_cust}"
        " GROUP BY customer_id",
        (year_ago, today, *ids),
    ):
        if cid in customers:
            customers[cid].avg_days_late = avg

    # Only a message inside the minimum gap can hold the next one: older ones are not loaded.
    automatic = [s.id for s in policy.steps if s.automatic]
    if automatic and policy.min_gap_days > 0:
        since = date.fromordinal(as_of_ord - policy.min_gap_days).isoformat()
        marks = ",".join("?" * len(automatic))
        for cid, last in conn.execute(
            f"SELECT i.customer_id, MAX({_ORD.format(col='s.done_on')}) FROM invoice_steps s"
            f" JOIN invoices i ON i.number = s.invoice_number WHERE s.step IN ({marks})"
            " AND s.source <> 'rejected' AND s.done_on > ? AND s.done_on <= ?"
            f"{only_inv} GROUP BY i.customer_id",
            (*automatic, since, today, *ids),
        ):
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

    in_plan = frozenset(
        r[0]
        for r in conn.execute(
            (
                "SELECT ppi.invoice_number FROM invoices i"
                " JOIN payment_plan_invoices ppi ON ppi.invoice_number = i.number"
                if scoped
                else "SELECT ppi.invoice_number FROM payment_plan_invoices ppi"
            )
            + f" JOIN payment_plans pp ON pp.id = ppi.plan_id WHERE pp.status = 'active'{only_inv}",
            ids,
        )
    )
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
    snap.currency_of = dict(
        conn.execute(
            f"SELECT number, currency FROM invoices WHERE currency <> 'EUR'{only_cust}", ids
        ).fetchall()
    )
    snap.instalment_amounts = {i.id: i.amount_cents for p in plans for i in p.instalments}
    plan_numbers = sorted({n for p in plans for n in p.invoices})
    if plan_numbers and scoped:  # a plan naming another customer's invoice (never, in practice)
        marks = ",".join("?" * len(plan_numbers))
        snap.currency_of.update(
            conn.execute(
                "SELECT number, currency FROM invoices WHERE currency <> 'EUR'"
                f" AND number IN ({marks})",
                plan_numbers,
            ).fetchall()
        )
    if plan_numbers:
        marks = ",".join("?" * len(plan_numbers))
        snap.extra_outstanding = dict(
            conn.execute(
                f"SELECT number, outstanding_cents FROM invoices WHERE number IN ({marks})",
                plan_numbers,
            ).fetchall()
        )
    return snap
