"""What the planner's snapshot (rules/snapshot.py) reads, as plain rows: dates are ordinals,
money is cents, invoices stay tuples (a million of them must load fast).

Whole portfolio (`customer_ids=None`): full-table scans (NOT INDEXED) on purpose: most invoices
qualify, and walking an index then fetching each row costs 3-4 times a scan
(benchmarks/plan_bench.py). A few customers: the customer indexes (benchmarks/customer_bench.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds, customer_filter

# julianday('0001-01-01') - 1: turns an ISO date into a proleptic ordinal inside SQLite.
_ORD = "CAST(julianday({col}) - 1721424.5 AS INTEGER)"

# (id, country, strategic, do_not_contact, SMS allowed (opt-in and a phone),
#  customer since (ordinal) or None, risk, segment)
CustomerRow = tuple[str, str | None, int, int, int, int | None, str | None, str | None]
# (number, customer_id, due ordinal, outstanding cents, index of the last step done or None,
#  ordinal of the day it was done or None). Sorted by customer, then number.
InvoiceRow = tuple[str, str, int, int, int | None, int | None]


def _scan(customer_ids: CustomerIds) -> str:
    return "" if customer_ids is not None else " NOT INDEXED"


def planner_customers(store: Store, customer_ids: CustomerIds = None) -> Iterable[CustomerRow]:
    """Each customer's facts the planner uses (see `CustomerRow`)."""
    only, ids = customer_filter("id", customer_ids)
    return store.conn.execute(  # type: ignore[no-any-return]
        "SELECT id, country, strategic, do_not_contact,"
        " sms_opt_in AND COALESCE(phone, '') <> '',"
        f" CASE WHEN customer_since IS NULL THEN NULL ELSE {_ORD.format(col='customer_since')} END,"
        f" risk, segment FROM customers WHERE 1{only}",
        ids,
    )


def closing_spans(store: Store, customer_ids: CustomerIds = None) -> Iterable[tuple[str, int, int]]:
    """(customer_id, first day, last day) of each closing period, as ordinals."""
    only, ids = customer_filter("customer_id", customer_ids)
    return store.conn.execute(  # type: ignore[no-any-return]
        f"SELECT customer_id, {_ORD.format(col='start')}, {_ORD.format(col='end')}"
        f" FROM closing_periods WHERE 1{only}",
        ids,
    )


# The most advanced step of each invoice and the day it was done. SQLite: its bare column (with
# a single MAX(), `done` comes from the row holding the maximum), the fastest on a million
# invoices. Other databases have no bare column: the same row picked by a window.
_LAST_STEP_BARE = (
    "  SELECT s.invoice_number AS number, MAX(CASE s.step {index_of} END) AS idx,"
    "   {done} AS done FROM invoice_steps s"
    "  WHERE +s.done_on <= ? AND s.step IN ({marks})"
)
_LAST_STEP_WINDOW = (
    "  SELECT number, idx, done FROM ("
    "  SELECT s.invoice_number AS number, CASE s.step {index_of} END AS idx, {done} AS done,"
    "   ROW_NUMBER() OVER (PARTITION BY s.invoice_number ORDER BY CASE s.step {index_of} END"
    "   DESC) AS rn FROM invoice_steps s"
    "  WHERE s.done_on <= ? AND s.step IN ({marks})"
)


def open_invoices_with_last_step(
    store: Store, step_ids: Sequence[str], as_of: date, customer_ids: CustomerIds = None
) -> list[InvoiceRow]:
    """Open invoices (every one, money due or not) with the most advanced of `step_ids` done by
    `as_of` (its index in `step_ids`) and the day it was done; by customer, then number.

    SQLite's bare column: with a single MAX(), `done` comes from the row holding the maximum."""
    scoped = customer_ids is not None
    only_inv, ids = customer_filter("i.customer_id", customer_ids)
    marks = ",".join("?" * len(step_ids))
    index_of = " ".join(f"WHEN ? THEN {i}" for i in range(len(step_ids)))
    window = store.kind == "postgresql"
    last_step = (_LAST_STEP_WINDOW if window else _LAST_STEP_BARE).format(
        index_of=index_of, done=_ORD.format(col="s.done_on"), marks=marks
    )
    if scoped:
        last_step += f" AND s.invoice_number IN (SELECT i.number FROM invoices i WHERE 1{only_inv})"
    last_step += "  ) ranked WHERE rn = 1" if window else "  GROUP BY s.invoice_number"
    params = (*step_ids, *(step_ids if window else ()), as_of.isoformat(), *step_ids, *ids, *ids)
    return store.conn.execute(
        f"SELECT i.number, i.customer_id, {_ORD.format(col='i.due_date')},"
        " i.outstanding_cents, d.idx, d.done"
        f" FROM invoices i{_scan(customer_ids)} LEFT JOIN ({last_step}"
        " ) d ON d.number = i.number"
        f" WHERE i.status = 'open'{only_inv} ORDER BY i.customer_id, i.number",
        params,
    ).fetchall()


def avg_days_late(
    store: Store, after: date, until: date, customer_ids: CustomerIds = None
) -> Iterable[tuple[str, float]]:
    """(customer_id, average days late) of the invoices paid after `after`, up to `until`."""
    only, ids = customer_filter("customer_id", customer_ids)
    return store.conn.execute(  # type: ignore[no-any-return]
        "SELECT customer_id, AVG(MAX(julianday(paid_date) - julianday(due_date), 0))"
        f" FROM invoices{_scan(customer_ids)} WHERE paid_date > ? AND paid_date <= ?{only}"
        " GROUP BY customer_id",
        (after.isoformat(), until.isoformat(), *ids),
    )


def last_step_done(
    store: Store, steps: Sequence[str], after: date, until: date, customer_ids: CustomerIds = None
) -> Iterable[tuple[str, int]]:
    """(customer_id, ordinal) of the last of `steps` done (not rejected) after `after`, up to
    `until`, on any invoice of each customer."""
    if not steps:  # no step to look for (and `IN ()` is an error on PostgreSQL)
        return []
    only, ids = customer_filter("i.customer_id", customer_ids)
    marks = ",".join("?" * len(steps))
    return store.conn.execute(  # type: ignore[no-any-return]
        f"SELECT i.customer_id, MAX({_ORD.format(col='s.done_on')}) FROM invoice_steps s"
        f" JOIN invoices i ON i.number = s.invoice_number WHERE s.step IN ({marks})"
        " AND s.source <> 'rejected' AND s.done_on > ? AND s.done_on <= ?"
        f"{only} GROUP BY i.customer_id",
        (*steps, after.isoformat(), until.isoformat(), *ids),
    )


def invoices_in_active_plans(store: Store, customer_ids: CustomerIds = None) -> frozenset[str]:
    """Numbers of the invoices (of `customer_ids`, if given) in an active payment plan."""
    only, ids = customer_filter("i.customer_id", customer_ids)
    return frozenset(
        r[0]
        for r in store.conn.execute(
            (
                "SELECT ppi.invoice_number FROM invoices i"
                " JOIN payment_plan_invoices ppi ON ppi.invoice_number = i.number"
                if customer_ids is not None
                else "SELECT ppi.invoice_number FROM payment_plan_invoices ppi"
            )
            + f" JOIN payment_plans pp ON pp.id = ppi.plan_id WHERE pp.status = 'active'{only}",
            ids,
        )
    )


def currencies_not_eur(store: Store, customer_ids: CustomerIds = None) -> dict[str, str]:
    """Invoice number -> currency, for the invoices (of `customer_ids`) not in EUR."""
    only, ids = customer_filter("customer_id", customer_ids)
    return dict(
        store.conn.execute(
            f"SELECT number, currency FROM invoices WHERE currency <> 'EUR'{only}", ids
        ).fetchall()
    )


def currencies_not_eur_of(store: Store, numbers: Sequence[str]) -> dict[str, str]:
    """Invoice number -> currency, for those of `numbers` not in EUR."""
    if not numbers:  # `IN ()` is an error on PostgreSQL
        return {}
    marks = ",".join("?" * len(numbers))
    return dict(
        store.conn.execute(
            "SELECT number, currency FROM invoices WHERE currency <> 'EUR'"
            f" AND number IN ({marks})",
            numbers,
        ).fetchall()
    )


def outstanding_of(store: Store, numbers: Sequence[str]) -> dict[str, int]:
    """Invoice number -> outstanding cents, for `numbers` (not empty)."""
    marks = ",".join("?" * len(numbers))
    return dict(
        store.conn.execute(
            f"SELECT number, outstanding_cents FROM invoices WHERE number IN ({marks})", numbers
        ).fetchall()
    )
