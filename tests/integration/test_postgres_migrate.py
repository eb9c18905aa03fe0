"""`relance migrate --to postgresql://…` run as a user would (a real subprocess) into a real
PostgreSQL server (tests/support/postgres.py). Counts and sums are read back here, by this
test's own queries, not by the migrate code."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import run_cli
from tests.support.postgres import PostgresCluster

AS_OF = "2026-11-24"
# The source of `relance migrate` is a SQLite home by definition; the target is each test's own
# PostgreSQL database, with or without `--store=postgresql`.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("pg-demo") / "home"
    result = run_cli("demo", "--no-tui", "--as-of", AS_OF, home=home)
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture
def demo_home(demo_source: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(demo_source, home)
    return home


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_figures(db: Path) -> dict[str, tuple[int, dict[str, int]]]:
    """Per table: (rows, {money column: sum}) straight from the SQLite file."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        figures = {}
        for table in tables:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            rows = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            sums = {
                c: conn.execute(f'SELECT TOTAL("{c}") FROM "{table}"').fetchone()[0]
                for c in cols
                if c.endswith("_cents")
            }
            figures[table] = (rows, {c: int(v) for c, v in sums.items()})
        return figures
    finally:
        conn.close()


def pg_figures(url: str) -> dict[str, tuple[int, dict[str, int]]]:
    with psycopg.connect(url) as conn:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ):
            columns.setdefault(table, []).append(column)
        figures = {}
        for table, cols in columns.items():
            rows = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            sums = {
                c: conn.execute(f'SELECT COALESCE(SUM("{c}"), 0) FROM "{table}"').fetchone()[0]
                for c in cols
                if c.endswith("_cents")
            }
            figures[table] = (rows, {c: int(v) for c, v in sums.items()})
        return figures


def pg_table_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        query = "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"
        return int(conn.execute(query).fetchone()[0])


def rows_of(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(sql).fetchall()]


def test_demo_home_moves_with_identical_counts_sums_and_events(
    demo_home: Path, pg_empty_url: str
) -> None:
    db = demo_home / "relance.db"
    before = digest(db)
    expected = sqlite_figures(db)
    result = run_cli("migrate", "--to", pg_empty_url, home=demo_home)
    assert result.returncode == 0, result.stderr
    assert digest(db) == before  # the source did not change
    found = pg_figures(pg_empty_url)
    # the home's edited policy files become rows (docs/policies-db.md): the demo's company
    assert found.pop("policy_files") == (1, {}) and expected.pop("policy_files") == (0, {})
    assert found == expected
    assert "Politiques copiées dans la base : company.yaml" in result.stdout
    assert expected["events"][0] > 50 and expected["drafts"][0] > 0
    assert expected["invoices"][1]["amount_cents"] > 0
    # every row of every table (every event), field by field
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with psycopg.connect(pg_empty_url) as pg:
        for table in expected:
            query = f'SELECT * FROM "{table}"'
            as_ints = [tuple(int(v) if isinstance(v, Decimal) else v for v in row)
                       for row in rows_of(pg, query)]  # fmt: skip
            assert sorted(as_ints, key=repr) == sorted(rows_of(src, query), key=repr), table
        events = "SELECT id, kind, data FROM events ORDER BY id"
        assert rows_of(pg, events) == rows_of(src, events)
        # the sequences continue after the copied ids
        next_id = pg.execute(
            "INSERT INTO events (at, on_date, actor, kind) VALUES ('x', 'd', 'cli', 'k')"
            " RETURNING id"
        ).fetchone()[0]
        pg.rollback()
    assert next_id == src.execute("SELECT MAX(id) + 1 FROM events").fetchone()[0]
    src.close()
    # what it printed: every table with its rows, and the total
    assert f"{sum(n for n, _ in expected.values())} " in result.stdout
    assert "events" in result.stdout and "invoices" in result.stdout


def test_json_report_and_database_url_from_the_environment(
    demo_home: Path, pg_cluster: PostgresCluster, pg_empty_url: str
) -> None:
    result = run_cli(
        "migrate", "--json", home=demo_home, env={"RELANCE_DATABASE_URL": pg_empty_url}
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert pg_cluster.password not in result.stdout + result.stderr
    expected = sqlite_figures(demo_home / "relance.db")
    assert {t["table"]: t["rows"] for t in report["tables"]} == {
        t: n for t, (n, _) in expected.items()
    }
    invoices = next(t for t in report["tables"] if t["table"] == "invoices")
    amount = expected["invoices"][1]["amount_cents"]
    assert invoices["sums"]["amount_cents"] == f"{amount // 100}.{amount % 100:02d}"
    assert report["rows"] == sum(n for n, _ in expected.values())
    assert report["target"].startswith("postgresql://relance@127.0.0.1:")
    assert report["source"] == str(demo_home / "relance.db")


def test_a_second_run_into_a_non_empty_database_is_refused(
    demo_home: Path, pg_empty_url: str
) -> None:
    assert run_cli("migrate", "--to", pg_empty_url, home=demo_home).returncode == 0
    first = pg_figures(pg_empty_url)
    again = run_cli("migrate", "--to", pg_empty_url, home=demo_home)
    assert again.returncode == 1
    assert len(again.stderr.strip().splitlines()) == 1
    assert "n'est pas vide" in again.stderr and "Traceback" not in again.stderr
    assert pg_figures(pg_empty_url) == first


def test_a_database_holding_the_schema_already_is_refused(demo_home: Path, pg_url: str) -> None:
    result = run_cli("migrate", "--to", pg_url, home=demo_home)
    assert result.returncode == 1 and "n'est pas vide" in result.stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0


def test_the_password_never_appears_even_when_it_is_wrong(
    demo_home: Path, pg_cluster: PostgresCluster, pg_empty_url: str
) -> None:
    wrong = "Wr0ng-s3cret-Pa55"
    database = pg_empty_url.rsplit("/", 1)[1]
    for args, env in (
        (("--to", pg_cluster.url(database, password=wrong)), {}),
        ((), {"RELANCE_DATABASE_URL": pg_cluster.url(database, password=wrong)}),
    ):
        result = run_cli("migrate", *args, home=demo_home, env=env)
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "password authentication failed" in result.stderr
        assert wrong not in result.stdout + result.stderr
        assert pg_cluster.password not in result.stdout + result.stderr
    assert pg_table_count(pg_empty_url) == 0
    # with RELANCE_DEBUG the traceback does not carry it either
    result = run_cli(
        "migrate", "--to", pg_cluster.url(database, password=wrong), home=demo_home,
        env={"RELANCE_DEBUG": "1"},
    )  # fmt: skip
    assert wrong not in result.stdout + result.stderr


def test_a_refused_row_rolls_the_whole_copy_back(tmp_path: Path, pg_empty_url: str) -> None:
    """PostgreSQL refuses a NUL character in text: the copy stops, nothing stays behind."""
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    conn = sqlite3.connect(home / "relance.db")
    conn.execute(
        "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'Dupont', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO events (at, on_date, actor, kind, data) VALUES ('x', 'd', 'cli', 'k', ?)",
        ("bad \x00 byte",),
    )
    conn.commit()
    conn.close()
    before = digest(home / "relance.db")
    result = run_cli("migrate", "--to", pg_empty_url, home=home)
    assert result.returncode == 1
    assert "rien n'a été écrit" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert pg_table_count(pg_empty_url) == 0
    assert digest(home / "relance.db") == before


def test_without_a_url_or_a_home_it_says_what_is_missing(tmp_path: Path) -> None:
    result = run_cli("migrate", home=tmp_path / "home")
    assert result.returncode == 1 and "RELANCE_DATABASE_URL" in result.stderr
    secret = {"RELANCE_DATABASE_URL": "postgresql://u:SeCrEt-42@127.0.0.1:1/x"}
    shown = run_cli("migrate", "--help", env=secret)
    assert shown.returncode == 0 and "RELANCE_DATABASE_URL" in shown.stdout
    assert "SeCrEt-42" not in shown.stdout + shown.stderr
    result = run_cli("migrate", "--to", "postgresql://u@127.0.0.1:1/x", home=tmp_path / "none")
    assert result.returncode == 1 and "aucune base relance" in result.stderr
    assert not (tmp_path / "none").exists()


def schema_fingerprint(url: str) -> dict[str, set[tuple[Any, ...]]]:
    """Columns, constraints (checks, keys, foreign keys) and indexes, as PostgreSQL states them."""
    with psycopg.connect(url) as conn:
        return {
            "columns": set(rows_of(conn, (
                "SELECT table_name, ordinal_position, column_name, data_type, is_nullable,"
                " column_default, is_identity FROM information_schema.columns"
                " WHERE table_schema = 'public'"
            ))),
            "constraints": set(rows_of(conn, (
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            ))),
            "indexes": set(rows_of(conn, (
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            ))),
        }  # fmt: skip


def test_a_moved_home_has_exactly_the_schema_of_a_fresh_database(
    tmp_path: Path, pg_url: str, pg_empty_url: str
) -> None:
    """The copy creates the foreign keys and indexes after the rows: the result is the same."""
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    result = run_cli("migrate", "--to", pg_empty_url, home=home)
    assert result.returncode == 0, result.stderr
    moved, fresh = schema_fingerprint(pg_empty_url), schema_fingerprint(pg_url)
    assert len(moved["constraints"]) > 100 and len(moved["indexes"]) > 40
    assert any("FOREIGN KEY" in c[2] for c in moved["constraints"])
    assert moved == fresh
