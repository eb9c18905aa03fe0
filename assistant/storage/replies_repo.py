"""Every SQL statement of the replies feature: messages, mailbox state, invalid addresses.

Callers wrap writes in `store.transaction()`; nothing here commits on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.replies.suggestion import Suggestion
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus, sql
from assistant.storage.scope import CustomerIds, customer_filter

_SPLIT = re.compile(r"[,;\s]+")


@dataclass
class Reply:
    id: int
    kind: str
    status: str
    customer_id: str | None
    customer_name: str | None
    draft_id: int | None
    match: str
    received_at: str
    received_on: date
    from_address: str
    from_name: str
    subject: str
    text: str
    body: str
    return_on: date | None
    bounced_address: str | None
    bounce_status: str | None
    bounce_diagnostic: str | None
    suggestion: Suggestion | None
    outcome: str | None
    triage: dict[str, Any] | None
    triaged_by: str | None
    triaged_on: str | None
    source: str

    def as_json(self) -> dict[str, Any]:
        """`replies --json` keys (docs/contracts.md), then ours."""
        suggestion = self.suggestion.as_json() if self.suggestion else None
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "customer_id": self.customer_id,
            "draft_id": self.draft_id,
            "received_at": self.received_at,
            "from": self.from_address,
            "subject": self.subject,
            "text": self.text,
            "suggestion": suggestion,
            "customer_name": self.customer_name,
            "match": self.match,
            "from_name": self.from_name,
            "return_on": self.return_on.isoformat() if self.return_on else None,
            "bounce": {
                "address": self.bounced_address,
                "status": self.bounce_status,
                "diagnostic": self.bounce_diagnostic,
            }
            if self.kind == "bounce"
            else None,
            "outcome": self.outcome,
            "triage": self.triage,
            "triaged_by": self.triaged_by,
            "triaged_on": self.triaged_on,
        }


_SELECT = (
    "SELECT r.*, c.name AS customer_name FROM replies r"
    " LEFT JOIN customers c ON c.id = r.customer_id"
)


def _reply(row: dict[str, Any]) -> Reply:
    return Reply(
        id=row["id"],
        kind=row["kind"],
        status=row["status"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        draft_id=row["draft_id"],
        match=row["match"],
        received_at=row["received_at"],
        received_on=date.fromisoformat(row["received_on"]),
        from_address=row["from_address"],
        from_name=row["from_name"],
        subject=row["subject"],
        text=row["text"],
        body=row["body"],
        return_on=date.fromisoformat(row["return_on"]) if row["return_on"] else None,
        bounced_address=row["bounced_address"],
        bounce_status=row["bounce_status"],
        bounce_diagnostic=row["bounce_diagnostic"],
        suggestion=Suggestion.loads(row["suggestion"]),
        outcome=row["outcome"],
        triage=json.loads(row["triage"]) if row["triage"] else None,
        triaged_by=row["triaged_by"],
        triaged_on=row["triaged_on"],
        source=row["source"],
    )


# -- messages ---------------------------------------------------------------------------
def known(store: Store, dedupe_key: str) -> bool:
    return store.scalar("SELECT 1 FROM replies WHERE dedupe_key = ?", (dedupe_key,)) is not None


def insert(store: Store, values: dict[str, Any]) -> int:
    """One message (the caller checked `known` first, inside the same transaction)."""
    values = {**values, "created_at": store.now_iso()}
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cur = store.conn.execute(
        f"INSERT INTO replies ({names}) VALUES ({marks})", tuple(values.values())
    )
    return int(cur.lastrowid or 0)


def get(store: Store, reply_id: int) -> Reply | None:
    row = store.query_one(f"{_SELECT} WHERE r.id = ?", (reply_id,))
    return _reply(row) if row else None


def list_replies(
    store: Store, status: str | None = None, customer_id: str | None = None
) -> list[Reply]:
    where, params = [], []
    if status is not None:
        where.append("r.status = ?")
        params.append(status)
    if customer_id is not None:
        where.append("r.customer_id = ?")
        params.append(customer_id)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return [_reply(r) for r in store.query(sql + " ORDER BY r.received_at, r.id", params)]


def set_suggestion(store: Store, reply_id: int, suggestion: Suggestion) -> None:
    store.conn.execute(
        "UPDATE replies SET suggestion = ? WHERE id = ?", (suggestion.dumps(), reply_id)
    )


def set_triage(
    store: Store, reply_id: int, outcome: str, data: dict[str, Any], actor: str, on: date
) -> None:
    store.conn.execute(
        "UPDATE replies SET status = 'triaged', outcome = ?, triage = ?, triaged_by = ?,"
        " triaged_on = ? WHERE id = ?",
        (
            outcome,
            json.dumps(data, ensure_ascii=False, default=str),
            actor,
            on.isoformat(),
            reply_id,
        ),
    )


def assign(store: Store, reply_id: int, customer_id: str) -> None:
    store.conn.execute(
        "UPDATE replies SET customer_id = ?, match = 'person' WHERE id = ?",
        (customer_id, reply_id),
    )


def link_llm_calls(store: Store, call_ids: Sequence[int], reply_id: int) -> None:
    store.conn.executemany(
        "UPDATE llm_calls SET reply_id = ? WHERE id = ?", [(reply_id, i) for i in call_ids]
    )


# -- linking ----------------------------------------------------------------------------
def drafts_by_message_id(store: Store, ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Message-ID -> (draft id, customer id), for messages relance sent."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = store.conn.execute(
        f"SELECT message_id, id, customer_id FROM drafts WHERE message_id IN ({marks})", list(ids)
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def addresses(value: str | None) -> list[str]:
    """The addresses of a customer's `email` field (several may be listed)."""
    return [a.lower() for a in _SPLIT.split(value or "") if "@" in a]


def customers_by_address(store: Store) -> dict[str, list[str]]:
    """Lower-case address -> customer ids (one address may serve several customers): the
    customers' own e-mail and their contacts' (docs/team.md)."""
    found: dict[str, list[str]] = {}
    rows = store.conn.execute(
        "SELECT id, email FROM customers WHERE email IS NOT NULL"
        " UNION ALL SELECT customer_id, email FROM customer_contacts"
    )
    for cid, value in rows:
        for address in addresses(value):
            if cid not in found.get(address, ()):
                found.setdefault(address, []).append(cid)
    return found


def customer_invoice_numbers(store: Store, customer_id: str | None) -> set[str]:
    """Invoice numbers a reply may name: the customer's, else every open one."""
    if customer_id is None:
        rows = store.conn.execute(
            "SELECT number FROM invoices WHERE status IN ('open', 'disputed')"
        )
    else:
        rows = store.conn.execute(
            "SELECT number FROM invoices WHERE customer_id = ?", (customer_id,)
        )
    return {r[0] for r in rows}


def last_sent_draft(store: Store, customer_id: str, before: str) -> int | None:
    """The last message sent to a customer before a moment (ISO timestamp)."""
    found = store.scalar(
        f"SELECT id FROM drafts WHERE customer_id = ? AND status = {sql(DraftStatus.SENT)}"
        " AND channel = 'email'"
        " AND sent_at <= ? ORDER BY sent_at DESC, id DESC LIMIT 1",
        (customer_id, before),
    )
    return int(found) if found is not None else None


def draft_invoices(store: Store, draft_id: int) -> list[str]:
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT invoice_number FROM draft_invoices WHERE draft_id = ? ORDER BY invoice_number",
            (draft_id,),
        )
    ]


# -- mailbox state ------------------------------------------------------------------------
def mailbox_state(store: Store, mailbox: str) -> tuple[int, int] | None:
    row = store.conn.execute(
        "SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = ?", (mailbox,)
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def save_mailbox_state(store: Store, mailbox: str, uidvalidity: int, last_uid: int) -> None:
    store.conn.execute(
        "INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
        " last_uid = excluded.last_uid, updated_at = excluded.updated_at",
        (mailbox, uidvalidity, last_uid, store.now_iso()),
    )


# -- bounces and invalid addresses -----------------------------------------------------------
def mark_draft_bounced(store: Store, draft_id: int, on: date) -> bool:
    cur = store.conn.execute(
        "UPDATE drafts SET bounced_on = ? WHERE id = ? AND status = ? AND bounced_on IS NULL",
        (on.isoformat(), draft_id, DraftStatus.SENT),
    )
    return cur.rowcount == 1


def bounced_drafts(store: Store, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    return {
        r[0]
        for r in store.conn.execute(
            f"SELECT id FROM drafts WHERE bounced_on IS NOT NULL AND id IN ({marks})", ids
        )
    }


def add_invalid_address(
    store: Store, address: str, reply_id: int, since: date, status: str
) -> None:
    store.conn.execute(
        "INSERT INTO invalid_addresses (address, reply_id, since, status) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (address) DO UPDATE SET reply_id = excluded.reply_id,"
        " since = excluded.since, status = excluded.status, cleared_on = NULL, cleared_by = NULL",
        (address.lower(), reply_id, since.isoformat(), status),
    )


def clear_invalid_address(store: Store, address: str, actor: str, on: date) -> bool:
    cur = store.conn.execute(
        "UPDATE invalid_addresses SET cleared_on = ?, cleared_by = ? WHERE address = ?"
        " AND cleared_on IS NULL",
        (on.isoformat(), actor, address.lower()),
    )
    return cur.rowcount == 1


def invalid_addresses(store: Store, as_of: date) -> dict[str, date]:
    """Addresses a bounce proved invalid (on or before `as_of`), not cleared by a person."""
    return {
        r[0]: date.fromisoformat(r[1])
        for r in store.conn.execute(
            "SELECT address, since FROM invalid_addresses WHERE cleared_on IS NULL AND since <= ?",
            (as_of.isoformat(),),
        )
    }


# -- what holds a customer ----------------------------------------------------------------------
def pending_replies(
    store: Store, as_of: date, customer_ids: CustomerIds = None
) -> list[tuple[str, date]]:
    """Customers with a person's reply not yet triaged: (customer id, first such reply day)."""
    only, ids = customer_filter("customer_id", customer_ids)
    return [
        (r[0], date.fromisoformat(r[1]))
        for r in store.conn.execute(
            "SELECT customer_id, MIN(received_on) FROM replies WHERE kind = 'reply'"
            f" AND status = 'new' AND customer_id IS NOT NULL AND received_on <= ?{only}"
            " GROUP BY customer_id ORDER BY customer_id",
            (as_of.isoformat(), *ids),
        )
    ]


def open_questions(
    store: Store, as_of: date, customer_ids: CustomerIds = None
) -> list[tuple[str, int, date]]:
    """Replies triaged as a question nobody has answered yet: (customer, reply id, day)."""
    only, ids = customer_filter("customer_id", customer_ids)
    return [
        (r[0], r[1], date.fromisoformat(r[2]))
        for r in store.conn.execute(
            "SELECT customer_id, id, received_on FROM replies WHERE status = 'triaged'"
            " AND outcome = 'question' AND customer_id IS NOT NULL AND triaged_on <= ?"
            f"{only} ORDER BY customer_id, id",
            (as_of.isoformat(), *ids),
        )
    ]


def customer_emails(store: Store, customer_ids: CustomerIds = None) -> list[tuple[str, str]]:
    only, ids = customer_filter("id", customer_ids)
    return [
        (r[0], r[1])
        for r in store.conn.execute(
            f"SELECT id, email FROM customers WHERE email IS NOT NULL{only}", ids
        )
    ]


# -- retention and erasure ---------------------------------------------------------------------
def expired_replies(store: Store, before: date) -> list[int]:
    """Replies received before `before` whose case is closed: nothing left to triage and
    no open or disputed invoice left for their customer (an unassigned one: once triaged)."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT r.id FROM replies r WHERE r.received_on < ? AND r.status <> 'new'"
            " AND NOT (r.status = 'triaged' AND r.outcome = 'question')"
            " AND (r.customer_id IS NULL OR NOT EXISTS (SELECT 1 FROM invoices i"
            "  WHERE i.customer_id = r.customer_id AND i.status IN ('open', 'disputed')"
            "  AND i.outstanding_cents > 0))",
            (before.isoformat(),),
        )
    ]


def replies_of_customer(store: Store, customer_id: str, emails: Iterable[str]) -> list[int]:
    """The customer's messages: linked to them, or sent from one of their addresses."""
    emails = list(emails)
    marks = ",".join("?" * len(emails)) or "''"
    return [
        r[0]
        for r in store.conn.execute(
            f"SELECT id FROM replies WHERE customer_id = ? OR from_address IN ({marks})"
            f" OR bounced_address IN ({marks})",
            (customer_id, *emails, *emails),
        )
    ]


def delete_replies(store: Store, ids: Sequence[int]) -> int:
    """Erase messages and what the model was sent about them (the call rows stay, emptied).
    Deleted content is overwritten (secure_delete), not left in free pages of the file."""
    store.secure_delete()
    total = 0
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        store.conn.execute(
            f"UPDATE llm_calls SET request = '[]', response = NULL WHERE reply_id IN ({marks})",
            chunk,
        )
        store.conn.execute(
            f"UPDATE invalid_addresses SET reply_id = NULL WHERE reply_id IN ({marks})", chunk
        )
        total += store.conn.execute(f"DELETE FROM replies WHERE id IN ({marks})", chunk).rowcount
    return total


def checkpoint(store: Store) -> None:
    """After an erasure: copy the write-ahead log into the database and empty it."""
    store.checkpoint()
