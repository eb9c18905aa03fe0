"""Store-neutral helpers for tests that used to read or edit the SQLite home directly
(`pytest --store=postgresql`, docs/postgresql.md): the same check on both stores.

On SQLite the home's files are the truth (`relance.db`, `policies/`); on PostgreSQL
(RELANCE_DATABASE_URL set) the database is, and the home's `policies/` folder is not read
(docs/policies-db.md)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.stores import dump, open_home


def on_pg() -> bool:
    """This test's homes are on PostgreSQL (the autouse fixture or `store_kind` set the URL)."""
    return bool(os.environ.get("RELANCE_DATABASE_URL"))


def put_policy(home: Path, relative: str, text: str, actor: str = "test") -> Path:
    """Edit one policy file as the store's policy source reads it: the home's file (SQLite),
    and on PostgreSQL the `policy_files` row too (what a team's editor or `relance policy
    import` writes; raw, without validation, so a test can store a bad file on purpose)."""
    path = home / "policies" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if on_pg():
        from assistant.storage import policy_repo

        store = open_home(home)
        try:
            with store.transaction():
                policy_repo.put(store, relative, text, None, actor)
        finally:
            store.close()
    return path


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


def home_digest(home: Path) -> str:
    """What the home's database holds, hashed: the SQLite file's bytes (byte for byte), or on
    PostgreSQL every row of every relance table."""
    if not on_pg():
        return hashlib.sha256((home / "relance.db").read_bytes()).hexdigest()
    return hashlib.sha256("\n".join(dump(home)).encode()).hexdigest()


def stored_bytes(home: Path) -> bytes:
    """Everything the database keeps, to look for a secret in: the SQLite file and its WAL,
    or on PostgreSQL every row of every relance table."""
    if not on_pg():
        return b"".join(p.read_bytes() for p in sorted(home.glob("relance.db*")) if p.is_file())
    return "\n".join(dump(home)).encode()


def count(home: Path, table: str) -> int:
    """Rows of one table, read through a connection of its own (as another reader would)."""
    store = open_home(home)
    try:
        return int(store.scalar(f"SELECT COUNT(*) FROM {table}"))
    finally:
        store.close()


def store_env() -> dict[str, str]:
    """For a child process given an environment of its own: the test's database (nothing on
    SQLite, where the home names it), as `run_cli` passes it."""
    url = os.environ.get("RELANCE_DATABASE_URL")
    return {"RELANCE_DATABASE_URL": url} if url else {}


def another_database(request: pytest.FixtureRequest) -> str | None:
    """On PostgreSQL, a second fresh empty database of the session's cluster (dropped after
    the test), for a test that builds two homes: on SQLite each home has its own file, on
    PostgreSQL each needs its own database. None on SQLite."""
    if not on_pg():
        return None
    from tests.support.postgres import EMPTY_TEMPLATE

    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.new_database(EMPTY_TEMPLATE)
    request.addfinalizer(lambda: cluster.drop_database(name))
    return str(cluster.url(name))


@contextmanager
def database_per_example(request: pytest.FixtureRequest) -> Iterator[None]:
    """For one example of a property test: on PostgreSQL a fresh empty database of its own,
    set as RELANCE_DATABASE_URL meanwhile (the test's database would be shared by all its
    examples, as one SQLite home would); nothing on SQLite, where each example makes a home."""
    if not on_pg():
        yield
        return
    from tests.support.postgres import EMPTY_TEMPLATE

    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.new_database(EMPTY_TEMPLATE)
    try:
        with pytest.MonkeyPatch.context() as patched:
            patched.setenv("RELANCE_DATABASE_URL", str(cluster.url(name)))
            yield
    finally:
        cluster.drop_database(name)
