"""SQL for the statutory features: invoices as they stood on a date, late payments, collective
proceedings, escalation decisions, formal notices and the litigation file's history."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.reasons import Reason
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import ACTIVE, DraftStatus, sql, sql_in
from assistant.storage.reason_columns import reason_fields
from assistant.storage.scope import CustomerIds, customer_filter


@dataclass(frozen=True, slots=True)
class InvoiceAsOf:
    """An invoice as it stood at the end of `as_of` (later payments and disputes undone)."""

    number: str
    customer_id: str
    issue_date: date
    due_date: date
    amount_cents: int
    outstanding_cents: int  # unpaid at the end of as_of
    currency: str
    status: str  # open | disputed | paid (on as_of)
    reference: str | None
    pdf_path: str | None
    paid_date: date | None  # paid in full on or before as_of
    payments: tuple[tuple[date, int], ...]  # every payment up to as_of


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def invoices_as_of(store: Store, customer_id: str, as_of: date) -> list[InvoiceAsOf]:
    """The customer's invoices issued by `as_of` (credited and cancelled ones left out)."""
    day = as_of.isoformat()
    rows = store.query(
        "SELECT * FROM invoices WHERE customer_id = ? AND issue_date <= ?"
        " AND status NOT IN ('credited', 'cancelled') ORDER BY due_date, number",
        (customer_id, day),
    )
    payments: dict[str, list[tuple[date, int]]] = defaultdict(list)
    later: dict[str, int] = defaultdict(int)
    for p in store.query(
        "SELECT p.invoice_number, p.date, p.amount_cents FROM payments p JOIN invoices i"
        " ON i.number = p.invoice_number WHERE i.customer_id = ? ORDER BY p.date, p.id",
        (customer_id,),
    ):
        if p["date"] <= day:
            payments[p["invoice_number"]].append((date.fromisoformat(p["date"]), p["amount_cents"]))
        else:
            later[p["invoice_number"]] += p["amount_cents"]
    disputed = _disputed_on(store, customer_id, as_of)
    out = []
    for r in rows:
        number = r["number"]
        mine = payments[number]
        outstanding = min(r["outstanding_cents"] + later[number], r["amount_cents"])
        if outstanding == 0 and r["paid_date"] and r["paid_date"] > day:
            # settled after as_of without payment rows (an import said "paid"): unpaid then
            outstanding = max(r["amount_cents"] - sum(c for _, c in mine), 0)
        if number in disputed:
            status = "disputed" if disputed[number] else ("open" if outstanding else "paid")
        elif r["status"] == "disputed":
            status = "disputed"
        else:
            status = "open" if outstanding > 0 else "paid"
        paid_date = None
        if outstanding == 0:
            paid_date = mine[-1][0] if mine else _d(r["paid_date"])
        out.append(
            InvoiceAsOf(
                number,
                customer_id,
                date.fromisoformat(r["issue_date"]),
                date.fromisoformat(r["due_date"]),
                r["amount_cents"],
                outstanding,
                r["currency"],
                status,
                r["reference"],
                r["pdf_path"],
                paid_date,
                tuple(mine),
            )
        )
    return out


def _disputed_on(store: Store, customer_id: str, as_of: date) -> dict[str, bool]:
    """Invoices with dispute events: True if a dispute was open at the end of `as_of`."""
    state: dict[str, bool] = {}
    seen: set[str] = set()
    for r in store.query(
        "SELECT invoice_number, kind, on_date FROM events WHERE customer_id = ?"
        " AND kind IN ('dispute.opened', 'dispute.resolved') AND invoice_number IS NOT NULL"
        " ORDER BY on_date, id",
        (customer_id,),
    ):
        seen.add(r["invoice_number"])
        if r["on_date"] <= as_of.isoformat():
            state[r["invoice_number"]] = r["kind"] == "dispute.opened"
    return {n: state.get(n, False) for n in seen}


def unallocated_credits_cents(
    store: Store, customer_id: str, as_of: date, currency: str = "EUR"
) -> int:
    """Credits received by `as_of` but allocated to no invoice (payments on account, credit
    notes not lettered: `customer_credits`), deducted from what is claimed."""
    return int(
        store.scalar(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM customer_credits"
            " WHERE customer_id = ? AND currency = ? AND on_date <= ?",
            (customer_id, currency, as_of.isoformat()),
        )
    )


# -- collective proceedings -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Proceedings:
    customer_id: str
    kind: str
    published_on: date
    declared_on: date | None


def proceedings(store: Store, customer_ids: CustomerIds = None) -> list[Proceedings]:
    only, ids = customer_filter("id", customer_ids)
    return [
        Proceedings(
            r["id"],
            r["proceedings_kind"],
            date.fromisoformat(r["proceedings_published_on"]),
            _d(r["proceedings_declared_on"]),
        )
        for r in store.query(
            "SELECT id, proceedings_kind, proceedings_published_on, proceedings_declared_on"
            f" FROM customers WHERE proceedings_kind IS NOT NULL{only}",
            ids,
        )
    ]


def set_proceedings(
    store: Store,
    customer_id: str,
    kind: str | None,
    published: date | None,
    declared: date | None,
) -> None:
    store.conn.execute(
        "UPDATE customers SET proceedings_kind = ?, proceedings_published_on = ?,"
        " proceedings_declared_on = ?, updated_at = ? WHERE id = ?",
        (
            kind,
            published.isoformat() if published else None,
            declared.isoformat() if declared else None,
            store.now_iso(),
            customer_id,
        ),
    )


# -- escalation decisions -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    customer_id: str
    decision: str
    decided_on: date
    note: str | None
    invoices: tuple[str, ...]
    amount_cents: int
    actor: str


def insert_decision(
    store: Store,
    customer_id: str,
    decision: str,
    on: date,
    note: str | None,
    invoices: list[str],
    amount_cents: int,
    actor: str,
) -> int:
    cur = store.conn.execute(
        "INSERT INTO escalations (customer_id, decision, decided_on, note, invoices, amount_cents,"
        " actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            customer_id,
            decision,
            on.isoformat(),
            note,
            json.dumps(invoices),
            amount_cents,
            actor,
            store.now_iso(),
        ),
    )
    return int(cur.lastrowid or 0)


def decisions(store: Store, customer_id: str | None = None) -> list[Decision]:
    where, params = ("WHERE customer_id = ?", (customer_id,)) if customer_id else ("", ())
    return [
        Decision(
            r["id"],
            r["customer_id"],
            r["decision"],
            date.fromisoformat(r["decided_on"]),
            r["note"],
            tuple(json.loads(r["invoices"])),
            r["amount_cents"],
            r["actor"],
        )
        for r in store.query(f"SELECT * FROM escalations {where} ORDER BY decided_on, id", params)
    ]


# -- formal notices -------------------------------------------------------------------------
def insert_notice(store: Store, values: dict[str, Any]) -> int:
    cols = ", ".join(values)
    cur = store.conn.execute(
        f"INSERT INTO notices ({cols}, created_at) VALUES ({', '.join('?' * len(values))}, ?)",
        (*values.values(), store.now_iso()),
    )
    return int(cur.lastrowid or 0)


def notice_for_draft(store: Store, draft_id: int) -> dict[str, Any] | None:
    row = store.query_one("SELECT * FROM notices WHERE draft_id = ?", (draft_id,))
    if row is not None:
        row["data"] = json.loads(row["data"])
    return row


def notices(store: Store, customer_id: str) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT n.*, d.status AS draft_status, d.sent_at FROM notices n"
        " LEFT JOIN drafts d ON d.id = n.draft_id WHERE n.customer_id = ? ORDER BY n.id",
        (customer_id,),
    )
    for row in rows:
        row["data"] = json.loads(row["data"])
    return rows


def active_draft_id(store: Store, customer_id: str, step: str) -> int | None:
    """The draft of `step` for this customer still under way (pending to sending), if any."""
    return store.scalar(  # type: ignore[no-any-return]
        f"SELECT id FROM drafts WHERE customer_id = ? AND step = ? AND status IN {sql_in(ACTIVE)}",
        (customer_id, step),
    )


def database_folder(store: Store) -> Path | None:
    """The folder of the database file: the home whose policies apply (None in memory)."""
    return store.folder()


def update_notice(store: Store, notice_id: int, **values: Any) -> None:
    sets = ", ".join(f"{k} = ?" for k in values)
    store.conn.execute(f"UPDATE notices SET {sets} WHERE id = ?", (*values.values(), notice_id))


# -- litigation file history ----------------------------------------------------------------
def customer_events(store: Store, customer_id: str, kinds: tuple[str, ...]) -> list[dict]:
    return store.events(customer_id=customer_id, kinds=kinds)


def sent_messages(store: Store, customer_id: str) -> list[dict[str, Any]]:
    """Every message that left (drafts sent), with its Message-ID and subject."""
    return store.query(
        "SELECT d.id, d.step, d.channel, d.recipient, d.subject, d.message_id, d.sent_at,"
        " (SELECT group_concat(invoice_number, ',') FROM draft_invoices WHERE draft_id = d.id)"
        f" AS invoices FROM drafts d WHERE d.customer_id = ? AND d.status = {sql(DraftStatus.SENT)}"
        " ORDER BY d.sent_at, d.id",
        (customer_id,),
    )


def promises_of(store: Store, customer_id: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT * FROM promises WHERE customer_id = ? ORDER BY made_on, id", (customer_id,)
    )


def payments_of(store: Store, customer_id: str, as_of: date) -> list[dict[str, Any]]:
    return store.query(
        "SELECT p.invoice_number, p.date, p.amount_cents, p.source FROM payments p"
        " JOIN invoices i ON i.number = p.invoice_number WHERE i.customer_id = ? AND p.date <= ?"
        " ORDER BY p.date, p.id",
        (customer_id, as_of.isoformat()),
    )


def limitation_candidates(
    store: Store, due_on_or_before: date, customer_ids: CustomerIds = None
) -> list[dict[str, Any]]:
    """Open or disputed invoices with money due whose due date is on or before the given day
    (of `customer_ids`, if given)."""
    only, ids = customer_filter("customer_id", customer_ids)
    return store.query(
        "SELECT number, customer_id, due_date, outstanding_cents FROM invoices"
        " WHERE status IN ('open', 'disputed') AND outstanding_cents > 0 AND due_date <= ?"
        f"{only} ORDER BY customer_id, due_date, number",
        (due_on_or_before.isoformat(), *ids),
    )


def customer_ids(store: Store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT id FROM customers")}


def insert_letter_draft(
    store: Store,
    *,
    customer_id: str,
    step: str,
    language: str,
    recipient: str | None,
    subject: str,
    body: str,
    template_name: str,
    policy_version: str,
    as_of: date,
    total_cents: int,
    currency: str,
    max_days_late: int,
    reason: Reason,
    invoices: dict[str, int],
) -> int:
    """A pending draft on channel `letter` (text from a template, never from a model)."""
    now = store.now_iso()
    cur = store.conn.execute(
        "INSERT INTO drafts (customer_id, step, channel, language, status, recipient, cc, subject,"
        " body, template_name, template_subject, template_body, source, violations,"
        " policy_version, plan_date, scheduled_for, total_cents, currency, max_days_late, reason,"
        " reason_code, reason_params, created_at, updated_at)"
        f" VALUES (?, ?, 'letter', ?, {sql(DraftStatus.PENDING)}, ?, '[]', ?, ?, ?, ?, ?,"
        " 'template', '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            customer_id,
            step,
            language,
            recipient,
            subject,
            body,
            template_name,
            subject,
            body,
            policy_version,
            as_of.isoformat(),
            as_of.isoformat(),
            total_cents,
            currency,
            max_days_late,
            *reason_fields(reason).values(),
            now,
            now,
        ),
    )
    draft_id = int(cur.lastrowid or 0)
    store.conn.executemany(
        "INSERT INTO draft_invoices (draft_id, invoice_number, outstanding_cents) VALUES (?, ?, ?)",
        [(draft_id, number, cents) for number, cents in sorted(invoices.items())],
    )
    return draft_id


def notice_pdf_path(store: Store, draft_id: int) -> str | None:
    return store.scalar("SELECT pdf_path FROM notices WHERE draft_id = ?", (draft_id,))
