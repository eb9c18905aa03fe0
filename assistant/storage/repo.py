"""Repository functions over the store: customers, invoices, payments (bulk, diff-aware).

Callers wrap these in `store.transaction()`; nothing here commits on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.invoice_status import InvoiceStatus
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import APPROVED_OR_LATER, sql_in

if TYPE_CHECKING:  # the pydantic models: imported by the reads that build them (start-up time)
    from assistant.models import ClosingPeriod, Customer, Invoice, Payment

CUSTOMER_FIELDS = (
    "name", "email", "phone", "language", "country", "segment", "risk", "strategic",
    "salesperson_name", "salesperson_email", "customer_since", "payment_terms_days",
    "sms_opt_in", "do_not_contact", "notes", "payment_terms_end_of_month",
    "legal_form", "siren", "address_line1", "address_line2", "postal_code", "city",
)  # fmt: skip
_FLAGS = ("strategic", "sms_opt_in", "do_not_contact", "payment_terms_end_of_month")
INVOICE_FIELDS = (
    "customer_id", "issue_date", "due_date", "amount_cents", "outstanding_cents", "currency",
    "status", "reference", "pdf_path", "paid_date",
)  # fmt: skip


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    keys_added: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, InvoiceStatus):
        return value.value
    return value


def _chunks(items: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(store: Store, table: str, key: str, keys: Sequence[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in _chunks(list(keys)):
        marks = ",".join("?" * len(chunk))
        for row in store.query(f"SELECT * FROM {table} WHERE {key} IN ({marks})", chunk):
            found[row[key]] = row
    return found


def upsert_customers(store: Store, customers: Sequence[Customer], actor: str) -> UpsertCounts:
    """Insert new customers, update changed ones. New rows and every event go in batches
    (`executemany`: one round trip per batch on PostgreSQL, not one per row)."""
    counts = UpsertCounts()
    now = store.now_iso()
    old = _existing(store, "customers", "id", [c.id for c in customers])
    inserts: list[tuple] = []
    events: list[EventRow] = []
    for customer in customers:
        values = {f: _db_value(getattr(customer, f)) for f in CUSTOMER_FIELDS}
        before = old.get(customer.id)
        if before is None:
            inserts.append((customer.id, *values.values(), now, now))
            events.append(("customer.created", customer.id, None, None, {"name": customer.name}))
            counts.added += 1
            counts.keys_added.append(customer.id)
            continue
        changed = sorted(f for f, v in values.items() if before[f] != v)
        if changed:
            sets = ", ".join(f"{f} = ?" for f in changed)
            store.conn.execute(
                f"UPDATE customers SET {sets}, updated_at = ? WHERE id = ?",
                (*(values[f] for f in changed), now, customer.id),
            )
        if customer.closing_periods is not None and _set_closing_periods(store, customer):
            changed.append("closing_periods")
        if changed:
            events.append(("customer.updated", customer.id, None, None, {"changed": changed}))
            counts.updated += 1
        else:
            counts.unchanged += 1
    if inserts:
        store.conn.executemany(
            f"INSERT INTO customers (id, {', '.join(CUSTOMER_FIELDS)}, created_at, updated_at)"
            f" VALUES (?, {', '.join('?' * len(CUSTOMER_FIELDS))}, ?, ?)",
            inserts,
        )
        for customer in customers:
            if customer.id in old or not customer.closing_periods:
                continue
            _set_closing_periods(store, customer)
    record_events(store, actor, events)
    return counts


# (kind, customer_id, invoice_number, on_date (None: today), data): one row of `events`
EventRow = tuple[str, str | None, str | None, date | None, dict[str, Any]]


def record_events(store: Store, actor: str, rows: Sequence[EventRow]) -> None:
    """`store.record_event` for many events in one `executemany` (the same rows, in order)."""
    if not rows:
        return
    now, today = store.now_iso(), store.today()
    store.conn.executemany(
        "INSERT INTO events (at, on_date, actor, kind, customer_id, invoice_number, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (now, (on or today).isoformat(), actor, kind, customer_id, number,
             json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))
            for kind, customer_id, number, on, data in rows
        ],
    )  # fmt: skip


def _set_closing_periods(store: Store, customer: Customer) -> bool:
    """Replace the customer's closing periods; True if they changed."""
    current = {
        (r["start"], r["end"])
        for r in store.query(
            "SELECT start, end FROM closing_periods WHERE customer_id = ?", (customer.id,)
        )
    }
    wanted = {(p.start.isoformat(), p.end.isoformat()) for p in customer.closing_periods or ()}
    if current == wanted:
        return False
    store.conn.execute("DELETE FROM closing_periods WHERE customer_id = ?", (customer.id,))
    store.conn.executemany(
        "INSERT INTO closing_periods (customer_id, start, end) VALUES (?, ?, ?)",
        [(customer.id, s, e) for s, e in sorted(wanted)],
    )
    return True


def closing_periods(store: Store, customer_id: str) -> list[ClosingPeriod]:
    from assistant.models import ClosingPeriod

    return [
        ClosingPeriod(start=date.fromisoformat(r["start"]), end=date.fromisoformat(r["end"]))
        for r in store.query(
            "SELECT start, end FROM closing_periods WHERE customer_id = ? ORDER BY start",
            (customer_id,),
        )
    ]


def upsert_invoices(store: Store, invoices: Sequence[Invoice], actor: str) -> UpsertCounts:
    """Insert new invoices, update changed ones. A local dispute is kept over an `open` status."""
    counts = UpsertCounts()
    now = store.now_iso()
    old = _existing(store, "invoices", "number", [i.number for i in invoices])
    inserts: list[tuple] = []
    events: list[tuple] = []
    for invoice in invoices:
        values = {f: _db_value(getattr(invoice, f)) for f in INVOICE_FIELDS}
        before = old.get(invoice.number)
        if before is None:
            inserts.append((invoice.number, *values.values(), now, now))
            created = ("status", "amount_cents", "outstanding_cents", "due_date")
            events.append(("invoice.created", invoice, {f: values[f] for f in created}))
            counts.added += 1
            counts.keys_added.append(invoice.number)
            continue
        if before["status"] == "disputed" and values["status"] == "open":
            values["status"] = "disputed"
        if values["paid_date"] is None and values["status"] == before["status"]:
            values["paid_date"] = before["paid_date"]
        changed = {f: v for f, v in values.items() if before[f] != v}
        if not changed:
            counts.unchanged += 1
            continue
        sets = ", ".join(f"{f} = ?" for f in changed)
        store.conn.execute(
            f"UPDATE invoices SET {sets}, updated_at = ? WHERE number = ?",
            (*changed.values(), now, invoice.number),
        )
        diff = {f: [before[f], v] for f, v in changed.items()}
        events.append(("invoice.updated", invoice, {"changed": diff}))
        counts.updated += 1
    if inserts:
        cols = ", ".join(INVOICE_FIELDS)
        store.conn.executemany(
            f"INSERT INTO invoices (number, {cols}, created_at, updated_at)"
            f" VALUES ({', '.join('?' * (len(INVOICE_FIELDS) + 3))})",
            inserts,
        )
    _bulk_events(store, actor, events)
    return counts


def _bulk_events(store: Store, actor: str, events: list[tuple[str, Invoice, dict]]) -> None:
    now, today = store.now_iso(), store.today().isoformat()
    store.conn.executemany(
        "INSERT INTO events (at, on_date, actor, kind, customer_id, invoice_number, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (now, today, actor, kind, inv.customer_id, inv.number,
             json.dumps(data, ensure_ascii=False, sort_keys=True))
            for kind, inv, data in events
        ],
    )  # fmt: skip


def payment_key(payment: Payment, occurrence: int) -> str:
    """Natural key making a re-imported payment a no-op (same invoice, date, amount, rank)."""
    parts = (payment.invoice_number, payment.date.isoformat(), payment.amount_cents, occurrence)
    return "|".join(str(p) for p in parts)


def apply_payment(
    store: Store,
    payment: Payment,
    import_key: str | None,
    actor: str,
    *,
    outstanding_after: int | None = None,
) -> bool:
    """Record a payment and lower the invoice's outstanding; False if already recorded.
    `outstanding_after`: what is left once it is in, when another source already counted it
    (imports/sources.py); default: the outstanding minus the payment."""
    if import_key is not None and store.scalar(
        "SELECT 1 FROM payments WHERE import_key = ?", (import_key,)
    ):
        return False
    invoice = store.query_one(
        "SELECT customer_id, outstanding_cents, status FROM invoices WHERE number = ?",
        (payment.invoice_number,),
    )
    if invoice is None:
        raise KeyError(payment.invoice_number)
    store.conn.execute(
        "INSERT INTO payments (invoice_number, date, amount_cents, source, import_key, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (payment.invoice_number, payment.date.isoformat(), payment.amount_cents, payment.source,
         import_key, store.now_iso()),
    )  # fmt: skip
    outstanding = invoice["outstanding_cents"] - payment.amount_cents
    if outstanding_after is not None:
        outstanding = min(outstanding_after, invoice["outstanding_cents"])
    paid = outstanding <= 0 and invoice["status"] in ("open", "disputed")
    store.conn.execute(
        "UPDATE invoices SET outstanding_cents = ?, status = ?, paid_date = ?, updated_at = ?"
        " WHERE number = ?",
        (
            max(outstanding, 0),
            "paid" if paid else invoice["status"],
            payment.date.isoformat() if paid else None,
            store.now_iso(),
            payment.invoice_number,
        ),
    )
    store.record_event(
        "payment.recorded", actor=actor, customer_id=invoice["customer_id"],
        invoice_number=payment.invoice_number, on_date=payment.date,
        data={"amount_cents": payment.amount_cents, "outstanding_cents": max(outstanding, 0),
              "overpaid_cents": max(-outstanding, 0)},
    )  # fmt: skip
    if paid:
        store.record_event(
            "invoice.paid", actor=actor, customer_id=invoice["customer_id"],
            invoice_number=payment.invoice_number, on_date=payment.date,
        )  # fmt: skip
    return True


def get_customer(store: Store, customer_id: str) -> Customer | None:
    from assistant.models import Customer

    row = store.query_one("SELECT * FROM customers WHERE id = ?", (customer_id,))
    if row is None:
        return None
    data = {k: row[k] for k in ("id", *CUSTOMER_FIELDS)}
    for flag in _FLAGS:
        data[flag] = bool(data[flag])
    data["closing_periods"] = closing_periods(store, customer_id)
    return Customer.model_validate(data)


def get_invoice(store: Store, number: str) -> Invoice | None:
    from assistant.models import Invoice

    row = store.query_one("SELECT * FROM invoices WHERE number = ?", (number,))
    if row is None:
        return None
    return Invoice.model_validate({k: row[k] for k in ("number", *INVOICE_FIELDS)})


def customer_invoices(store: Store, customer_id: str) -> list[Invoice]:
    from assistant.models import Invoice

    rows = store.query(
        "SELECT * FROM invoices WHERE customer_id = ? ORDER BY due_date, number", (customer_id,)
    )
    return [Invoice.model_validate({k: r[k] for k in ("number", *INVOICE_FIELDS)}) for r in rows]


# -- bulk lookups (imports) -------------------------------------------------------------------
def customers_by_id(store: Store, ids: Iterable[str]) -> dict[str, Customer]:
    """The stored customers among `ids` (with their closing periods), in chunked queries."""
    from assistant.models import ClosingPeriod, Customer

    keys = sorted(set(ids))
    rows = _existing(store, "customers", "id", keys)
    periods: dict[str, list[ClosingPeriod]] = {}
    for chunk in _chunks(keys):
        marks = ",".join("?" * len(chunk))
        for r in store.query(
            f"SELECT customer_id, start, end FROM closing_periods WHERE customer_id IN ({marks})"
            " ORDER BY customer_id, start",
            chunk,
        ):
            period = ClosingPeriod(
                start=date.fromisoformat(r["start"]), end=date.fromisoformat(r["end"])
            )
            periods.setdefault(r["customer_id"], []).append(period)
    found: dict[str, Customer] = {}
    for key, row in rows.items():
        data = {k: row[k] for k in ("id", *CUSTOMER_FIELDS)}
        for flag in _FLAGS:
            data[flag] = bool(data[flag])
        data["closing_periods"] = periods.get(key, [])
        found[key] = Customer.model_validate(data)
    return found


def invoices_by_number(store: Store, numbers: Iterable[str]) -> dict[str, Invoice]:
    """The stored invoices among `numbers`, in chunked queries."""
    from assistant.models import Invoice

    rows = _existing(store, "invoices", "number", sorted(set(numbers)))
    return {
        key: Invoice.model_validate({k: row[k] for k in ("number", *INVOICE_FIELDS)})
        for key, row in rows.items()
    }


def paid_totals(store: Store, numbers: Iterable[str]) -> dict[str, int]:
    """Sum of recorded payments per invoice (only invoices that have some)."""
    totals: dict[str, int] = {}
    for chunk in _chunks(sorted(set(numbers))):
        marks = ",".join("?" * len(chunk))
        for number, total in store.conn.execute(
            f"SELECT invoice_number, SUM(amount_cents) FROM payments"
            f" WHERE invoice_number IN ({marks}) GROUP BY invoice_number",
            chunk,
        ):
            totals[number] = int(total)
    return totals


def open_invoices_not_in(store: Store, numbers: set[str]) -> list[str]:
    """Open (or disputed) invoices with something outstanding whose number is not in `numbers`:
    after a full open-items export, those are probably settled."""
    rows = store.conn.execute(
        "SELECT number FROM invoices WHERE status IN ('open', 'disputed')"
        " AND outstanding_cents > 0 ORDER BY due_date, number"
    )
    return [number for (number,) in rows if number not in numbers]


def recorded_payment_keys(store: Store, keys: Iterable[str]) -> set[str]:
    """The import keys among `keys` already recorded (see `payment_key`)."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in store.conn.execute(
                f"SELECT import_key FROM payments WHERE import_key IN ({marks})", chunk
            )
        )
    return found


def mark_steps_done(
    store: Store,
    invoice_numbers: Sequence[str],
    step: str,
    on_date: date,
    *,
    source: str,
    actor: str,
    channel: str | None = None,
    draft_id: int | None = None,
    instalment_id: int | None = None,
) -> int:
    """Record that `step` was done for these invoices (first time only). Returns rows added.

    Steps of a payment-plan instalment are recorded per instalment instead."""
    added = 0
    if instalment_id is not None:
        added = store.conn.execute(
            "INSERT OR IGNORE INTO instalment_steps (instalment_id, step, done_on, source,"
            " draft_id) VALUES (?, ?, ?, ?, ?)",
            (instalment_id, step, on_date.isoformat(), source, draft_id),
        ).rowcount
    else:
        for number in invoice_numbers:
            added += store.conn.execute(
                "INSERT OR IGNORE INTO invoice_steps (invoice_number, step, done_on, channel,"
                " source, draft_id) VALUES (?, ?, ?, ?, ?, ?)",
                (number, step, on_date.isoformat(), channel, source, draft_id),
            ).rowcount
    if added:
        customer = store.scalar(
            "SELECT customer_id FROM invoices WHERE number = ?", (invoice_numbers[0],)
        )
        store.record_event(
            "step.done",
            actor=actor,
            customer_id=customer,
            draft_id=draft_id,
            on_date=on_date,
            data={
                "step": step,
                "invoices": list(invoice_numbers),
                "source": source,
                "instalment_id": instalment_id,
            },
        )
    return added


def undo_steps(store: Store, draft_id: int) -> int:
    """Forget the steps a draft marked done (an approved draft cancelled before sending).

    A step another draft of the same step also covers (the e-mail beside its SMS) stays
    done, now owned by that draft, when that one is approved, leaving or sent."""
    store.conn.execute(
        "UPDATE invoice_steps SET draft_id = ("
        "  SELECT o.id FROM drafts o JOIN draft_invoices oi ON oi.draft_id = o.id"
        "  JOIN drafts d ON d.id = invoice_steps.draft_id"
        "  WHERE oi.invoice_number = invoice_steps.invoice_number AND o.step = d.step"
        "  AND o.customer_id = d.customer_id AND o.id != d.id"
        f"  AND o.status IN {sql_in(APPROVED_OR_LATER)} ORDER BY o.id LIMIT 1)"
        " WHERE draft_id = ? AND EXISTS ("
        "  SELECT 1 FROM drafts o JOIN draft_invoices oi ON oi.draft_id = o.id"
        "  JOIN drafts d ON d.id = invoice_steps.draft_id"
        "  WHERE oi.invoice_number = invoice_steps.invoice_number AND o.step = d.step"
        "  AND o.customer_id = d.customer_id AND o.id != d.id"
        f"  AND o.status IN {sql_in(APPROVED_OR_LATER)})",
        (draft_id,),
    )
    removed = store.conn.execute("DELETE FROM invoice_steps WHERE draft_id = ?", (draft_id,))
    extra = store.conn.execute("DELETE FROM instalment_steps WHERE draft_id = ?", (draft_id,))
    return removed.rowcount + extra.rowcount


def insert_promise(
    store: Store,
    customer_id: str,
    invoice_number: str | None,
    promised: date,
    amount_cents: int | None,
    made_on: date,
    *,
    source: str,
    note: str | None,
    actor: str,
) -> int:
    """Record a promise to pay (for one invoice, or the customer's whole balance)."""
    cur = store.conn.execute(
        "INSERT INTO promises (customer_id, invoice_number, promised_date, amount_cents,"
        " made_on, source, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            customer_id,
            invoice_number,
            promised.isoformat(),
            amount_cents,
            made_on.isoformat(),
            source,
            note,
            store.now_iso(),
        ),
    )
    promise_id = int(cur.lastrowid or 0)
    store.record_event(
        "promise.made",
        actor=actor,
        customer_id=customer_id,
        invoice_number=invoice_number,
        on_date=made_on,
        data={
            "promise_id": promise_id,
            "promised_date": promised.isoformat(),
            "amount_cents": amount_cents,
            "source": source,
        },
    )
    return promise_id
