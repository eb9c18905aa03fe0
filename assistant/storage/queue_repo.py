"""SQL for the review queue's pages: filter, sort and count in SQL, read only one page's rows.

A queue of 10,000 drafts paints at once because nothing reads the 10,000 rows: the page's ids
come from one ordered query (with the number of matching drafts), then only those rows are
read. The search folds accents, case and punctuation with the same Python `fold` as before
(a SQLite function), so it finds the same drafts across the whole queue. On PostgreSQL, which
cannot call Python, a search or the sort by customer reads the matching drafts' ids, names and
invoice numbers and applies the same fold and order here (the other pages stay SQL)."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.search import fold
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus
from assistant.storage.drafts_repo import draft_rows_by_ids

# the queue's sort keys: the order a person reads, then the id (a stable order)
ORDER_BY = {
    "days": "d.max_days_late DESC, d.id",
    "amount": "d.total_cents DESC, d.id",
    "customer": "relance_casefold(c.name), d.id",
    "step": "d.step, d.id",
}
_NUMBERS = (
    "(SELECT group_concat(invoice_number, char(31)) FROM ("
    " SELECT invoice_number FROM draft_invoices WHERE draft_id = d.id ORDER BY invoice_number))"
)
_DRAFTS = "FROM drafts d"
_WITH_CUSTOMERS = "FROM drafts d JOIN customers c ON c.id = d.customer_id"  # every draft has one


@dataclass(frozen=True)
class QueueFilter:
    """Which drafts a queue shows: a stored status (None: all), sent ones bounced or not,
    a step, a segment, folded search words (each must appear)."""

    status: str | None = None
    bounced: bool | None = None
    step: str | None = None
    segment: str | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueuePageRows:
    rows: list[dict[str, Any]]  # the page's draft rows, in the queue's order (no texts)
    matching: int  # drafts matching the filter, every page
    page: int  # the page read (the last one when asked past the end)


@dataclass(frozen=True)
class StatusSummary:
    """For the drafts of one status filter: their segments, how many are pending and how many
    of those fail the fact checks."""

    segments: list[str]
    pending: int
    flagged: int


@functools.lru_cache(maxsize=1 << 16)
def _haystack(name: str, customer_id: str, numbers: str | None) -> str:
    """What a person's search compares: name, customer id and invoice numbers, folded (once
    per draft and process: typing a search filters 10,000 drafts again at each pause)."""
    return fold(" ".join([name, customer_id, *(numbers.split("\x1f") if numbers else [])]))


def _haystack_matches(name: str, customer_id: str, numbers: str | None, words: str) -> int:
    hay = _haystack(name, customer_id, numbers)
    return int(all(w in hay for w in words.split()))


def _functions(store: Store) -> sqlite3.Connection:
    """This thread's connection, with the queue's Python functions (cheap to register again)."""
    conn = store.conn
    if store.kind == "sqlite":
        conn.create_function("relance_casefold", 1, str.casefold, deterministic=True)
        conn.create_function("relance_matches", 4, _haystack_matches, deterministic=True)
    return conn


def _in_python(store: Store, f: QueueFilter, sort: str) -> bool:
    """What only Python can compute where the database cannot call it (PostgreSQL)."""
    return store.kind != "sqlite" and (bool(f.words) or sort == "customer")


def _python_ids(store: Store, f: QueueFilter, sort: str) -> list[int]:
    """Matching ids in the queue's order, the search and the customer sort applied here."""
    where, params = _where(replace(f, words=()))
    rows = store.conn.execute(
        f"SELECT d.id, c.name, d.customer_id, {_NUMBERS} {_WITH_CUSTOMERS}{where}"
        f" ORDER BY {'d.id' if sort == 'customer' else ORDER_BY[sort]}",
        params,
    ).fetchall()
    words = " ".join(f.words)
    if words:
        rows = [r for r in rows if _haystack_matches(r[1], r[2], r[3], words)]
    if sort == "customer":
        rows.sort(key=lambda r: r[1].casefold())  # stable: ties stay in id order
    return [r[0] for r in rows]


def _from(f: QueueFilter, sort: str | None = None) -> str:
    """The customers' table is joined only for what reads the name (search, sort by customer):
    the queue's first page, counts and segments read the drafts table alone."""
    return _WITH_CUSTOMERS if f.words or sort == "customer" else _DRAFTS


def _where(f: QueueFilter) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if f.status is not None:
        parts.append("d.status = ?")
        params.append(f.status)
    if f.bounced is not None:
        parts.append(f"d.bounced_on IS {'NOT NULL' if f.bounced else 'NULL'}")
    if f.step is not None:
        parts.append("d.step = ?")
        params.append(f.step)
    if f.segment is not None:
        parts.append("d.segment = ?")
        params.append(f.segment)
    if f.words:
        parts.append(f"relance_matches(c.name, d.customer_id, {_NUMBERS}, ?)")
        params.append(" ".join(f.words))
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def page(store: Store, f: QueueFilter, sort: str, number: int, size: int) -> QueuePageRows:
    """Page `number` (from 0; the last one if past the end) of the drafts matching `f`."""
    conn = _functions(store)
    where, params = _where(f)
    if f.words or _in_python(
        store, f, sort
    ):  # the search is evaluated once per draft: every matching id, then the page
        every = matching_ids(store, f, sort)
        matching = len(every)
        number = min(max(number, 0), max((matching - 1) // size, 0))
        ids = every[number * size : (number + 1) * size]
    else:  # counted with the status index, then only the page's ids
        matching = conn.execute(f"SELECT count(*) {_from(f)}{where}", params).fetchone()[0]
        number = min(max(number, 0), max((matching - 1) // size, 0))  # past the end: the last
        sql = f"SELECT d.id {_from(f, sort)}{where} ORDER BY {ORDER_BY[sort]} LIMIT ? OFFSET ?"
        ids = [i for (i,) in conn.execute(sql, (*params, size, number * size))]
    by_id = {r["id"]: r for r in draft_rows_by_ids(store, ids, texts=False)}
    return QueuePageRows([by_id[i] for i in ids if i in by_id], matching, number)


def matching_ids(store: Store, f: QueueFilter, sort: str) -> list[int]:
    """Every matching draft's id, in the queue's order (to step through them one by one)."""
    if _in_python(store, f, sort):
        return _python_ids(store, f, sort)
    conn = _functions(store)
    where, params = _where(f)
    sql = f"SELECT d.id {_from(f, sort)}{where} ORDER BY {ORDER_BY[sort]}"
    return [i for (i,) in conn.execute(sql, params)]


def summary(store: Store, f: QueueFilter) -> StatusSummary:
    """Segments, pending and flagged counts of the drafts under a status filter (one scan)."""
    by_status = QueueFilter(status=f.status, bounced=f.bounced)
    where, params = _where(by_status)
    row = store.conn.execute(
        "SELECT count(*) FILTER (WHERE d.status = ?),"
        " count(*) FILTER (WHERE d.status = ? AND d.checks NOT IN ('', '[]'))"
        f" {_from(by_status)}{where}",
        (DraftStatus.PENDING.value, DraftStatus.PENDING.value, *params),
    ).fetchone()
    segments = store.conn.execute(
        f"SELECT DISTINCT d.segment {_from(by_status)}{where}"
        + (" AND" if where else " WHERE")
        + " d.segment <> ''",
        params,
    ).fetchall()
    return StatusSummary(sorted(s for (s,) in segments), row[0], row[1])


def count_status(store: Store, status: DraftStatus) -> int:
    return int(store.scalar("SELECT count(*) FROM drafts WHERE status = ?", (status.value,)))


def rows_by_ids(store: Store, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Some drafts' rows (no texts), by id."""
    return draft_rows_by_ids(store, ids, texts=False)
