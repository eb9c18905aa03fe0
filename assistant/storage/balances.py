"""Account balances: unallocated credits, collective accounts, payments by source (SQL only).

What a customer owes is its open invoices minus its unallocated credits (payments on account and
credit notes not lettered to an invoice). Each import of a source replaces that source's
unallocated credits for the customers the file covers. Payments carry their source and a stable
external reference, so one payment seen twice by a source is recorded once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from assistant.money import Money
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds, customer_filter


@dataclass(frozen=True, slots=True)
class StoredCredit:
    """A credit on a customer account matched to no invoice (to be lettered by a person)."""

    customer_id: str
    source: str
    ref: str
    on_date: date
    money: Money
    label: str | None = None
    file: str = ""
    lines: tuple[int, ...] = ()


@dataclass(slots=True)
class Balance:
    """One customer's account, per currency: open invoices, unallocated credits, the net."""

    customer_id: str
    open: dict[str, int] = field(default_factory=dict)  # currency -> cents (open + disputed)
    credit: dict[str, int] = field(default_factory=dict)  # currency -> cents

    def net(self, currency: str) -> Money:
        return Money(self.open.get(currency, 0) - self.credit.get(currency, 0), currency)

    def currencies(self) -> list[str]:
        return sorted(set(self.open) | set(self.credit))


def replace_credits(
    store: Store, source: str, customer_ids: Iterable[str], credits: Sequence[StoredCredit]
) -> tuple[int, int]:
    """Make `credits` the unallocated credits of `source` for these customers.
    Returns (added, removed); a credit already stored under the same ref is kept as is."""
    ids = sorted(set(customer_ids) | {c.customer_id for c in credits})
    before: dict[str, tuple] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in store.conn.execute(
            "SELECT ref, customer_id, amount_cents, currency, on_date FROM customer_credits"
            f" WHERE source = ? AND customer_id IN ({marks})",
            (source, *chunk),
        ):
            before[row[0]] = tuple(row[1:])
    wanted = {c.ref: c for c in credits}
    removed = [ref for ref in before if ref not in wanted]
    changed = [
        c
        for ref, c in wanted.items()
        if before.get(ref)
        != (c.customer_id, c.money.cents, c.money.currency, c.on_date.isoformat())
    ]
    for ref in removed + [c.ref for c in changed if c.ref in before]:
        store.conn.execute(
            "DELETE FROM customer_credits WHERE source = ? AND ref = ?", (source, ref)
        )
    now = store.now_iso()
    store.conn.executemany(
        "INSERT INTO customer_credits (customer_id, source, ref, on_date, amount_cents, currency,"
        " label, file, lines, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (c.customer_id, source, c.ref, c.on_date.isoformat(), c.money.cents, c.money.currency,
             c.label, c.file, json.dumps(list(c.lines)), now)
            for c in changed
        ],
    )  # fmt: skip
    return sum(1 for c in changed if c.ref not in before), len(removed)


def credits_of(store: Store, customer_id: str | None = None) -> list[StoredCredit]:
    """Unallocated credits (of one customer, or all), oldest first."""
    where, params = ("WHERE customer_id = ?", (customer_id,)) if customer_id else ("", ())
    return [
        StoredCredit(
            r["customer_id"],
            r["source"],
            r["ref"],
            date.fromisoformat(r["on_date"]),
            Money(r["amount_cents"], r["currency"]),
            r["label"],
            r["file"],
            tuple(json.loads(r["lines"])),
        )
        for r in store.query(
            f"SELECT * FROM customer_credits {where} ORDER BY customer_id, on_date, id", params
        )
    ]


def credit_totals(store: Store, customer_ids: CustomerIds = None) -> dict[str, dict[str, int]]:
    """Customer -> currency -> unallocated credit cents (of `customer_ids` only, if given)."""
    only, ids = customer_filter("customer_id", customer_ids)
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    for cid, currency, cents in store.conn.execute(
        f"SELECT customer_id, currency, SUM(amount_cents) FROM customer_credits WHERE 1{only}"
        " GROUP BY customer_id, currency",
        ids,
    ):
        totals[cid][currency] = int(cents)
    return totals


def balances(
    store: Store,
    customer_ids: Iterable[str] | None = None,
    *,
    credits: dict[str, dict[str, int]] | None = None,
) -> dict[str, Balance]:
    """The account of every customer holding unallocated credits (or of `customer_ids`).
    `credits`: the credit totals already read (`credit_totals`) covering those customers."""
    wanted = None if customer_ids is None else set(customer_ids)
    if credits is None:
        credits = credit_totals(store, wanted)
    ids = set(credits) if wanted is None else wanted
    found = {cid: Balance(cid, credit=dict(credits.get(cid, {}))) for cid in ids}
    if not found:
        return found
    for chunk in _chunks(sorted(found)):
        marks = ",".join("?" * len(chunk))
        for cid, currency, cents in store.conn.execute(
            "SELECT customer_id, currency, SUM(outstanding_cents) FROM invoices"
            f" WHERE status IN ('open', 'disputed') AND customer_id IN ({marks})"
            " GROUP BY customer_id, currency",
            chunk,
        ):
            found[cid].open[currency] = int(cents)
    return found


def set_collective(store: Store, customer_id: str, reason: str | None) -> bool:
    """Flag (or unflag, reason None) a collective customer account; True if it changed."""
    cur = store.conn.execute(
        "UPDATE customers SET collective = ?, collective_reason = ? WHERE id = ?"
        " AND (collective != ? OR COALESCE(collective_reason, '') != COALESCE(?, ''))",
        (int(reason is not None), reason, customer_id, int(reason is not None), reason),
    )
    return cur.rowcount > 0


def collective_accounts(store: Store, customer_ids: CustomerIds = None) -> dict[str, str]:
    """Collective customer accounts (among `customer_ids`, if given): id -> why flagged."""
    only, ids = customer_filter("id", customer_ids)
    return {
        r[0]: r[1] or ""
        for r in store.conn.execute(
            f"SELECT id, collective_reason FROM customers WHERE collective = 1{only}", ids
        )
    }


# -- payments by source ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SourcePayment:
    id: int
    invoice_number: str
    on_date: date
    amount_cents: int
    source: str
    external_ref: str | None


def payments_for(store: Store, numbers: Iterable[str]) -> dict[str, list[SourcePayment]]:
    """Every recorded payment of these invoices, by invoice, oldest first."""
    found: dict[str, list[SourcePayment]] = defaultdict(list)
    for chunk in _chunks(sorted(set(numbers))):
        marks = ",".join("?" * len(chunk))
        for r in store.conn.execute(
            "SELECT id, invoice_number, date, amount_cents, source, external_ref FROM payments"
            f" WHERE invoice_number IN ({marks}) ORDER BY date, id",
            chunk,
        ):
            found[r[1]].append(SourcePayment(r[0], r[1], date.fromisoformat(r[2]), *r[3:]))
    return found


def observations(store: Store, numbers: Iterable[str]) -> dict[str, tuple[int, date]]:
    """What an export last saw paid on each invoice: number -> (paid cents, day seen)."""
    found: dict[str, tuple[int, date]] = {}
    for chunk in _chunks(sorted(set(numbers))):
        marks = ",".join("?" * len(chunk))
        for number, paid, on in store.conn.execute(
            "SELECT number, observed_paid_cents, observed_on FROM invoices"
            f" WHERE observed_on IS NOT NULL AND number IN ({marks})",
            chunk,
        ):
            found[number] = (int(paid), date.fromisoformat(on))
    return found


def observe_paid(store: Store, number: str, paid_cents: int, on: date) -> None:
    observe_paid_many(store, [(number, paid_cents)], on)


def observe_paid_many(store: Store, seen: Sequence[tuple[str, int]], on: date) -> None:
    """What the source says paid on each invoice (number, cents), seen on `on`: one batch."""
    if seen:
        store.conn.executemany(
            "UPDATE invoices SET observed_paid_cents = ?, observed_on = ? WHERE number = ?",
            [(cents, on.isoformat(), number) for number, cents in seen],
        )


def insert_source_payment(
    store: Store, number: str, on: date, cents: int, source: str, external_ref: str
) -> int:
    cur = store.conn.execute(
        "INSERT INTO payments (invoice_number, date, amount_cents, source, external_ref,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (number, on.isoformat(), cents, source, external_ref, store.now_iso()),
    )
    return int(cur.lastrowid or 0)


def update_source_payment(store: Store, payment_id: int, on: date, cents: int) -> None:
    store.conn.execute(
        "UPDATE payments SET date = ?, amount_cents = ? WHERE id = ?",
        (on.isoformat(), cents, payment_id),
    )


def delete_payments(store: Store, ids: Iterable[int]) -> None:
    store.conn.executemany("DELETE FROM payments WHERE id = ?", [(i,) for i in ids])


def _chunks(items: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
