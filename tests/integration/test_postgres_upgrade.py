"""Upgrading a PostgreSQL database made by an older relance (a real server: tests/support/
postgres.py): opening it applies each missing version in one transaction, keeps the rows and
ends with the catalog of a freshly created database; a failing step changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from assistant.errors import UserError
from assistant.storage.migrations import MIGRATIONS
from assistant.storage.pg import schema as pg_schema
from assistant.storage.pg.connect import connect
from assistant.storage.pg.schema import create_schema, schema_versions
from assistant.storage.pg.store import open_pg_store

ALL = frozenset(v for v, _, _ in MIGRATIONS)
NOW = "2026-11-20T09:00:00+00:00"


def at_version(url: str, upto: int, *, rows: bool = True) -> frozenset[int]:
    """Make the database `url` as relance at schema `upto` made it, with a few rows."""
    applied = frozenset(v for v in ALL if v <= upto)
    with connect(url) as conn:
        create_schema(conn, applied=applied)
        if not rows:
            return applied
        conn.execute(
            "INSERT INTO customers (id, name, email, created_at, updated_at)"
            " VALUES ('C1', 'Dupont SARL', 'compta@dupont.fr', %s, %s)",
            (NOW, NOW),
        )
        conn.execute(
            "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
            " outstanding_cents, created_at, updated_at)"
            " VALUES ('F-1', 'C1', '2026-09-01', '2026-10-01', 123456, 23456, %s, %s)",
            (NOW, NOW),
        )
        conn.execute(
            "INSERT INTO drafts (customer_id, step, channel, language, body, template_name,"
            " template_body, source, policy_version, plan_date, scheduled_for, total_cents,"
            " created_at, updated_at) VALUES ('C1', 'first', 'email', 'fr', 'Bonjour', 't',"
            " 'Bonjour', 'template', 'v1', '2026-11-20', '2026-11-20', 23456, %s, %s)",
            (NOW, NOW),
        )
        conn.execute(
            "INSERT INTO events (at, on_date, actor, kind, customer_id)"
            " VALUES (%s, '2026-11-20', 'cli', 'import', 'C1')",
            (NOW,),
        )
    return applied


def catalog(url: str) -> dict[str, Any]:
    """Tables, columns (order, type, default, null, identity), constraints and indexes."""
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "SELECT table_name, ordinal_position, column_name, data_type, column_default,"
            " is_nullable, is_identity FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2"
        ).fetchall()
        constraints = conn.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
            " WHERE n.nspname = 'public' ORDER BY 1, 2"
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return {
        "tables": sorted({c[0] for c in columns}),
        "columns": columns,
        "constraints": constraints,
        "indexes": indexes,
    }


def versions(url: str) -> set[int]:
    with connect(url) as conn:
        return schema_versions(conn)


@pytest.mark.parametrize("upto", [20, 21])
def test_an_older_database_is_upgraded_with_its_rows_to_the_current_catalog(
    tmp_path: Path, pg_empty_url: str, pg_url: str, upto: int
) -> None:
    at_version(pg_empty_url, upto)
    before = catalog(pg_empty_url)
    assert "draft_claims" not in before["tables"] and before != catalog(pg_url)
    store = open_pg_store(pg_empty_url, tmp_path)
    try:
        assert store.scalar("SELECT COUNT(*) FROM draft_claims") == 0  # a table of 22
        rows = store.query(
            "SELECT d.customer_id, d.total_cents, d.version, c.owner, i.outstanding_cents"
            " FROM drafts d JOIN customers c ON c.id = d.customer_id"
            " JOIN invoices i ON i.customer_id = c.id"
        )
        assert [dict(r) for r in rows] == [  # 22's default version, 23's owner
            {
                "customer_id": "C1",
                "total_cents": 23456,
                "version": 1,
                "owner": None,
                "outstanding_cents": 23456,
            }
        ]
        assert store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'import'") == 1
    finally:
        store.close()
    assert versions(pg_empty_url) == set(ALL)
    with connect(pg_empty_url) as conn:
        names = dict(conn.execute("SELECT version, name FROM _migrations").fetchall())
    assert names == {v: n for v, n, _ in MIGRATIONS}
    assert catalog(pg_empty_url) == catalog(pg_url)  # as if created at the current version
    # the upgraded database keeps its guards: money as a float is refused
    with connect(pg_empty_url) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE invoices SET outstanding_cents = 12.5")


def test_a_failing_step_leaves_the_database_at_its_old_version(
    tmp_path: Path, pg_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied = at_version(pg_empty_url, 21)
    before = catalog(pg_empty_url)
    real_step = pg_schema.upgrade_step
    last = max(ALL)

    def broken(found: frozenset[int], version: int) -> list[str]:
        steps = real_step(found, version)
        return [*steps, 'ALTER TABLE "nowhere" ADD COLUMN x TEXT'] if version == last else steps

    monkeypatch.setattr(pg_schema, "upgrade_step", broken)
    with pytest.raises(UserError) as refused:
        open_pg_store(pg_empty_url, tmp_path)
    line = str(refused.value)
    assert f"schéma {last}" in line and "nowhere" in line and "\n" not in line
    assert versions(pg_empty_url) == set(applied)  # 22 was applied in the same transaction
    assert catalog(pg_empty_url) == before
    monkeypatch.setattr(pg_schema, "upgrade_step", real_step)
    open_pg_store(pg_empty_url, tmp_path).close()  # fixed code: upgraded
    assert versions(pg_empty_url) == set(ALL)


def test_a_difference_the_upgrade_cannot_express_changes_nothing(
    tmp_path: Path, pg_empty_url: str
) -> None:
    """Migration 8 rebuilds the drafts table (SQLite's way to change a column): a database at
    version 7 is not upgraded half-way, the line names the version and the table."""
    applied = at_version(pg_empty_url, 7, rows=False)
    before = catalog(pg_empty_url)
    with pytest.raises(UserError) as refused:
        open_pg_store(pg_empty_url, tmp_path)
    assert "schéma 8" in str(refused.value) and "drafts" in str(refused.value)
    assert versions(pg_empty_url) == set(applied) and catalog(pg_empty_url) == before
