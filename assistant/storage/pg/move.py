"""`relance migrate --to postgresql://…`: copy a SQLite home into an empty PostgreSQL database.

One PostgreSQL transaction: the schema (derived from the SQLite migrations), every row of every
table in foreign-key order (`COPY`), then the foreign keys (each checked over the whole table)
and the indexes, identity sequences set past the highest id, then a check
that every table has as many rows and the same sum in every money column as the source, then
the home's edited policy files as rows of `policy_files` (read back and compared,
docs/policies-db.md); any difference or error rolls everything back. The SQLite file is opened
read-only and read inside one transaction (a consistent snapshot): nothing in the source
changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.storage.pg.connect import connect, redact, scrub
from assistant.storage.pg.schema import PgSchema, Table, create_schema, derive

_LOCK_KEY = 0x72656C61  # "rela": one migrate at a time into a database

Hook = Callable[[Any], None]  # called with the raw connection, inside the copy's transaction


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int
    sums: dict[str, int]  # money column -> sum of cents


@dataclass(frozen=True)
class MoveReport:
    source: Path
    target: str  # the URL without its password
    schema_version: int
    tables: list[TableCount]
    policies: list[str] = field(default_factory=list)  # edited policy files copied as rows

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def count_rows(query: Any, table: Table) -> TableCount:
    """Rows and money sums of one table through `query(sql) -> first row` (either store)."""
    sums = ", ".join(f'COALESCE(SUM("{c}"), 0)' for c in table.money)
    row = query(f'SELECT COUNT(*){", " + sums if sums else ""} FROM "{table.name}"')
    sums_found = {c: int(v) for c, v in zip(table.money, row[1:], strict=True)}
    return TableCount(table.name, int(row[0]), sums_found)


def open_source(db_path: Path) -> sqlite3.Connection:
    """The home's database, read-only (no migration, no checkpoint, no new file)."""
    if not db_path.is_file():
        raise UserError(
            tr(
                "aucune base relance à copier : {p}",
                "no relance database to copy: {p}",
                p=db_path,
            )
        )
    uri = f"file:{quote(str(db_path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        conn.execute("BEGIN")  # one snapshot for the copy and the counts
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UserError(
            tr("base illisible : {p} ({e})", "unreadable database: {p} ({e})", p=db_path, e=exc)
        ) from None
    return conn


def _check_source(conn: sqlite3.Connection, schema: PgSchema, db_path: Path) -> None:
    """Same schema versions and the same columns as this relance's migrations."""
    try:
        versions = {r[0] for r in conn.execute("SELECT version FROM _migrations")}
    except sqlite3.DatabaseError:
        versions = set()
    expected = {v for v, _ in schema.versions}
    if versions != expected:
        raise UserError(
            tr(
                "{p} n'est pas au schéma de cette version de relance ({have} au lieu de {want}) :"
                " lancez d'abord une commande relance sur ce dossier (elle le met à jour)",
                "{p} is not at this relance's schema ({have} instead of {want}): run any relance"
                " command on that home first (it upgrades it)",
                p=db_path,
                have=max(versions, default=0),
                want=max(expected),
            )
        )
    for table in schema.tables:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')]
        if columns != table.columns:
            raise UserError(
                tr(
                    "{p} : la table {t} n'a pas les colonnes attendues",
                    "{p}: table {t} does not have the expected columns",
                    p=db_path,
                    t=table.name,
                )
            )


def _refuse_non_empty(pg: Any, url: str) -> None:
    found = pg.execute(
        "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg\\_%'"
    ).fetchone()[0]
    if found:
        raise UserError(
            tr(
                "la base PostgreSQL {u} n'est pas vide ({n} objets) : relance migrate ne copie"
                " que vers une base vide ; rien n'a été écrit",
                "the PostgreSQL database {u} is not empty ({n} objects): relance migrate only"
                " copies into an empty database; nothing was written",
                u=redact(url),
                n=found,
            )
        )


def _copy_table(src: sqlite3.Connection, pg: Any, table: Table) -> None:
    cols = ", ".join(f'"{c}"' for c in table.columns)
    rows = src.execute(f'SELECT {cols} FROM "{table.name}" ORDER BY rowid')
    with pg.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        while batch := rows.fetchmany(5000):
            for row in batch:
                copy.write_row(row)
    if table.identity:
        pg.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{table.identity}'),"
            f' COALESCE(MAX("{table.identity}"), 0) + 1, false) FROM "{table.name}"'
        )


def move_home(
    db_path: Path, url: str, *, prepare: Hook | None = None, finish: Hook | None = None
) -> MoveReport:
    """Copy the SQLite database at `db_path` into the empty PostgreSQL database at `url`.

    `prepare` replaces the emptiness check: it checks the target and sets the connection's
    search path (a new company's schema, `firm.migrate_into_company`); `finish` runs after
    the copy is verified. Both inside the one transaction: a refusal in either writes nothing."""
    schema = derive()
    src = open_source(db_path)
    try:
        _check_source(src, schema, db_path)
        expected = [count_rows(lambda sql: src.execute(sql).fetchone(), t) for t in schema.tables]
        pg = connect(url)  # a missing driver or a refused connection: one line
        import psycopg

        try:
            with pg.transaction():
                pg.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                if prepare is None:
                    _refuse_non_empty(pg, url)
                else:
                    prepare(pg)
                create_schema(pg, bulk=True)
                for table in schema.tables:
                    _copy_table(src, pg, table)
                for statement in schema.after_bulk():  # every key checked, then the indexes
                    pg.execute(statement)
                # the planner's statistics of the copied tables now, not when autovacuum gets to
                # them: without them the first plans after a move join millions of rows the
                # slow way (20x)
                pg.execute("ANALYZE " + ", ".join(f'"{t.name}"' for t in schema.tables))
                found = [count_rows(lambda sql: pg.execute(sql).fetchone(), t)
                         for t in schema.tables]  # fmt: skip
                if (diff := [f for f, e in zip(found, expected, strict=True) if f != e]) != []:
                    raise UserError(
                        tr(
                            "copie vérifiée fausse pour {t} : rien n'a été écrit",
                            "the copy does not match for {t}: nothing was written",
                            t=", ".join(d.table for d in diff),
                        )
                    )
                policies = _copy_policies(pg, edited_policies(db_path.parent))
                if finish is not None:
                    finish(pg)
        except psycopg.Error as exc:
            raise UserError(
                tr(
                    "copie vers PostgreSQL ({u}) refusée, rien n'a été écrit : {e}",
                    "copy into PostgreSQL ({u}) refused, nothing was written: {e}",
                    u=redact(url),
                    e=scrub(str(exc), url),
                )
            ) from None
        finally:
            pg.close()
    finally:
        src.close()
    return MoveReport(db_path, redact(url), max(v for v, _ in schema.versions), expected, policies)


def edited_policies(home: Path) -> dict[str, str]:
    """The home's policy files that differ from the shipped ones (docs/policies-db.md): on
    PostgreSQL they become rows of `policy_files`; the others stay the shipped default."""
    from assistant.paths import bundled_dir
    from assistant.policy_source import VERSIONS, is_policy_name

    root, shipped = home / "policies", bundled_dir("policies")
    found: dict[str, str] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(VERSIONS) or not path.is_file() or not is_policy_name(relative):
            continue
        data = path.read_bytes()
        original = shipped / relative
        if original.is_file() and original.read_bytes() == data:
            continue
        try:
            found[relative] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(
                tr(
                    "{p} : illisible ({e}) ; rien n'a été écrit",
                    "{p}: unreadable ({e}); nothing was written",
                    p=path,
                    e=exc,
                )
            ) from None
    return found


def _copy_policies(pg: Any, files: dict[str, str]) -> list[str]:
    """The edited files as rows (version 1, by `migrate`), read back and compared."""
    now = datetime.now(UTC).isoformat(" ", timespec="seconds")
    for relative, text in files.items():
        pg.execute(
            "INSERT INTO policy_files (path, text, version, updated_at, updated_by)"
            " VALUES (%s, %s, 1, %s, 'migrate')",
            (relative, text, now),
        )
    back = dict(pg.execute("SELECT path, text FROM policy_files").fetchall())
    if back != files:
        raise UserError(
            tr(
                "copie vérifiée fausse pour les fichiers de politique : rien n'a été écrit",
                "the copy of the policy files does not match: nothing was written",
            )
        )
    return sorted(files)
