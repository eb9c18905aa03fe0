"""The PostgreSQL schema derived from the SQLite migrations, on a real server (tests/support/
postgres.py): same tables, same columns in the same order, same versions; money is whole cents."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

import pytest

from assistant.storage.migrations import MIGRATIONS, migrate
from assistant.storage.pg.connect import connect
from assistant.storage.pg.schema import derive, schema_versions


def _sqlite_columns() -> dict[str, list[str]]:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: [r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}


def _pg_columns(conn: Any) -> dict[str, list[str]]:
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def test_every_table_has_the_same_columns_in_the_same_order(pg_url: str) -> None:
    expected = _sqlite_columns()
    assert len(expected) > 20 and "events" in expected and "drafts" in expected
    with connect(pg_url) as conn:
        assert _pg_columns(conn) == expected


def test_the_same_schema_versions_are_recorded(pg_url: str) -> None:
    with connect(pg_url) as conn:
        assert schema_versions(conn) == {v for v, _, _ in MIGRATIONS}
        names = dict(conn.execute("SELECT version, name FROM _migrations").fetchall())
    assert names == {v: n for v, n, _ in MIGRATIONS}


def test_the_same_indexes_exist(pg_url: str) -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    expected = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    }
    with connect(pg_url) as pg:
        rows = pg.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        found = {r[0] for r in rows}
    assert expected and expected <= found


def _customer(conn: Any) -> None:
    conn.execute(
        "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'Dupont SA',"
        " '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
    )


def _invoice(conn: Any, amount: Any, outstanding: Any, number: str = "F1") -> None:
    conn.execute(
        "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
        " outstanding_cents, created_at, updated_at) VALUES (%s, 'C1', '2026-01-01',"
        " '2026-01-31', %s, %s, 'x', 'x')",
        (number, amount, outstanding),
    )


@pytest.mark.parametrize(
    "bad", [12.5, 1250.0001, Decimal("12.50"), "12.5", "12,50", 2**63], ids=repr
)
def test_money_that_is_not_whole_cents_is_refused_by_postgresql(pg_url: str, bad: Any) -> None:
    import psycopg

    with connect(pg_url) as conn:
        _customer(conn)
        conn.commit()
        with pytest.raises(psycopg.Error), conn.transaction():
            _invoice(conn, bad, 0)
        with pytest.raises(psycopg.Error), conn.transaction():  # update guarded too
            _invoice(conn, 2000, 1000, number="F2")
            conn.execute("UPDATE invoices SET outstanding_cents = %s WHERE number = 'F2'", (bad,))
        assert conn.execute("SELECT COUNT(*) FROM invoices").fetchone()[0] == 0


def test_whole_cents_are_stored_and_read_back_as_int(pg_url: str) -> None:
    with connect(pg_url) as conn:
        _customer(conn)
        _invoice(conn, 123456, 100)
        conn.execute(
            "INSERT INTO payments (invoice_number, date, amount_cents, created_at)"
            " VALUES ('F1', '2026-02-01', %s, 'x')",
            (2**62,),
        )
        row = conn.execute("SELECT amount_cents, outstanding_cents FROM invoices").fetchone()
        assert row == (123456, 100) and all(type(v) is int for v in row)
        assert conn.execute("SELECT amount_cents FROM payments").fetchone()[0] == 2**62


def test_sqlite_checks_and_triggers_hold_on_postgresql(pg_url: str) -> None:
    """The outstanding-within-amount trigger is a CHECK; the CHECKs of the tables came along."""
    import psycopg

    with connect(pg_url) as conn:
        _customer(conn)
        conn.commit()
        for amount, outstanding in ((1000, 1001), (1000, -1)):
            with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
                _invoice(conn, amount, outstanding)
        with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
            conn.execute(
                "INSERT INTO customers (id, name, risk, created_at, updated_at)"
                " VALUES ('C2', 'X', 'enormous', 'x', 'x')"
            )
        with pytest.raises(psycopg.errors.ForeignKeyViolation), conn.transaction():
            conn.execute(
                "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
                " outstanding_cents, created_at, updated_at)"
                " VALUES ('F9', 'nobody', 'd', 'd', 1, 1, 'x', 'x')"
            )


def test_ids_are_numbered_by_postgresql_like_sqlite_rowids(pg_url: str) -> None:
    with connect(pg_url) as conn:
        ids = [
            conn.execute(
                "INSERT INTO events (at, on_date, actor, kind) VALUES ('x', 'd', 'cli', 'k')"
                " RETURNING id"
            ).fetchone()[0]
            for _ in range(3)
        ]
    assert ids == [1, 2, 3]


def test_every_money_column_is_guarded() -> None:
    """Every `*_cents` column of every table is a money column of the derived schema."""
    for name, columns in _sqlite_columns().items():
        cents = [c for c in columns if c.endswith("_cents")]
        assert derive().table(name).money == cents
