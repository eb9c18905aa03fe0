"""The PostgreSQL store: the SQLite `Store`'s interface over psycopg 3.

`RELANCE_DATABASE_URL=postgresql://…` selects it (docs/postgresql.md). The repositories keep
their SQL: `PgConnection.execute` takes the same `?` (or `:name`) SQLite statements and runs
their translation (`pg/sql.py`); rows are tuples, whole NUMERIC (money) comes back as `int`.

Transactions behave as SQLite's do: connections are in autocommit (a read outside a
transaction sees the latest commits and holds nothing), `transaction()` opens one (a savepoint
when nested) and its outermost level first takes a database-wide advisory lock: one writer at a
time, as `BEGIN IMMEDIATE` gives on SQLite, so the domain's read-then-write blocks keep their
meaning across processes and machines. Errors reach the domain as the `sqlite3` classes it
already catches (`storage.errors.IntegrityError`), their text scrubbed of the password.

A database can hold several companies (docs/companies.md): one PostgreSQL schema each, chosen
by the connection's `search_path`. The advisory locks (the writers' lock, the send holds) are
per company: the default company (`public`) keeps the keys it always had, another company's
keys are derived from its schema's oid, so two companies never wait for each other.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.storage.db import Clock, Store, utc_now
from assistant.storage.pg.connect import connect, redact, scrub
from assistant.storage.pg.sql import translate

WRITER_LOCK = 0x72656C62  # "relb": the one-writer-at-a-time lock of every write transaction
_SENDING_LOCKS = 0x7265  # with a draft id: that draft is being sent (see hold_sending)
_SCHEMA_LOCK = 0x72656C61  # "rela": creating the schema (the same key as `relance migrate`)
DEFAULT_SCHEMA = "public"  # the default company (a database made before companies existed)


def company_key(schema_oid: int, sub: int) -> int:
    """A 64-bit advisory key of a company other than the default: its schema's oid in the
    high 32 bits (never 0: the default company's keys and `relance migrate`'s have 0 there),
    `sub` in the low ones (0: the writers' lock; a draft id: its send hold). The oid is unique
    in the database, so two companies' keys never meet."""
    key = (schema_oid << 32) | (sub & 0xFFFFFFFF)
    return key - (1 << 64) if key >= 1 << 63 else key


# `INSERT INTO "t" ("a", "b") VALUES (%s, %s)` and nothing after: the rows can be copied
_PLAIN_INSERT = re.compile(
    r'INSERT INTO (?P<table>"\w+") (?P<columns>\([^)]*\)) VALUES \((?:%s, )*%s\)'
)


class PgIntegrityError(sqlite3.IntegrityError):
    """A unique key, a foreign key or a CHECK (money guard) refused a write."""


class PgOperationalError(sqlite3.OperationalError):
    """The server is unreachable, the connection was lost, a lock timed out."""


class PgDatabaseError(sqlite3.DatabaseError):
    """Any other error of the PostgreSQL server (text scrubbed of the password)."""


def _value(value: Any) -> Any:
    """A parameter as the SQLite driver stores it: booleans as 0/1, days and instants as ISO
    text (the schema keeps dates as TEXT, as SQLite does)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _params(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: _value(v) for k, v in params.items()}
    return tuple(_value(v) for v in params)


class PgCursor:
    """What the repositories use of a sqlite3 cursor."""

    def __init__(self, cur: Any, lastrowid: int | None = None) -> None:
        self._cur = cur
        self.lastrowid = lastrowid

    @property
    def description(self) -> Any:
        return self._cur.description

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall()) if self._cur.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """A sqlite3-like connection over one psycopg connection (autocommit)."""

    def __init__(self, raw: Any, url: str) -> None:
        self.raw = raw
        self._url = url

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def execute(self, sql: str, params: Any = ()) -> PgCursor:
        is_insert = sql.lstrip()[:6].upper() == "INSERT"
        text = translate(sql, returning=is_insert)
        with self._errors():
            cur = self.raw.execute(text, _params(params))
            lastrowid = None
            if is_insert and " RETURNING " in text and cur.description:
                rows = cur.fetchall()
                lastrowid = int(rows[-1][0]) if rows else None
        return PgCursor(cur, lastrowid)

    def executemany(self, sql: str, rows: Any) -> PgCursor:
        """A plain `INSERT … VALUES (?, …)` (no `ON CONFLICT`, no `RETURNING`) of positional
        rows goes as one `COPY … FROM STDIN` (the rows in order, the same defaults, keys and
        CHECKs); anything else as psycopg's pipelined `executemany`."""
        text = translate(sql)
        params = [_params(r) for r in rows]
        plain = _PLAIN_INSERT.fullmatch(text)
        with self._errors():
            cur = self.raw.cursor()
            if plain is None or len(params) < 2 or isinstance(params[0], dict):
                cur.executemany(text, params)
            else:
                with cur.copy(f"COPY {plain['table']} {plain['columns']} FROM STDIN") as copy:
                    for row in params:
                        copy.write_row(row)
        return PgCursor(cur)

    def close(self) -> None:
        self.raw.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.IntegrityError as exc:
            raise PgIntegrityError(scrub(str(exc), self._url)) from None
        except psycopg.OperationalError as exc:
            raise PgOperationalError(scrub(str(exc), self._url)) from None
        except psycopg.errors.InFailedSqlTransaction as exc:
            raise PgDatabaseError(scrub(str(exc), self._url)) from None
        except psycopg.DatabaseError as exc:
            raise PgDatabaseError(scrub(str(exc), self._url)) from exc


class PgStore(Store):
    """The `Store` on PostgreSQL (same methods; `db`, sqlite-utils, is SQLite only)."""

    kind = "postgresql"

    def __init__(
        self,
        conn: PgConnection,
        clock: Clock,
        opener: Any,
        url: str,
        home: Path,
        schema: str = DEFAULT_SCHEMA,
    ):
        super().__init__(conn, clock, opener)  # type: ignore[arg-type]
        self.url = redact(url)  # never the password
        self.home = home
        self.schema = schema  # the company's schema (docs/companies.md)
        self._oid: int | None = None  # the schema's oid, for the company's advisory keys

    def _schema_oid(self) -> int:
        if self._oid is None:
            row = self.conn.raw.execute(  # type: ignore[attr-defined]
                "SELECT oid FROM pg_namespace WHERE nspname = %s", (self.schema,)
            ).fetchone()
            self._oid = int(row[0])
        return self._oid

    def writer_lock(self) -> tuple[str, tuple[int, ...]]:
        """The statement and key of this company's one-writer lock."""
        if self.schema == DEFAULT_SCHEMA:
            return "SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,)
        return "SELECT pg_advisory_xact_lock(%s)", (company_key(self._schema_oid(), 0),)

    def _sending_key(self, draft_id: int) -> tuple[str, tuple[int, ...]]:
        """("(%s, %s)" or "(%s)", key) of a draft's send hold in this company."""
        if self.schema == DEFAULT_SCHEMA:
            return "(%s, %s)", (_SENDING_LOCKS, draft_id)
        return "(%s)", (company_key(self._schema_oid(), draft_id),)

    @property
    def db(self) -> Any:
        raise RuntimeError("sqlite-utils is for the SQLite store only")

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        conn: PgConnection = self.conn  # type: ignore[assignment]
        outermost = not conn.in_transaction
        with conn._errors(), conn.raw.transaction():
            if outermost:  # one writer at a time (per company), as SQLite's BEGIN IMMEDIATE
                conn.raw.execute(*self.writer_lock())
            yield self

    # A session lock per draft being sent: held by the process sending it, released when it is
    # done or when its connection ends (a crash, a lost machine). A draft in `sending` whose
    # lock nobody holds was left by a run that ended: stuck, for a person to settle.
    # Per company: another company's draft with the same id is another lock.
    def hold_sending(self, draft_id: int) -> None:
        args, key = self._sending_key(draft_id)
        self.conn.raw.execute(f"SELECT pg_advisory_lock{args}", key)  # type: ignore[attr-defined]

    def release_sending(self, draft_id: int) -> None:
        args, key = self._sending_key(draft_id)
        self.conn.raw.execute(f"SELECT pg_advisory_unlock{args}", key)  # type: ignore[attr-defined]

    def sent_elsewhere(self, draft_id: int) -> bool:
        if self.schema == DEFAULT_SCHEMA:  # the two-int form: (classid, objid), objsubid 2
            where, key = (_SENDING_LOCKS, draft_id), 2
        else:  # the 64-bit form: high and low halves, objsubid 1
            where, key = (self._schema_oid(), draft_id & 0xFFFFFFFF), 1
        row = self.conn.raw.execute(  # type: ignore[attr-defined]
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s AND objid = %s AND objsubid = %s",
            (*where, key),
        ).fetchone()
        return bool(row and row[0])

    def columns(self, table: str) -> list[str]:
        rows = self.conn.raw.execute(  # type: ignore[attr-defined]
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = %s ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        return [r[0] for r in rows]

    def folder(self) -> Path | None:
        return self.home

    def secure_delete(self) -> None:
        """PostgreSQL overwrites nothing in place; VACUUM reclaims deleted rows later."""

    def checkpoint(self) -> None:
        """Nothing to do: the server manages its write-ahead log."""


def local_time_zone() -> str:
    """This machine's time zone name, for `date(x, 'localtime')` (the SQLite meaning)."""
    if zone := os.environ.get("TZ", "").lstrip(":"):
        return zone
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


def _open_connection(url: str, schema: str = DEFAULT_SCHEMA) -> PgConnection:
    raw = connect(url, autocommit=True)
    try:
        raw.execute("SELECT set_config('TimeZone', %s, false)", (local_time_zone(),))
    except Exception:  # an unknown zone name: UTC, as SQLite without a zone database
        raw.execute("SET TimeZone = 'UTC'")
    if schema != DEFAULT_SCHEMA:  # the company's tables, and no other company's
        raw.execute("SELECT set_config('search_path', %s, false)", (f'"{schema}"',))
    return PgConnection(raw, url)


def open_pg_store(
    url: str,
    home: Path,
    clock: Clock = utc_now,
    *,
    create: bool = False,
    schema: str = DEFAULT_SCHEMA,
) -> PgStore:
    """Open the database at `url`; `create` (relance init): make the schema in an empty one.
    A database at another schema version is refused with one line (docs/postgresql.md).
    `schema`: the company's (docs/companies.md); every connection of the store uses it."""
    conn = _open_connection(url, schema)
    try:
        _check_schema(conn, url, create, schema)
    except BaseException:
        conn.close()
        raise
    return PgStore(conn, clock, lambda: _open_connection(url, schema), url, home, schema)


def _check_schema(conn: PgConnection, url: str, create: bool, schema: str = DEFAULT_SCHEMA) -> None:
    from assistant.storage.migrations import MIGRATIONS
    from assistant.storage.pg.schema import create_schema, schema_versions

    wanted = {v for v, _, _ in MIGRATIONS}
    raw = conn.raw
    found = schema_versions(raw)
    if not found and create:
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            found = schema_versions(raw)
            if not found:
                if _has_tables(raw):
                    raise UserError(
                        tr(
                            "la base {u} contient déjà des tables qui ne sont pas à relance :"
                            " choisissez une base vide",
                            "the database {u} already holds tables that are not relance's:"
                            " choose an empty database",
                            u=redact(url),
                        )
                    )
                create_schema(raw)
                return
    if not found:
        raise UserError(
            tr(
                "aucune base relance dans {u} : créez-la avec « relance init »"
                " (ou copiez un dossier avec « relance migrate »)",
                "no relance database in {u}: create it with `relance init`"
                " (or copy a home with `relance migrate`)",
                u=redact(url),
            )
        )
    if found - wanted:  # versions this code does not know: a newer relance wrote them
        raise UserError(
            tr(
                "la base {u} est au schéma {h}, ce relance attend le schéma {n} : elle vient"
                " d'un relance plus récent, mettez relance à jour",
                "the database {u} is at schema {h}, this relance needs schema {n}: it comes"
                " from a newer relance, upgrade relance",
                u=redact(url),
                h=max(found),
                n=max(wanted),
            )
        )
    if found != wanted:
        _upgrade(raw, url, wanted, schema)


def _upgrade(raw: Any, url: str, wanted: set[int], schema: str = DEFAULT_SCHEMA) -> None:
    """Bring an older database to `wanted`, as SQLite's `migrate` does: each missing version
    in order, its step derived from the migrations (`schema.upgrade_step`) and recorded in
    `_migrations`, all in one transaction under the schema lock and the writers' lock. A
    step that fails or cannot be derived rolls everything back: the database stays as it
    was, and the command stops with one line naming the version."""
    import psycopg

    from assistant.storage.migrations import MIGRATIONS
    from assistant.storage.pg.schema import SchemaError, schema_versions, upgrade_step

    names = {v: n for v, n, _ in MIGRATIONS}
    version = 0
    try:
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            raw.execute(*_writer_lock_of(raw, schema))
            found = frozenset(schema_versions(raw))  # another desk may have just done it
            for version in sorted(wanted - found):
                for statement in upgrade_step(found, version):
                    raw.execute(statement)
                raw.execute(
                    "INSERT INTO _migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                    (version, names[version], datetime.now(UTC).isoformat(timespec="seconds")),
                )
                found |= {version}
    except (SchemaError, psycopg.Error) as error:
        reason = (scrub(str(error), url).strip().splitlines() or ["?"])[0]
        raise UserError(
            tr(
                "mise à niveau de la base {u} impossible au schéma {v} : {e} (rien n'a changé)",
                "cannot upgrade the database {u} to schema {v}: {e} (nothing changed)",
                u=redact(url),
                v=version,
                e=reason,
            )
        ) from error


def _has_tables(raw: Any) -> bool:
    row = raw.execute(
        "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'S', 'p')"
    ).fetchone()
    return bool(row and row[0])


def _writer_lock_of(raw: Any, schema: str) -> tuple[str, tuple[int, ...]]:
    """The writers' lock of the company in `schema` (as `PgStore.writer_lock`)."""
    if schema == DEFAULT_SCHEMA:
        return "SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,)
    row = raw.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    return "SELECT pg_advisory_xact_lock(%s)", (company_key(int(row[0]), 0),)
