"""relance running on PostgreSQL (`RELANCE_DATABASE_URL`), as a user runs it (real
subprocesses, a real server: tests/support/postgres.py): the demo moved there plans the same
actions, `relance init` makes the schema, an older schema is upgraded, a newer one refused, the
password is never shown, and `relance demo` stays a SQLite home whatever the URL."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
import pytest

from assistant.storage.migrations import MIGRATIONS
from assistant.storage.pg.connect import connect
from assistant.storage.pg.schema import create_schema
from tests.conftest import run_cli
from tests.support.postgres import PostgresCluster

AS_OF = "2026-11-24"
# Each command here names its store itself (`on(None, …)`: the SQLite home, `on(url, …)`: the
# test's own PostgreSQL database): `--store=postgresql` must not put the homes elsewhere.
pytestmark = pytest.mark.sqlite_only
LATEST = max(v for v, _, _ in MIGRATIONS)


def on(url: str | None, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"RELANCE_TODAY": AS_OF, "RELANCE_USER": "boss"}  # the admin, once people exist
    env |= {"RELANCE_DATABASE_URL": url} if url else {}
    return run_cli(*args, home=home, env=env)


def ok(url: str | None, *args: str, home: Path) -> str:
    result = on(url, *args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def tables(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        return int(row[0]) if row else 0


def test_the_demo_moved_to_postgresql_plans_the_same_actions(
    tmp_path: Path, pg_empty_url: str
) -> None:
    home = tmp_path / "home"
    ok(None, "demo", "--no-tui", "--as-of", AS_OF, home=home)
    on_sqlite = json.loads(ok(None, "plan", "--as-of", AS_OF, "--json", home=home))
    ok(None, "migrate", "--to", pg_empty_url, home=home)
    (home / "relance.db").rename(home / "relance.db.moved")  # PostgreSQL only from here
    on_postgres = json.loads(ok(pg_empty_url, "plan", "--as-of", AS_OF, "--json", home=home))
    assert len(on_sqlite) > 10 and {a["channel"] for a in on_sqlite} >= {"email", "phone"}
    assert on_postgres == on_sqlite
    # and the KPIs, read by other queries (dates, averages, groups), are the same too
    (home / "relance.db.moved").rename(home / "relance.db")
    stats_sqlite = json.loads(ok(None, "stats", "--as-of", AS_OF, "--json", home=home))
    stats_postgres = json.loads(ok(pg_empty_url, "stats", "--as-of", AS_OF, "--json", home=home))
    assert stats_postgres == stats_sqlite


def test_demo_always_builds_a_sqlite_home(tmp_path: Path, pg_empty_url: str) -> None:
    home = tmp_path / "home"
    out = ok(pg_empty_url, "demo", "--no-tui", "--as-of", AS_OF, home=home)
    assert (home / "relance.db").stat().st_size > 100_000 and "Données de la démo" in out
    assert tables(pg_empty_url) == 0  # the team's database untouched


def test_init_makes_the_schema_then_every_command_uses_postgresql(
    tmp_path: Path, pg_empty_url: str, pg_cluster: PostgresCluster
) -> None:
    home = tmp_path / "home"
    refused = on(pg_empty_url, "plan", home=home)  # no schema yet: init first
    assert refused.returncode == 1 and "relance init" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and tables(pg_empty_url) == 0
    assert not home.exists()  # a refused command (a mistyped --home too) makes no folder
    out = ok(pg_empty_url, "init", home=home)
    assert f"postgresql://relance@127.0.0.1:{pg_cluster.port}/" in out
    with psycopg.connect(pg_empty_url) as conn:
        versions = {r[0] for r in conn.execute("SELECT version FROM _migrations")}
    assert versions == {v for v, _, _ in MIGRATIONS}
    assert ok(pg_empty_url, "init", home=home)  # a second init keeps the database
    ok(pg_empty_url, "user", "add", "boss", "--role", "admin", home=home)
    team = json.loads(ok(pg_empty_url, "user", "list", "--json", home=home))
    assert [(u["name"], u["role"]) for u in team] == [("boss", "admin")]
    # the policies are the database's (docs/policies-db.md): none copied into the home
    assert not (home / "policies").exists()
    assert not (home / "relance.db").exists()
    # a database holding other tables is not taken
    with psycopg.connect(other := pg_cluster.url(pg_cluster.new_database("template0"))) as conn:
        conn.execute("CREATE TABLE ledger (id int)")
    taken = on(other, "init", home=home)
    assert taken.returncode == 1 and "choisissez une base vide" in taken.stderr
    assert tables(other) == 1
    # the same home without the URL is a SQLite home with no database yet
    alone = on(None, "user", "list", home=home)
    assert alone.returncode == 1 and "relance init" in alone.stderr


@pytest.mark.parametrize(
    ("change", "said"),
    [
        # recorded as older, yet holding the latest tables: the upgrade's step fails
        ("older", f"impossible au schéma {LATEST}"),
        ("newer", f"attend le schéma {LATEST} : elle vient d'un relance plus récent"),
    ],
)
def test_a_version_that_cannot_be_reached_is_refused_in_one_line(
    tmp_path: Path, pg_url: str, change: str, said: str
) -> None:
    with psycopg.connect(pg_url) as conn:
        if change == "older":
            conn.execute("DELETE FROM _migrations WHERE version = %s", (LATEST,))
        else:
            conn.execute(
                "INSERT INTO _migrations (version, name, applied_at) VALUES (%s, 'later', 'x')",
                (LATEST + 1,),
            )
        recorded = {r[0] for r in conn.execute("SELECT version FROM _migrations")}
    for args in (("plan",), ("init",)):
        result = on(pg_url, *args, home=tmp_path / "home")
        assert result.returncode == 1, result.stdout
        (line,) = result.stderr.strip().splitlines()
        assert said in line and "Traceback" not in line
    with psycopg.connect(pg_url) as conn:
        assert {r[0] for r in conn.execute("SELECT version FROM _migrations")} == recorded


def test_a_command_on_an_older_database_upgrades_it_first(
    tmp_path: Path, pg_empty_url: str
) -> None:
    older = frozenset(v for v, _, _ in MIGRATIONS if v <= 21)
    with connect(pg_empty_url) as conn:
        create_schema(conn, applied=older)
    home = tmp_path / "home"
    assert json.loads(ok(pg_empty_url, "plan", "--as-of", AS_OF, "--json", home=home)) == []
    with psycopg.connect(pg_empty_url) as conn:
        found = {r[0] for r in conn.execute("SELECT version FROM _migrations")}
    assert found == {v for v, _, _ in MIGRATIONS}


def test_the_password_is_never_shown_stored_or_logged(
    tmp_path: Path, pg_empty_url: str, pg_cluster: PostgresCluster
) -> None:
    home = tmp_path / "home"
    password = pg_cluster.password
    outputs = [
        on(pg_empty_url, "init", home=home),
        on(pg_empty_url, "user", "add", "boss", "--role", "admin", home=home),
        on(pg_empty_url, "plan", "--json", home=home),
        on(pg_empty_url, "--lang", "en", "stats", "--json", home=home),
        # a wrong password, an unreachable server: one line, the URL without its password
        on(pg_empty_url.replace(password, "wrong-" + password), "plan", home=home),
        on(f"postgresql://relance:{password}@127.0.0.1:9/none", "plan", home=home),
    ]
    assert [r.returncode for r in outputs] == [0, 0, 0, 0, 1, 1]
    for result in outputs[4:]:
        assert "connexion PostgreSQL impossible" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    for result in outputs:
        assert password not in result.stdout + result.stderr
    with psycopg.connect(pg_empty_url) as conn:  # not in any row (events, people, logs)
        for (table,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall():
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            assert password not in repr(rows), table
    for path in home.rglob("*"):  # nor in any file of the home
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
