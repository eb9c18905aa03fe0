"""The PostgreSQL schema, derived from the SQLite migrations (never written twice).

The SQLite migrations run on an in-memory database; its tables, indexes and triggers are read
back from `sqlite_master` and transpiled to PostgreSQL with sqlglot:
- `INTEGER` becomes `BIGINT` (SQLite integers are 64-bit); an `INTEGER PRIMARY KEY` (SQLite's
  rowid alias, numbered on insert) becomes an identity column;
- a money column (`*_cents`, and every column a `_money_guard` trigger watches) becomes
  `NUMERIC` with a CHECK that it is a whole number of cents within SQLite's integer range.
  `BIGINT` alone would not refuse money given as a float: PostgreSQL rounds 12.5 to 13 on
  assignment. Rows read back through `connect()` give Python `int`s again;
- any other `BEFORE INSERT ... WHEN cond ... RAISE(ABORT)` trigger becomes `CHECK (NOT cond)`
  (with its `BEFORE UPDATE` twin); a trigger that cannot be read so stops the derivation.
Tables are created in foreign-key order; `_migrations` records the same versions as SQLite.

An older database is upgraded one version at a time (`upgrade_step`): the schema derived with
and without that version's migration, and the difference between the two as PostgreSQL
statements (new tables, new columns, new constraints, new or changed indexes). A difference
that has no such form (a table rebuilt, a column changed or dropped) stops with `SchemaError`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from assistant.storage.migrations import MIGRATIONS, applied_versions, migrate

INT64 = (-(2**63), 2**63 - 1)
_TRIGGER = re.compile(
    r"CREATE TRIGGER (?P<name>\w+)\s+BEFORE (?P<event>INSERT|UPDATE(?: OF [\w, ]+)?)\s+"
    r"ON (?P<table>\w+)\s+WHEN (?P<cond>.+?)\s+BEGIN SELECT RAISE\(ABORT, '[^']*'\); END",
    re.DOTALL,
)
_TYPEOF = re.compile(r"typeof\(NEW\.(\w+)\) NOT IN \('integer', 'null'\)")


class SchemaError(RuntimeError):
    """The SQLite schema holds something this module cannot carry to PostgreSQL."""


@dataclass
class Table:
    name: str
    columns: list[str]
    money: list[str]  # whole cents, in column order
    identity: str | None  # the column numbered by a sequence
    depends: set[str]  # tables it references (itself excluded)
    ddl: str = ""
    # The same table without its foreign keys, and the statements adding them: a bulk copy
    # checks each key once, at the end, instead of row by row.
    ddl_without_foreign_keys: str = ""
    foreign_keys: list[str] = field(default_factory=list)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (name, PostgreSQL condition)


@dataclass
class PgSchema:
    tables: list[Table]  # in foreign-key order: a table comes after those it references
    indexes: list[str]
    versions: list[tuple[int, str]]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def statements(self) -> list[str]:
        return [t.ddl for t in self.tables] + self.indexes

    def after_bulk(self) -> list[str]:
        """What `create_schema(bulk=True)` leaves out, to run once the rows are in."""
        return [k for t in self.tables for k in t.foreign_keys] + self.indexes


def sqlite_reference(applied: frozenset[int] | None = None) -> sqlite3.Connection:
    """An in-memory SQLite database at the current schema (the source of the derivation), or
    with only the migrations in `applied` (the others recorded as done, so never run)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    if applied is not None:
        skipped = [(v, n) for v, n, _ in MIGRATIONS if v not in applied]
        applied_versions(conn)  # creates _migrations
        conn.executemany(
            "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, 'skipped')",
            skipped,
        )
    try:
        migrate(conn)
    except sqlite3.Error as error:
        conn.close()
        raise SchemaError(f"migrations {sorted(applied or ())} alone fail: {error}") from error
    if applied is not None:
        conn.execute("DELETE FROM _migrations WHERE applied_at = 'skipped'")
    return conn


@cache
def derive(applied: frozenset[int] | None = None) -> PgSchema:
    """The PostgreSQL schema at the current version, or with only the versions `applied`."""
    conn = sqlite_reference(applied)
    try:
        return derive_from(conn, applied)
    finally:
        conn.close()


def derive_from(conn: sqlite3.Connection, applied: frozenset[int] | None = None) -> PgSchema:
    import sqlglot
    from sqlglot import exp

    master = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    money, checks = _trigger_rules(sql for kind, _, _, sql in master if kind == "trigger")
    tables: dict[str, Table] = {}
    for kind, name, _, sql in master:
        if kind != "table":
            continue
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
        depends = {r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')} - {name}
        table = Table(
            name=name,
            columns=columns,
            money=[c for c in columns if c.endswith("_cents") or c in money.get(name, ())],
            identity=None,
            depends=depends,
            checks=checks.get(name, []),
        )
        table.ddl = _table_ddl(sqlglot.parse_one(sql, read="sqlite"), table, exp)
        tables[name] = table
    for table_name in set(money) | set(checks):
        if table_name not in tables:
            raise SchemaError(f"trigger on unknown table {table_name}")
    indexes = []
    for kind, _, _, sql in master:
        if kind == "index":
            tree = sqlglot.parse_one(sql, read="sqlite")
            for ordered in tree.find_all(exp.Ordered):  # PostgreSQL's own NULLS default
                ordered.set("nulls_first", bool(ordered.args.get("desc")))
            indexes.append(tree.sql("postgres", identify=True))
    versions = [(v, n) for v, n, _ in sorted(MIGRATIONS) if applied is None or v in applied]
    return PgSchema(_dependency_order(tables), indexes, versions)


def _trigger_rules(
    triggers: Iterable[str],
) -> tuple[dict[str, set[str]], dict[str, list[tuple[str, str]]]]:
    """(money columns per table, CHECK constraints per table) from the SQLite triggers."""
    import sqlglot

    money: dict[str, set[str]] = {}
    inserts: dict[str, list[tuple[str, str]]] = {}
    updates: list[tuple[str, str, str]] = []
    for sql in triggers:
        found = _TRIGGER.fullmatch(sql.strip())
        if found is None:
            raise SchemaError(f"trigger not translatable to PostgreSQL: {sql.strip()[:80]}")
        table, cond, name = found["table"], found["cond"].strip(), found["name"]
        guarded = _TYPEOF.findall(cond)
        if guarded and not _TYPEOF.sub("", cond).replace("OR", "").strip():
            money.setdefault(table, set()).update(guarded)
            continue
        check = sqlglot.parse_one(cond.replace("NEW.", ""), read="sqlite")
        text = f"NOT ({check.sql('postgres', identify=True)})"
        if found["event"] == "INSERT":
            inserts.setdefault(table, []).append((name.removesuffix("_insert"), text))
        else:
            updates.append((table, text, name))
    for table, text, name in updates:  # an update rule without its insert twin: not a CHECK
        if text not in [t for _, t in inserts.get(table, [])]:
            raise SchemaError(f"update-only trigger not translatable to a CHECK: {name}")
    return money, inserts


def _table_ddl(create: Any, table: Table, exp: Any) -> str:
    types = exp.DataType.Type
    for column in create.this.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        kind = column.args["kind"].this
        if kind in (types.TEXT, types.VARCHAR):
            continue
        if kind not in (types.INT, types.BIGINT):
            raise SchemaError(f"{table.name}.{column.name}: type {kind} has no mapping")
        if column.name in table.money:
            column.set("kind", exp.DataType.build("NUMERIC"))
            continue
        column.set("kind", exp.DataType.build("BIGINT"))
        if column.find(exp.PrimaryKeyColumnConstraint):
            table.identity = column.name
            column.append(
                "constraints",
                exp.ColumnConstraint(kind=exp.GeneratedAsIdentityColumnConstraint(this=False)),
            )
    low, high = INT64
    whole = '"{c}" = trunc("{c}") AND "{c}" BETWEEN {low} AND {high}'
    extra = [
        (f"{table.name}_{c}_whole_cents", whole.format(c=c, low=low, high=high))
        for c in table.money
    ] + table.checks
    for name, condition in extra:
        constraint = _parse_constraint(f'CONSTRAINT "{name}" CHECK ({condition})')
        create.this.append("expressions", constraint)
    bare = create.copy()
    quoted = f'"{table.name}"'
    for key in list(bare.find_all(exp.ForeignKey)):
        table.foreign_keys.append(f"ALTER TABLE {quoted} ADD {key.sql('postgres', identify=True)}")
        key.pop()
    for reference in list(bare.find_all(exp.Reference)):
        if isinstance(reference.parent, exp.ColumnConstraint):
            column = reference.parent.parent.name
            target = reference.sql("postgres", identify=True)
            table.foreign_keys.append(f'ALTER TABLE {quoted} ADD FOREIGN KEY ("{column}") {target}')
            reference.parent.pop()
    table.ddl_without_foreign_keys = str(bare.sql("postgres", identify=True))
    return str(create.sql("postgres", identify=True))


def _parse_constraint(text: str) -> Any:
    import sqlglot

    return sqlglot.parse_one(f"CREATE TABLE t ({text})", read="postgres").this.expressions[0]


def _dependency_order(tables: dict[str, Table]) -> list[Table]:
    """Tables after those they reference; otherwise in the order SQLite created them."""
    placed: list[Table] = []
    names: set[str] = set()
    pending = list(tables.values())
    while pending:
        ready = next((t for t in pending if t.depends <= names), None)
        if ready is None:
            raise SchemaError(f"foreign-key cycle among {[t.name for t in pending]}")
        pending.remove(ready)
        placed.append(ready)
        names.add(ready.name)
    return placed


def create_schema(
    conn: Any, *, bulk: bool = False, applied: frozenset[int] | None = None
) -> PgSchema:
    """Create every table and index on a PostgreSQL connection (inside the caller's
    transaction) and record the versions in `_migrations` as SQLite does (a fresh database).
    `bulk`: the tables only, without foreign keys, indexes or versions: `relance migrate`
    copies the rows (versions included), then runs `schema.after_bulk()`; checking each key
    and building each index once is faster than keeping them up to date row by row.
    `applied`: only those versions (an older database, for the upgrade's tests)."""
    schema = derive(applied)
    if bulk:
        for table in schema.tables:
            conn.execute(table.ddl_without_foreign_keys)
        return schema
    for statement in schema.statements():
        conn.execute(statement)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO _migrations (version, name, applied_at) VALUES (%s, %s, %s)",
            [(v, n, stamp) for v, n in schema.versions],
        )
    return schema


def schema_versions(conn: Any) -> set[int]:
    """The versions recorded in a PostgreSQL database (empty when it has no relance schema)."""
    exists = conn.execute("SELECT to_regclass('_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return set()
    return {int(r[0]) for r in conn.execute("SELECT version FROM _migrations")}


_INDEX_NAME = re.compile(r'CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?"(\w+)"')


def upgrade_step(applied: frozenset[int], version: int) -> list[str]:
    """The PostgreSQL statements taking a database with the versions `applied` to the same
    plus `version`: the difference between the two derived schemas. A table dropped or
    rebuilt, a column changed, dropped or moved, a constraint removed: `SchemaError`."""
    before, after = derive(applied), derive(applied | {version})
    old = {t.name: t for t in before.tables}
    if gone := sorted(set(old) - {t.name for t in after.tables}):
        raise SchemaError(f"migration {version} drops the table(s) {', '.join(gone)}")
    statements: list[str] = []
    for table in after.tables:  # new tables in foreign-key order
        if table.name in old:
            statements += _table_change(old[table.name], table, version)
        else:
            statements.append(table.ddl)
    old_indexes, new_indexes = _indexes(before.indexes), _indexes(after.indexes)
    for name, sql in old_indexes.items():
        if new_indexes.get(name) != sql:
            statements.append(f'DROP INDEX "{name}"')
    statements += [sql for name, sql in new_indexes.items() if old_indexes.get(name) != sql]
    return statements


def _table_change(old: Table, new: Table, version: int) -> list[str]:
    old_columns, old_rules = _parts(old.ddl)
    new_columns, new_rules = _parts(new.ddl)
    quoted = f'"{new.name}"'
    kept = list(new_columns.items())[: len(old_columns)]
    if kept != list(old_columns.items()):
        changed = [c for c, sql in old_columns.items() if new_columns.get(c) != sql]
        raise SchemaError(
            f"migration {version} changes the columns of {new.name}"
            f" ({', '.join(changed) or 'their order'}): no PostgreSQL upgrade for that"
        )
    if removed := [r for r in old_rules if r not in new_rules]:
        raise SchemaError(f"migration {version} removes from {new.name}: {removed[0][:80]}")
    added = list(new_columns.values())[len(old_columns) :]
    return [f"ALTER TABLE {quoted} ADD COLUMN {sql}" for sql in added] + [
        f"ALTER TABLE {quoted} ADD {rule}" for rule in new_rules if rule not in old_rules
    ]


def _parts(ddl: str) -> tuple[dict[str, str], list[str]]:
    """(column name → its definition, the table's other constraints) of a derived DDL."""
    import sqlglot
    from sqlglot import exp

    columns: dict[str, str] = {}
    rules: list[str] = []
    for item in sqlglot.parse_one(ddl, read="postgres").this.expressions:
        if isinstance(item, exp.ColumnDef):
            columns[item.name] = item.sql("postgres", identify=True)
        else:
            rules.append(item.sql("postgres", identify=True))
    return columns, rules


def _indexes(statements: list[str]) -> dict[str, str]:
    named: dict[str, str] = {}
    for sql in statements:
        found = _INDEX_NAME.match(sql)
        if found is None:
            raise SchemaError(f"index without a name: {sql[:80]}")
        named[found[1]] = sql
    return named
