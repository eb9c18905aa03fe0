"""Reading a home's database in tests, on whichever store the test runs (`store_kind`):
the SQLite file in the home, or PostgreSQL when RELANCE_DATABASE_URL is set."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from assistant.storage.db import Store
from assistant.storage.select import open_home_store


def open_home(home: Path) -> Store:
    return open_home_store(home, os.environ.get("RELANCE_DATABASE_URL"))


def dump(home: Path) -> list[str]:
    """Everything in the database, to compare before and after: SQLite's own dump (schema
    and rows), or on PostgreSQL every row of every relance table, sorted."""
    url = os.environ.get("RELANCE_DATABASE_URL")
    if not url:
        conn = sqlite3.connect(home / "relance.db")
        try:
            return list(conn.iterdump())
        finally:
            conn.close()
    store = open_home(home)
    try:
        return store_dump(store)
    finally:
        store.close()


def store_dump(store: Store) -> list[str]:
    """An open store's content: SQLite's dump, or every row of every relance table, sorted."""
    if store.kind == "sqlite":
        return list(store.conn.iterdump())
    from assistant.storage.pg.schema import derive

    lines: list[str] = []
    for table in derive().tables:
        rows = store.conn.execute(f'SELECT * FROM "{table.name}"').fetchall()
        lines += sorted(f"{table.name} {tuple(r)!r}" for r in rows)
    return lines


def content_digest(store: Store, db_path: Path) -> str:
    """A hash of what the database holds: on SQLite the file's bytes once every committed page
    is in it (WAL checkpointed: "byte for byte unchanged"), on PostgreSQL every row."""
    if store.kind == "sqlite":
        busy, _, _ = store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
        return hashlib.sha256(db_path.read_bytes()).hexdigest()
    return hashlib.sha256("\n".join(store_dump(store)).encode()).hexdigest()


def query(home: Path, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    store = open_home(home)
    try:
        return [tuple(r) for r in store.conn.execute(sql, params).fetchall()]
    finally:
        store.close()
