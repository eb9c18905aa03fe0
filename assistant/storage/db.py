"""The SQLite store (sqlite-utils): WAL, foreign keys, migrations, event log.

One connection per thread: a TUI worker and the UI thread never share a transaction (on a
shared connection, a transaction opened by one thread became a savepoint inside the other's,
and a rollback there undid the first thread's committed-looking work)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.storage.migrations import migrate

Clock = Callable[[], datetime]
Opener = Callable[[], sqlite3.Connection]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """One open database. Writes that belong together go through `transaction()`.

    `conn` is the calling thread's own connection: the first thread uses the one it was opened
    with; another thread gets one from `opener` (same pragmas; migrations ran once, at open)
    the first time it asks. `close()` closes them all; a finished thread's connection is closed
    when the next thread opens one."""

    def __init__(
        self, conn: sqlite3.Connection, clock: Clock = utc_now, opener: Opener | None = None
    ) -> None:
        self.clock = clock
        self._opener = opener
        self._lock = threading.Lock()
        self._local = threading.local()
        self._first = conn
        self._open: dict[threading.Thread, sqlite3.Connection] = {}
        self._closed = False
        self._adopt(conn)

    def _adopt(self, conn: sqlite3.Connection) -> None:
        self._local.conn = conn
        with self._lock:
            self._open[threading.current_thread()] = conn

    def _connect_thread(self) -> None:
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        if self._opener is None:
            raise RuntimeError("this store was opened without an opener: one thread only")
        self._prune()
        self._adopt(self._opener())

    def _prune(self) -> None:
        """Close the connections of threads that have ended (each TUI worker is a new thread)."""
        with self._lock:
            ended = [t for t, c in self._open.items() if not t.is_alive() and c is not self._first]
            for thread in ended:
                self._open.pop(thread).close()

    @property
    def conn(self) -> sqlite3.Connection:
        try:
            return self._local.conn  # type: ignore[no-any-return]
        except AttributeError:
            self._connect_thread()
            return self._local.conn  # type: ignore[no-any-return]

    @property
    def db(self) -> Any:
        """sqlite-utils over this thread's connection, loaded at the first write: it imports
        numpy (~0.1 s), which read-only commands (`relance drafts`, `--help`) never need."""
        conn = self.conn
        db = getattr(self._local, "db", None)
        if db is None or db.conn is not conn:
            import sqlite_utils

            db = self._local.db = sqlite_utils.Database(conn)
        return db

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing block on this thread's connection; nests with savepoints.
        The outermost block takes the write lock first (BEGIN IMMEDIATE): another thread's
        writer is waited for (busy_timeout) instead of failing when a read turns into a write."""
        conn = self.conn
        if conn.in_transaction:
            with self.db.atomic():  # a savepoint
                yield self
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:  # an error may already have ended it
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close every thread's connection (call it once the workers are done)."""
        with self._lock:
            self._closed = True
            conns, self._open = list(self._open.values()), {}
        for conn in conns:
            conn.close()

    # -- what differs between the two stores (pg/store.py has the PostgreSQL side) ------
    kind = "sqlite"

    def columns(self, table: str) -> list[str]:
        """The table's column names, in order."""
        return [r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')]

    def folder(self) -> Path | None:
        """The home of this database (its file's folder; None in memory)."""
        row = self.conn.execute("PRAGMA database_list").fetchone()
        return Path(row[2]).parent if row and row[2] else None

    def secure_delete(self) -> None:
        """Deleted content is overwritten, not left in free pages of the file."""
        self.conn.execute("PRAGMA secure_delete = ON")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it (after an erasure)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def hold_sending(self, draft_id: int) -> None:
        """Mark a claimed draft as being sent by this process (until `release_sending`, or
        the process's end): one machine here, nothing to mark."""

    def release_sending(self, draft_id: int) -> None:
        """The send of `draft_id` by this process is over."""

    def sent_elsewhere(self, draft_id: int) -> bool:
        """Is another live process sending this draft right now? (Not a stuck send.)"""
        return False

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


def connect(path: Path | str, *, uri: bool = False) -> sqlite3.Connection:
    """A connection in driver autocommit mode (transactions are explicit), WAL, FKs on.
    `check_same_thread=False` only so that `Store.close()` may close every thread's connection:
    the store hands each thread its own (see `Store.conn`)."""
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=30, check_same_thread=False, uri=uri
    )
    conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:" and not uri:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def open_store(path: Path | str, clock: Clock = utc_now) -> Store:
    """Open (creating if needed) the database at `path` and bring it to the current schema.
    `:memory:` is one private in-memory database that every thread of this store shares
    (SQLite's shared cache: fine for tests, no WAL, a second writer fails instead of waiting)."""
    if str(path) == ":memory:":
        name = f"file:relance-{uuid.uuid4().hex}?mode=memory&cache=shared"
        opener: Opener = lambda: connect(name, uri=True)  # noqa: E731
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        opener = lambda: connect(path)  # noqa: E731
    try:
        conn = opener()
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
    return Store(conn, clock, opener)


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
