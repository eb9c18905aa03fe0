"""SQL for the review loop's safety checks: messages actually delivered, open invoices to
explain, disputes, drafts to re-check. Domain modules get plain dataclasses from here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus, move, sql

CUSTOMER_CHANNELS = ("email", "sms")


@dataclass(frozen=True, slots=True)
class Delivered:
    """One message that reached a customer (a `message.sent` event)."""

    customer_id: str
    on: date
    step: str | None
    channel: str | None
    invoices: tuple[str, ...]
    draft_id: int | None
    plan_date: str | None = None  # the plan day of the draft it came from (None: no draft)


def delivered_messages(
    store: Store, customer_ids: Iterable[str] | None = None, *, up_to: date | None = None
) -> list[Delivered]:
    """Messages sent to customers (e-mail or SMS), oldest first; demo history included."""
    where, params = ["e.kind = 'message.sent'"], []
    if customer_ids is not None:
        ids = sorted(set(customer_ids))
        if not ids:
            return []
        where.append(f"e.customer_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if up_to is not None:
        where.append("e.on_date <= ?")
        params.append(up_to.isoformat())
    rows = store.conn.execute(
        "SELECT e.customer_id, e.on_date, e.draft_id, e.data, d.plan_date FROM events e"
        " LEFT JOIN drafts d ON d.id = e.draft_id WHERE "
        + " AND ".join(where)
        + " ORDER BY e.on_date, e.id",
        params,
    ).fetchall()
    out = []
    for cid, on, draft_id, raw, plan_date in rows:
        data = json.loads(raw or "{}")
        channel = data.get("channel")
        if channel not in CUSTOMER_CHANNELS:
            continue
        out.append(
            Delivered(
                cid,
                date.fromisoformat(on),
                data.get("step"),
                channel,
                tuple(data.get("invoices") or ()),
                draft_id,
                plan_date,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class OpenInvoiceRow:
    number: str
    customer_id: str
    due: date
    status: str  # open | disputed
    outstanding_cents: int
    last_step: str | None
    last_done: date | None


def open_invoices_with_last_step(store: Store, step_ids: Sequence[str]) -> list[OpenInvoiceRow]:
    """Open and disputed invoices with money due, with the most advanced step done."""
    cases = " ".join(f"WHEN ? THEN {i}" for i in range(len(step_ids)))
    marks = ",".join("?" * len(step_ids))
    rows = store.conn.execute(
        "SELECT i.number, i.customer_id, i.due_date, i.status, i.outstanding_cents,"
        " (SELECT s.step FROM invoice_steps s WHERE s.invoice_number = i.number"
        f"   AND s.step IN ({marks}) ORDER BY CASE s.step {cases} END DESC LIMIT 1),"
        " (SELECT s.done_on FROM invoice_steps s WHERE s.invoice_number = i.number"
        f"   AND s.step IN ({marks}) ORDER BY CASE s.step {cases} END DESC LIMIT 1)"
        " FROM invoices i WHERE i.status IN ('open', 'disputed') AND i.outstanding_cents > 0"
        " ORDER BY i.customer_id, i.number",
        (*step_ids, *step_ids, *step_ids, *step_ids),
    ).fetchall()
    return [
        OpenInvoiceRow(
            r[0],
            r[1],
            date.fromisoformat(r[2]),
            r[3],
            r[4],
            r[5],
            date.fromisoformat(r[6]) if r[6] else None,
        )
        for r in rows
    ]


def dispute_reasons(store: Store, numbers: Iterable[str]) -> dict[str, tuple[date, str]]:
    """The latest `dispute.opened` of each invoice: (day, reason)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    out: dict[str, tuple[date, str]] = {}
    for number, on, raw in store.conn.execute(
        "SELECT invoice_number, on_date, data FROM events WHERE kind = 'dispute.opened'"
        f" AND invoice_number IN ({','.join('?' * len(wanted))}) ORDER BY on_date, id",
        wanted,
    ):
        out[number] = (date.fromisoformat(on), json.loads(raw or "{}").get("reason") or "")
    return out


def pending_older_steps(
    store: Store, customer_id: str, older: Sequence[str], invoices: Sequence[str]
) -> list[int]:
    """Pending customer drafts of an older step naming any of these invoices."""
    if not older or not invoices:
        return []
    rows = store.conn.execute(
        "SELECT DISTINCT d.id FROM drafts d JOIN draft_invoices di ON di.draft_id = d.id"
        f" WHERE d.customer_id = ? AND d.status = {sql(DraftStatus.PENDING)}"
        " AND d.channel IN ('email', 'sms')"
        f" AND d.step IN ({','.join('?' * len(older))})"
        f" AND di.invoice_number IN ({','.join('?' * len(invoices))}) ORDER BY d.id",
        (customer_id, *older, *invoices),
    ).fetchall()
    return [r[0] for r in rows]


def set_superseded(store: Store, draft_ids: Iterable[int], from_status: str) -> None:
    for i in draft_ids:
        move(store, i, from_status, DraftStatus.SUPERSEDED)


def policy_versions_in_use(store: Store) -> list[tuple[str, date]]:
    """Each policy version drafts were made under, with the day it was first used."""
    rows = store.conn.execute(
        "SELECT policy_version, MIN(substr(created_at, 1, 10)) FROM drafts"
        " GROUP BY policy_version ORDER BY MIN(created_at), policy_version"
    ).fetchall()
    return [(v, date.fromisoformat(d)) for v, d in rows]
