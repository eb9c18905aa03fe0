"""The SQLite store (sqlite-utils): WAL, foreign keys, migrations, event log."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.storage.migrations import migrate

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """One open database. Writes that belong together go through `transaction()`."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = utc_now) -> None:
        self.conn = conn
        self.clock = clock

    @cached_property
    def db(self) -> Any:
        """sqlite-utils over the same connection, loaded at the first write: it imports numpy
        (~0.1 s), which read-only commands (`relance drafts`, `--help`) never need."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing block; nests with savepoints."""
        with self.db.atomic():
            yield self

    def close(self) -> None:
        self.conn.close()

    # -- helpers ------------------------------------------------------------------------
    def now_iso(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    def today(self) -> date:
        return self.clock().astimezone().date()

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- event log ----------------------------------------------------------------------
    def record_event(
        self,
        kind: str,
        *,
        actor: str = "user",
        customer_id: str | None = None,
        invoice_number: str | None = None,
        draft_id: int | None = None,
        on_date: date | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        """Append one row to `events`: who (actor), when (at, on_date), what (kind, data)."""
        cur = self.conn.execute(
            "INSERT INTO events (at, on_date, actor, kind, customer_id, invoice_number,"
            " draft_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.now_iso(),
                (on_date or self.today()).isoformat(),
                actor,
                kind,
                customer_id,
                invoice_number,
                draft_id,
                json.dumps(data or {}, ensure_ascii=False, sort_keys=True, default=str),
            ),
        )
        return int(cur.lastrowid or 0)

    def events(
        self,
        *,
        customer_id: str | None = None,
        invoice_number: str | None = None,
        kinds: tuple[str, ...] = (),
    ) -> list[dict[str, Any]]:
        where, params = [], []
        if customer_id is not None:
            where.append("customer_id = ?")
            params.append(customer_id)
        if invoice_number is not None:
            where.append("invoice_number = ?")
            params.append(invoice_number)
        if kinds:
            where.append(f"kind IN ({','.join('?' * len(kinds))})")
            params.extend(kinds)
        sql = "SELECT * FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.query(sql + " ORDER BY on_date, id", params)
        for row in rows:
            row["data"] = json.loads(row["data"])
        return rows


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in driver autocommit mode (transactions are explicit), WAL, FKs on."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def open_store(path: Path | str, clock: Clock = utc_now) -> Store:
    """Open (creating if needed) the database at `path` and bring it to the current schema."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = connect(path)
    except sqlite3.DatabaseError as exc:
        raise _unreadable(path, exc) from None
    try:
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _unreadable(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return Store(conn, clock)


def _unreadable(path: Path | str, exc: sqlite3.DatabaseError) -> UserError:
    """A damaged file is not a read-only home nor a full disk: each gets its own advice."""
    from assistant.faults import describe, read_only

    folder = Path(path).parent
    if folder.is_dir() and not os.access(folder, os.W_OK):  # EROFS too, even for root
        return UserError(read_only(folder))
    if (known := describe(exc, path)) is not None:
        return UserError(known)
    return UserError(
        tr(
            "base de données illisible : {p} ({e}) : fichier abîmé ou qui n'est pas une base"
            " relance ; restaurez une sauvegarde ou choisissez un autre --home",
            "unreadable database: {p} ({e}): damaged file or not a relance database;"
            " restore a backup or choose another --home",
            p=path,
            e=exc,
        )
    )
