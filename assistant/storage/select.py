"""Which store a home uses: the SQLite file in the home, or PostgreSQL when
`RELANCE_DATABASE_URL` is set (docs/postgresql.md). psycopg is imported only for the latter."""

from __future__ import annotations

from pathlib import Path

from assistant.storage.db import Clock, Store, open_store, utc_now

DB_FILE = "relance.db"


def open_home_store(
    home: Path,
    database_url: str | None,
    clock: Clock = utc_now,
    *,
    create: bool = False,
    schema: str | None = None,
) -> Store:
    """The home's store. `create`: `relance init` may make the PostgreSQL schema (SQLite
    always creates its file and brings it to the current schema, as before). `schema`: the
    company's PostgreSQL schema (docs/companies.md); None: the default company."""
    if database_url:
        from assistant.storage.pg.store import DEFAULT_SCHEMA, open_pg_store

        return open_pg_store(
            database_url, home, clock, create=create, schema=schema or DEFAULT_SCHEMA
        )
    return open_store(home / DB_FILE, clock)
