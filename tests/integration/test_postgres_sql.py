"""The repositories' SQLite SQL gives the same answers on PostgreSQL (assistant/storage/pg/sql.py),
checked by running each statement on both stores: SQLite's answer is the expected one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.storage.db import Store, open_store
from assistant.storage.errors import IntegrityError
from assistant.storage.pg.store import open_pg_store
from tests.conftest import FIXED_NOW

ORDINAL = date(2026, 11, 24).toordinal()
CASES: list[tuple[str, Any, tuple[Any, ...]]] = [
    ("SELECT julianday('2026-11-24') - julianday('2026-11-01')", (), (23.0,)),
    ("SELECT CAST(julianday('2026-11-24') - 1721424.5 AS INTEGER)", (), (ORDINAL,)),
    ("SELECT date('2026-01-31', '+1 day'), date('2026-11-24T09:30:00+00:00')", (),
     ("2026-02-01", "2026-11-24")),
    ("SELECT date(:d, :g)", {"d": "2026-01-01", "g": "+3 days"}, ("2026-01-04",)),
    ("SELECT datetime('2026-01-31 23:58:00', '+5 minutes')", (), ("2026-02-01 00:03:00",)),
    ("SELECT strftime('%Y-%m', '2026-11-24'), ? || '%'", ("x",), ("2026-11", "x%")),
    ("SELECT MAX(1, 2), MIN(3, 4), IFNULL(NULL, 5), substr('relance', 1, 3)", (),
     (2, 3, 5, "rel")),
    ("SELECT 2 = 2, SUM(x = 1), AVG(x) FROM (SELECT 1 AS x UNION ALL SELECT 2)", (),
     (1, 1, 1.5)),
    ("SELECT COUNT(*) FROM (SELECT 1 AS x) WHERE 1 AND x IN ()", (), (0,)),
    ("SELECT group_concat(x, char(31)) FROM (SELECT 'a' AS x)", (), ("a",)),
    ("SELECT CASE WHEN x THEN 'yes' ELSE 'no' END FROM (SELECT 0 AS x)", (), ("no",)),
    ("SELECT x FROM (SELECT NULL AS x UNION ALL SELECT 1) ORDER BY x LIMIT 1", (), (None,)),
]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    clock = lambda: FIXED_NOW  # noqa: E731
    if request.param == "postgresql":
        opened = open_pg_store(request.getfixturevalue("pg_url"), tmp_path, clock)
    else:
        opened = open_store(tmp_path / "relance.db", clock)
    yield opened
    opened.close()


@pytest.mark.parametrize(("sql", "params", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_the_same_answer_on_both_stores(store: Store, sql: str, params: Any, expected: tuple):
    assert tuple(store.conn.execute(sql, params).fetchone()) == expected


def test_insert_or_ignore_or_replace_and_the_new_id(store: Store) -> None:
    row = "INSERT {} INTO daily_files (sha256, name, kind, outcome, detail, at) VALUES (?, ?,"
    row += " 'invoices', 'imported', '', ?)"
    with store.transaction():
        store.conn.execute(row.format(""), ("h1", "a.csv", store.now_iso()))
        store.conn.execute(row.format("OR IGNORE"), ("h1", "b.csv", store.now_iso()))
        assert store.scalar("SELECT name FROM daily_files WHERE sha256 = 'h1'") == "a.csv"
        store.conn.execute(row.format("OR REPLACE"), ("h1", "c.csv", store.now_iso()))
    assert store.query("SELECT sha256, name FROM daily_files") == [
        {"sha256": "h1", "name": "c.csv"}
    ]
    first = store.record_event("test.one", actor="t", data={"n": 1})
    assert store.record_event("test.two", actor="t") == first + 1 > 0
    assert [e["data"] for e in store.events(kinds=("test.one",))] == [{"n": 1}]


def test_refused_writes_are_the_integrity_error_the_domain_catches(store: Store) -> None:
    store.conn.execute(
        "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'A', 'x', 'x')"
    )
    with pytest.raises(IntegrityError), store.transaction():  # a unique key
        store.conn.execute(
            "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'B', 'x', 'x')"
        )
    invoice = (
        "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
        " outstanding_cents, currency, status, created_at, updated_at) VALUES (?, 'C1',"
        " '2026-11-01', '2026-11-30', ?, ?, 'EUR', 'open', 'x', 'x')"
    )
    with pytest.raises(IntegrityError):  # the money guard: cents are whole
        store.conn.execute(invoice, ("F1", 12.5, 12.5))
    with store.transaction():  # a refused write inside a savepoint leaves the outer work
        store.conn.execute(invoice, ("F2", 1000, 1000))
        with pytest.raises(IntegrityError), store.transaction():
            store.conn.execute(invoice, ("F2", 1000, 1000))
    assert store.query("SELECT number, amount_cents FROM invoices") == [
        {"number": "F2", "amount_cents": 1000}
    ]


def test_many_plain_inserts_keep_order_defaults_and_guards(store: Store) -> None:
    """`executemany` of a plain INSERT (sent as one COPY on PostgreSQL): the rows in order
    (numbered ids), the columns' defaults, and a refused row refuses the whole batch."""
    store.conn.execute(
        "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'A', 'x', 'x')"
    )
    event = "INSERT INTO events (at, on_date, actor, kind, customer_id) VALUES (?, ?, ?, ?, ?)"
    with store.transaction():
        store.conn.executemany(
            event,
            [("t", date(2026, 11, 2), "me", f"k{i}", "C1" if i % 2 else None) for i in range(5)],
        )
    rows = store.query("SELECT id, kind, on_date, customer_id, data FROM events ORDER BY id")
    assert [(r["kind"], r["on_date"], r["customer_id"], r["data"]) for r in rows] == [
        (f"k{i}", "2026-11-02", "C1" if i % 2 else None, "{}") for i in range(5)
    ]
    assert [r["id"] for r in rows] == list(range(rows[0]["id"], rows[0]["id"] + 5))
    invoice = (
        "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
        " outstanding_cents, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    dates = ("2026-11-01", "2026-11-30")
    refused = [
        [
            ("F1", "C1", *dates, 1000, 1000, "x", "x"),
            ("F2", "C1", *dates, 12.5, 12.5, "x", "x"),
        ],  # the money guard
        [
            ("F1", "C1", *dates, 1000, 1000, "x", "x"),
            ("F2", "C9", *dates, 1000, 1000, "x", "x"),
        ],  # an unknown customer
        [("F1", "C1", *dates, 1000, 1000, "x", "x")] * 2,  # a key twice
    ]
    for rows_in in refused:
        with pytest.raises(IntegrityError), store.transaction():
            store.conn.executemany(invoice, rows_in)
        assert store.scalar("SELECT COUNT(*) FROM invoices") == 0
    with store.transaction():
        store.conn.executemany(
            invoice,
            [("F1", "C1", *dates, 1000, 400, "x", "x"), ("F2", "C1", *dates, 500, 500, "x", "x")],
        )
    assert store.query("SELECT number, status, currency, outstanding_cents FROM invoices") == [
        {"number": "F1", "status": "open", "currency": "EUR", "outstanding_cents": 400},
        {"number": "F2", "status": "open", "currency": "EUR", "outstanding_cents": 500},
    ]
