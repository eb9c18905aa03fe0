import sqlite3
from pathlib import Path

import pytest

from assistant.errors import UserError
from assistant.storage import repo
from assistant.storage.db import connect, open_store
from assistant.storage.migrations import MIGRATIONS, applied_versions, current_version, migrate


def test_fresh_database_reaches_current_schema_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.db")
    assert applied_versions(store.conn) == {v for v, _, _ in MIGRATIONS}
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA foreign_keys") == 1
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
            " outstanding_cents, created_at, updated_at) VALUES ('F1', 'nobody', '2026-01-01',"
            " '2026-02-01', 100, 100, 'x', 'x')"
        )


def test_old_database_is_migrated_forward_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, upto=1)
    conn.execute(
        "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'Old', 'x', 'x')"
    )
    conn.close()
    store = open_store(path)
    assert max(applied_versions(store.conn)) == current_version()
    assert store.scalar("SELECT name FROM customers WHERE id = 'C1'") == "Old"
    old = repo.get_customer(store, "C1")  # columns added since have their defaults
    assert old is not None and (old.name, old.payment_terms_end_of_month) == ("Old", False)
    assert "invoice_steps" in store.db.table_names()
    # running migrations again is a no-op
    assert migrate(store.conn) == []


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "t.db")
    with pytest.raises(RuntimeError), store.transaction():
        store.record_event("x")
        raise RuntimeError("boom")
    assert store.events() == []
    with store.transaction():
        store.record_event("y", data={"k": "v"})
    assert [e["kind"] for e in store.events()] == ["y"]
    assert store.events()[0]["data"] == {"k": "v"}


def test_money_columns_refuse_anything_but_integer_cents(tmp_path: Path) -> None:
    """A float slipped into a money path would be stored as REAL by SQLite: refused there too."""
    store = open_store(tmp_path / "m.db")
    store.conn.execute(
        "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'A', 'x', 'x')"
    )
    insert = (
        "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
        " outstanding_cents, created_at, updated_at) VALUES (?, 'C1', '2026-01-01',"
        " '2026-02-01', ?, ?, 'x', 'x')"
    )
    store.conn.execute(insert, ("F1", 12345, 12345))
    for number, amount, outstanding in [("F2", 123.45, 0), ("F3", "123,45", 0), ("F4", 100, 0.5)]:
        with pytest.raises(sqlite3.IntegrityError, match="integer cents"):
            store.conn.execute(insert, (number, amount, outstanding))
    for number, outstanding in [("F5", -1), ("F6", 12346)]:
        with pytest.raises(sqlite3.IntegrityError, match=r"outside 0\.\.amount_cents"):
            store.conn.execute(insert, (number, 12345, outstanding))
    with pytest.raises(sqlite3.IntegrityError, match="integer cents"):
        store.conn.execute("UPDATE invoices SET outstanding_cents = 100.5 WHERE number = 'F1'")
    with pytest.raises(sqlite3.IntegrityError, match="integer cents"):
        store.conn.execute(
            "INSERT INTO payments (invoice_number, date, amount_cents, created_at)"
            " VALUES ('F1', '2026-01-05', 10.5, 'x')"
        )
    assert store.scalar("SELECT COUNT(*) FROM invoices") == 1


def test_a_damaged_file_or_a_newer_schema_is_a_clear_user_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError, match="base de données illisible"):
        open_store(garbage)
    store = open_store(tmp_path / "new.db")
    store.conn.execute("INSERT INTO _migrations VALUES (99, 'from the future', 'x')")
    store.close()
    with pytest.raises(UserError, match="version plus récente de relance"):
        open_store(tmp_path / "new.db")
