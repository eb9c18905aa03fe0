"""Test helpers that check the same behaviour on both stores (`pytest --store=postgresql`):

- `put_policy` / `drop_policy`: a policy file edited the way the home's store reads it (the
  home's `policies/` folder on SQLite; the `policy_files` rows on PostgreSQL, where the folder
  is not read at all: docs/policies-db.md). The file is written in the home on both stores, so a
  test reading it back still can.
- `policy_in_effect`: the text of a policy file as the home's store reads it.
- `shared_demo`: a demo home built once per module, on PostgreSQL moved into a database of the
  module's own (the per-test database does not exist yet when a module fixture runs), and
  `use_shared_demo` points each test's RELANCE_DATABASE_URL at it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import policy_source
from assistant.paths import bundled_dir
from assistant.policyfile import policy_text
from assistant.storage import policy_repo
from assistant.storage.db import Store
from tests.support.postgres import PostgresCluster

ACTOR = "test"


class _DemoMoves:
    """Where `run_cli` moves a demo it started (`--store=postgresql`): set per test by
    tests/conftest.py. Kept here, in one module: pytest loads tests/conftest.py as `conftest`
    while tests import it as `tests.conftest`, two copies whose own globals would differ."""

    url: str | None = None


DEMO_MOVES = _DemoMoves()


def _database_store(home: Path) -> tuple[Store | None, bool]:
    """The store the home's policies come from on PostgreSQL (one attached by an open Service,
    or the database of RELANCE_DATABASE_URL), and whether this helper opened it; (None, False)
    on SQLite."""
    source = policy_source.source_for(home)
    if isinstance(source, policy_source.DbSource):
        return source.store, False
    url = os.environ.get("RELANCE_DATABASE_URL")
    if not url:
        return None, False
    from assistant.storage.select import open_home_store

    return open_home_store(home, url, create=True), True  # a new home: its schema first


def put_policy(home: Path, relative: str, text: str, actor: str = ACTOR) -> Path:
    """Edit the policy file `relative` (`scenario.yaml`, `templates/fr/reminder_1.j2`) of the
    home as its store reads it. Returns the file's path in the home."""
    path = home / "policies" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    store, opened = _database_store(home)
    if store is not None:
        try:
            with store.transaction():
                policy_repo.put(store, relative, text, None, actor)
        finally:
            if opened:
                store.close()
    return path


def drop_policy(home: Path, relative: str) -> None:
    """Back to the shipped default: the home's file removed, on PostgreSQL its row too."""
    (home / "policies" / relative).unlink(missing_ok=True)
    store, opened = _database_store(home)
    if store is not None:
        try:
            with store.transaction():
                store.conn.execute("DELETE FROM policy_files WHERE path = ?", (relative,))
        finally:
            if opened:
                store.close()


def policy_in_effect(home: Path, relative: str) -> str:
    """The text of the policy file the home's store reads: its row on PostgreSQL (else the
    shipped default), its file on SQLite (else the shipped default)."""
    store, opened = _database_store(home)
    if store is None:
        return policy_text(home, relative)[0]
    try:
        row = policy_repo.get(store, relative)
    finally:
        if opened:
            store.close()
    if row is not None:
        return row.text
    return (bundled_dir("policies") / relative).read_text(encoding="utf-8")


def home_digest(home: Path) -> str:
    """A hash of what the home's database holds, to show a command changed nothing: the SQLite
    file's bytes, or on PostgreSQL every row of every relance table (`stores.store_dump`)."""
    if not os.environ.get("RELANCE_DATABASE_URL"):
        return hashlib.sha256((home / "relance.db").read_bytes()).hexdigest()
    from tests.support.stores import open_home, store_dump

    store = open_home(home)
    try:
        return hashlib.sha256("\n".join(store_dump(store)).encode()).hexdigest()
    finally:
        store.close()


def on_pg() -> bool:
    """This test's homes are on PostgreSQL (the autouse fixture or `store_kind` set the URL)."""
    return bool(os.environ.get("RELANCE_DATABASE_URL"))


def database_env() -> dict[str, str]:
    """For a process a test starts with its own environment (RELANCE_* removed): the test's
    RELANCE_DATABASE_URL on PostgreSQL, as `run_cli` passes it; nothing on SQLite."""
    url = os.environ.get("RELANCE_DATABASE_URL")
    return {"RELANCE_DATABASE_URL": url} if url else {}


def has_database(home: Path) -> bool:
    """The home has a relance database: its SQLite file, or on PostgreSQL (RELANCE_DATABASE_URL)
    the schema with its versions recorded (`relance init` made it)."""
    url = os.environ.get("RELANCE_DATABASE_URL")
    if not url:
        return (home / "relance.db").is_file()
    from assistant.storage.pg.connect import connect
    from assistant.storage.pg.schema import schema_versions

    with connect(url) as conn:
        return bool(schema_versions(conn))


def another_database_url(request: pytest.FixtureRequest) -> str | None:
    """On PostgreSQL, a second fresh empty database of the session's cluster (dropped after
    the test), for a second, independent home: every home of a test otherwise shares the
    test's database. None on SQLite (each home has its own file)."""
    if not on_pg():
        return None
    from tests.support.postgres import EMPTY_TEMPLATE

    cluster = request.getfixturevalue("pg_cluster")
    database = cluster.new_database(EMPTY_TEMPLATE)
    request.addfinalizer(lambda: cluster.drop_database(database))
    return str(cluster.url(database))


def another_database(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment of a second, independent home (`another_database_url`)."""
    url = another_database_url(request)
    return {"RELANCE_DATABASE_URL": url} if url else {}


@contextmanager
def fresh_database(cluster: PostgresCluster | None, template: str | None = None) -> Iterator[None]:
    """A new, independent database for one example of a property test (whose examples each
    make a new home): on PostgreSQL RELANCE_DATABASE_URL names a new database at the current
    schema (or `template`) for the block, dropped after it; nothing on SQLite (`cluster` None)."""
    if cluster is None:
        yield
        return
    from tests.support.postgres import SCHEMA_TEMPLATE

    name = cluster.new_database(template or SCHEMA_TEMPLATE)
    before = os.environ.get("RELANCE_DATABASE_URL")
    os.environ["RELANCE_DATABASE_URL"] = cluster.url(name)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("RELANCE_DATABASE_URL", None)
        else:
            os.environ["RELANCE_DATABASE_URL"] = before
        cluster.drop_database(name)


def cluster_if_postgresql(request: pytest.FixtureRequest) -> PostgresCluster | None:
    """The session's PostgreSQL cluster with `--store=postgresql` (None on SQLite: no server
    started), for a module- or session-scoped fixture."""
    from tests.conftest import on_postgresql

    if not on_postgresql(request.config):
        return None
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster


@dataclass(frozen=True)
class SharedDemo:
    """A demo home built once for a module; `url`: its database on PostgreSQL (None: SQLite)."""

    home: Path
    url: str | None = None


def shared_demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    *args: str,
    env: dict[str, str] | None = None,
) -> SharedDemo:
    """For a module-scoped fixture: `relance demo --no-tui ARGS` in a new home; with
    `--store=postgresql` the home then moves to a database made for the module (as a team
    would with `relance migrate`), which the module's tests use through `use_shared_demo`."""
    from tests.conftest import StoreKind, on_postgresql, run_cli

    home = tmp_path_factory.mktemp(name) / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RELANCE_DATABASE_URL", raising=False)  # the demo is always built on SQLite
        mp.setattr(DEMO_MOVES, "url", None)  # moved below, into the module's database
        made = run_cli("demo", "--no-tui", *args, home=home, env=env)
    assert made.returncode == 0, made.stderr
    if not on_postgresql(request.config):
        return SharedDemo(home)
    from tests.support.postgres import EMPTY_TEMPLATE

    cluster = request.getfixturevalue("pg_cluster")
    database = cluster.new_database(EMPTY_TEMPLATE)
    request.addfinalizer(lambda: cluster.drop_database(database))
    url = cluster.url(database)
    StoreKind("postgresql", url).adopt(home)
    return SharedDemo(home, url)


def use_shared_demo(demo: SharedDemo, monkeypatch: pytest.MonkeyPatch) -> Path:
    """For the function-scoped fixture the tests take: on PostgreSQL, this test's commands
    use the module's database (not the empty one made for the test). Returns the home."""
    if demo.url is not None:
        monkeypatch.setenv("RELANCE_DATABASE_URL", demo.url)
    return demo.home


def sync_policies(home: Path) -> None:
    """After a test edited files of `<home>/policies/` in place: on PostgreSQL, the same files
    as rows (every file of the folder, `.versions/` and hidden files skipped)."""
    if not on_pg():
        return
    folder = home / "policies"
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not any(p.startswith(".") for p in relative.split("/")):
            put_policy(home, relative, path.read_text(encoding="utf-8"))


def stored_bytes(home: Path) -> bytes:
    """Everything the database keeps, to look for a secret in: the SQLite file and its WAL,
    or on PostgreSQL every row of every relance table."""
    from tests.support.stores import dump

    if not on_pg():
        return b"".join(p.read_bytes() for p in sorted(home.glob("relance.db*")) if p.is_file())
    return "\n".join(dump(home)).encode()


def count(home: Path, table: str) -> int:
    """Rows of one table, read through a connection of its own (as another reader would)."""
    from tests.support.stores import open_home

    store = open_home(home)
    try:
        return int(store.scalar(f"SELECT COUNT(*) FROM {table}"))
    finally:
        store.close()


def database_per_example(request: pytest.FixtureRequest) -> AbstractContextManager[None]:
    """For one example of a property test whose examples each make a home with `relance init`:
    on PostgreSQL a fresh empty database of its own (`fresh_database`); nothing on SQLite."""
    from tests.support.postgres import EMPTY_TEMPLATE

    cluster = request.getfixturevalue("pg_cluster") if on_pg() else None
    return fresh_database(cluster, EMPTY_TEMPLATE)
