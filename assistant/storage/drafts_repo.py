"""SQL for drafts: the rows behind the review queue, a new draft's insert, the supersede that
must not overtake a person's approval, and the small reads the sender needs.

Status changes still go through `drafts_lifecycle.move` (the only write of `drafts.status`);
a new draft is inserted `pending`. Rows come back as plain mappings the queue turns into its
`DraftView`, or as the small dataclasses below."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.reasons import Reason
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import (
    ACTIVE,
    OPEN,
    DraftStatus,
    current,
    move,
    sql,
    sql_in,
)
from assistant.storage.reason_columns import error_fields, reason_fields

_SELECT = (
    "SELECT d.*, c.name AS customer_name,"
    " (SELECT group_concat(invoice_number, char(31)) FROM ("
    "   SELECT invoice_number FROM draft_invoices WHERE draft_id = d.id ORDER BY invoice_number"
    " )) AS numbers"
    " FROM drafts d JOIN customers c ON c.id = d.customer_id"
)
_TEXTS = ("subject", "body", "template_subject", "template_body")

# -- the review queue's rows ------------------------------------------------------------------


def draft_rows(
    store: Store, status: str | None = None, *, bounced: bool | None = None, texts: bool = True
) -> list[dict[str, Any]]:
    """Draft rows (with `customer_name` and `numbers`) by id; `bounced` filters sent drafts on
    `bounced_on`; `texts=False` leaves subject and bodies empty (fast lists of thousands)."""
    where, params = ("WHERE d.status = ?", (status,)) if status else ("", ())
    if bounced is not None:
        where += f" AND d.bounced_on IS {'NOT NULL' if bounced else 'NULL'}"
    return store.query(f"{_select(store, texts)} {where} ORDER BY d.id", params)


def draft_rows_by_ids(
    store: Store, ids: Sequence[int], *, texts: bool = True
) -> list[dict[str, Any]]:
    """Some drafts' rows (as `draft_rows`), by id; unknown ids are left out."""
    select, rows = _select(store, texts), []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        rows += store.query(f"{select} WHERE d.id IN ({marks}) ORDER BY d.id", chunk)
    return rows


def _select(store: Store, texts: bool) -> str:
    """The rows' SELECT; without texts, subject and bodies come back empty."""
    if texts:
        return _SELECT
    names = store.columns("drafts")
    kept = [f"d.{n}" for n in names if n not in _TEXTS]
    blanks = [f"'' AS {n}" for n in _TEXTS]
    return _SELECT.replace("SELECT d.*,", f"SELECT {', '.join(kept + blanks)},", 1)


def outdated_rows(store: Store, policy_version: str) -> list[dict[str, Any]]:
    """Pending and approved draft rows last rendered under another policy version."""
    return store.query(
        f"{_SELECT} WHERE d.status IN {sql_in(OPEN)}"
        " AND COALESCE(d.checked_version, d.policy_version) <> ? ORDER BY d.id",
        (policy_version,),
    )


def draft_row(store: Store, draft_id: int) -> dict[str, Any] | None:
    return store.query_one(f"{_SELECT} WHERE d.id = ?", (draft_id,))


@dataclass(frozen=True, slots=True)
class OpenDraft:
    """A draft that has not left yet (pending or approved), naming some invoice."""

    id: int
    customer_id: str
    status: DraftStatus
    version: int = 1


def open_drafts_naming(store: Store, invoice_number: str) -> list[OpenDraft]:
    rows = store.conn.execute(
        "SELECT d.id, d.customer_id, d.status, d.version FROM drafts d JOIN draft_invoices di"
        " ON di.draft_id = d.id WHERE di.invoice_number = ?"
        f" AND d.status IN {sql_in(OPEN)}",
        (invoice_number,),
    ).fetchall()
    return [OpenDraft(r[0], r[1], DraftStatus(r[2]), int(r[3])) for r in rows]


def set_checked_version(store: Store, draft_id: int, version: str) -> None:
    store.conn.execute("UPDATE drafts SET checked_version = ? WHERE id = ?", (version, draft_id))


# -- drafting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActiveDraft:
    """A draft that may still leave, keyed by (customer, step, channel) in `active_drafts`."""

    id: int
    status: DraftStatus
    invoices: tuple[str, ...]  # sorted
    instalment_id: int | None
    version: int = 1


def active_drafts(store: Store) -> dict[tuple[str, str, str], ActiveDraft]:
    rows = store.query(
        "SELECT d.id, d.customer_id, d.step, d.channel, d.status, d.instalment_id, d.version,"
        " group_concat(di.invoice_number, char(31)) AS numbers FROM drafts d"
        " JOIN draft_invoices di ON di.draft_id = d.id"
        f" WHERE d.status IN {sql_in(ACTIVE)} GROUP BY d.id"
    )
    return {
        (r["customer_id"], r["step"], r["channel"]): ActiveDraft(
            r["id"],
            DraftStatus(r["status"]),
            tuple(sorted(r["numbers"].split("\x1f"))),
            r["instalment_id"],
            r["version"],
        )
        for r in rows
    }


@dataclass(frozen=True, slots=True)
class InstalmentRow:
    seq: int
    count: int  # instalments in its plan
    due_date: date
    amount_cents: int


def instalment(store: Store, instalment_id: int) -> InstalmentRow:
    row = store.query(
        "SELECT seq, due_date, amount_cents, (SELECT COUNT(*) FROM instalments j"
        " WHERE j.plan_id = i.plan_id) AS count FROM instalments i WHERE id = ?",
        (instalment_id,),
    )[0]
    return InstalmentRow(
        row["seq"], row["count"], date.fromisoformat(row["due_date"]), row["amount_cents"]
    )


def invoice_currency(store: Store, number: str) -> str | None:
    return store.scalar("SELECT currency FROM invoices WHERE number = ?", (number,))  # type: ignore[no-any-return]


class DraftChanged(Exception):
    """The version to supersede is no longer the one expected (a person approved, rejected,
    cancelled or edited it meanwhile): nothing was written."""

    def __init__(
        self,
        draft_id: int,
        expected: DraftStatus,
        found: str | None,
        seen: int | None = None,
        version: int | None = None,
    ) -> None:
        super().__init__(f"draft {draft_id}: expected {expected}, found {found}")
        self.draft_id, self.expected, self.found = draft_id, expected, found
        self.seen, self.version = seen, version


def supersede(
    store: Store,
    draft_id: int,
    expected: DraftStatus = DraftStatus.PENDING,
    *,
    seen: int | None = None,
) -> None:
    """Compare-and-set `expected -> superseded` (and version `seen`, when given) inside the
    caller's transaction: raises `DraftChanged` when the draft changed meanwhile (the
    caller's transaction rolls back)."""
    if not move(store, draft_id, expected, DraftStatus.SUPERSEDED, seen=seen):
        now = current(store, draft_id)
        found, version = (now[0].value, now[1]) if now else (None, None)
        raise DraftChanged(draft_id, expected, found, seen, version)


def last_actor(store: Store, draft_id: int) -> str | None:
    """Who wrote the draft's latest event (every change of a draft records one)."""
    return store.scalar(  # type: ignore[no-any-return]
        "SELECT actor FROM events WHERE draft_id = ? ORDER BY id DESC LIMIT 1", (draft_id,)
    )


@dataclass(frozen=True, slots=True)
class NewDraft:
    """The columns of a new pending draft (`cc`, `violations`, `checks` as Python values)."""

    customer_id: str
    step: str
    channel: str
    language: str
    recipient: str | None
    cc: Sequence[str]
    subject: str
    body: str
    template_name: str
    template_subject: str
    template_body: str
    source: str
    violations: Sequence[str]
    segment: str | None
    tone: str | None
    tone_adjustment: str | None
    policy_version: str
    plan_date: date
    scheduled_for: date
    total_cents: int
    currency: str
    max_days_late: int | None
    reason: Reason | str
    parent_id: int | None
    instalment_id: int | None
    checks: Sequence[str]
    error: Reason | str | None
    invoices: Sequence[str]


def insert_pending(store: Store, new: NewDraft, *, now: str | None = None) -> int:
    """Insert a pending draft and the invoices it names (their outstanding amounts today)."""
    now = now or store.now_iso()
    reason, error = reason_fields(new.reason), error_fields(new.error)
    cur = store.conn.execute(
        "INSERT INTO drafts (customer_id, step, channel, language, status, recipient, cc,"
        " subject, body, template_name, template_subject, template_body, source, violations,"
        " segment, tone, tone_adjustment, policy_version, plan_date, scheduled_for,"
        " total_cents, currency, max_days_late, reason, parent_id, created_at, updated_at,"
        " instalment_id, checks, error, reason_code, reason_params, error_code, error_params)"
        f" VALUES (?, ?, ?, ?, {sql(DraftStatus.PENDING)}, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.customer_id,
            new.step,
            new.channel,
            new.language,
            new.recipient,
            json.dumps(list(new.cc)),
            new.subject,
            new.body,
            new.template_name,
            new.template_subject,
            new.template_body,
            new.source,
            json.dumps(list(new.violations), ensure_ascii=False),
            new.segment,
            new.tone,
            new.tone_adjustment,
            new.policy_version,
            new.plan_date.isoformat(),
            new.scheduled_for.isoformat(),
            new.total_cents,
            new.currency,
            new.max_days_late,
            reason["reason"],
            new.parent_id,
            now,
            now,
            new.instalment_id,
            json.dumps(list(new.checks), ensure_ascii=False),
            error["error"],
            reason["reason_code"],
            reason["reason_params"],
            error["error_code"],
            error["error_params"],
        ),
    )
    draft_id = int(cur.lastrowid or 0)
    _add_invoices(store, draft_id, new.invoices)
    return draft_id


def _add_invoices(store: Store, draft_id: int, numbers: Sequence[str]) -> None:
    store.conn.executemany(
        "INSERT INTO draft_invoices (draft_id, invoice_number, outstanding_cents)"
        " SELECT ?, number, outstanding_cents FROM invoices WHERE number = ?",
        [(draft_id, n) for n in numbers],
    )


def link_llm_calls(store: Store, draft_id: int, call_ids: Sequence[int]) -> None:
    """The logged model calls that produced this draft's text."""
    if not call_ids:
        return
    marks = ",".join("?" * len(call_ids))
    store.conn.execute(
        f"UPDATE llm_calls SET draft_id = ? WHERE id IN ({marks})", (draft_id, *call_ids)
    )


# -- sending ----------------------------------------------------------------------------------


def outstanding_when_drafted(store: Store, draft_id: int) -> dict[str, int]:
    """Each invoice's outstanding amount when the draft was made."""
    return dict(
        store.conn.execute(
            "SELECT invoice_number, outstanding_cents FROM draft_invoices WHERE draft_id = ?",
            (draft_id,),
        ).fetchall()
    )


def drafted_total(store: Store, draft_id: int) -> int:
    """The sum of the invoices' outstanding amounts when the draft was made."""
    return int(
        store.scalar(
            "SELECT COALESCE(SUM(outstanding_cents), 0) FROM draft_invoices WHERE draft_id = ?",
            (draft_id,),
        )
    )


def count_attempt(store: Store, draft_id: int) -> None:
    store.conn.execute("UPDATE drafts SET attempts = attempts + 1 WHERE id = ?", (draft_id,))


def message_id(store: Store, draft_id: int) -> str | None:
    return store.scalar("SELECT message_id FROM drafts WHERE id = ?", (draft_id,))  # type: ignore[no-any-return]


# -- demo history -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentHistory:
    """A past e-mail of the demo: a sent draft written straight away (no lifecycle moves)."""

    customer_id: str
    step: str
    language: str
    recipient: str | None
    text: str  # subject and body
    template_name: str
    segment: str
    tone: str | None
    on: date
    total_cents: int
    max_days_late: int
    edited: bool
    invoices: Sequence[str]


def insert_sent_history(store: Store, h: SentHistory) -> int:
    now = store.now_iso()
    cur = store.conn.execute(
        "INSERT INTO drafts (customer_id, step, channel, language, status, recipient, cc, subject,"
        " body, template_name, template_subject, template_body, source, violations, segment,"
        " tone, policy_version, plan_date, scheduled_for, total_cents, currency, max_days_late,"
        " reason, edited, sent_at, created_at, updated_at) VALUES (?, ?, 'email', ?,"
        f" {sql(DraftStatus.SENT)}, ?,"
        " '[]', ?, ?, ?, ?, ?, 'template', '[]', ?, ?, 'demo', ?, ?, ?, 'EUR', ?, ?, ?, ?, ?, ?)",
        (h.customer_id, h.step, h.language, h.recipient, h.text, h.text, h.template_name,
         h.text, h.text, h.segment, h.tone, h.on.isoformat(), h.on.isoformat(), h.total_cents,
         h.max_days_late, h.text, int(h.edited), now, now, now),
    )  # fmt: skip
    draft_id = int(cur.lastrowid or 0)
    _add_invoices(store, draft_id, h.invoices)
    return draft_id
