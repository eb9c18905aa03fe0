"""SQL of the firm's registry of companies (docs/companies.md), on PostgreSQL only.

The registry lives outside every company's schema, in the schema `relance_firm`, created on
demand (the first `relance company add`); a database without it holds one company, the default
(`public`). Each company's own tables, people included, live in its schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REGISTRY_SCHEMA = "relance_firm"
_REGISTRY_LOCK = 0x72656C66  # "relf": creating the registry or a company (one at a time)


@dataclass(frozen=True)
class CompanyRow:
    code: str
    name: str
    schema_name: str
    created_at: str
    created_by: str


def registry_exists(raw: Any) -> bool:
    row = raw.execute("SELECT to_regclass('relance_firm.companies') IS NOT NULL").fetchone()
    return bool(row[0])


def lock_registry(raw: Any) -> None:
    """Inside a transaction: one company creation at a time in the database."""
    raw.execute("SELECT pg_advisory_xact_lock(%s)", (_REGISTRY_LOCK,))


def ensure_registry(raw: Any) -> bool:
    """Create the registry if it is missing (inside the caller's transaction); True if made."""
    if registry_exists(raw):
        return False
    raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{REGISTRY_SCHEMA}"')
    raw.execute(
        f'CREATE TABLE "{REGISTRY_SCHEMA}".companies ('
        " code TEXT PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),"
        " name TEXT NOT NULL CHECK (length(trim(name)) > 0),"
        " schema_name TEXT NOT NULL UNIQUE,"
        " created_at TEXT NOT NULL,"
        " created_by TEXT NOT NULL)"
    )
    return True


def insert(raw: Any, row: CompanyRow) -> None:
    raw.execute(
        f'INSERT INTO "{REGISTRY_SCHEMA}".companies'
        " (code, name, schema_name, created_at, created_by) VALUES (%s, %s, %s, %s, %s)",
        (row.code, row.name, row.schema_name, row.created_at, row.created_by),
    )


def companies(raw: Any) -> list[CompanyRow]:
    """Every registered company by code (none when the registry does not exist)."""
    if not registry_exists(raw):
        return []
    rows = raw.execute(
        "SELECT code, name, schema_name, created_at, created_by"
        f' FROM "{REGISTRY_SCHEMA}".companies ORDER BY code'
    ).fetchall()
    return [CompanyRow(*r) for r in rows]


def schema_exists(raw: Any, schema: str) -> bool:
    row = raw.execute("SELECT COUNT(*) FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    return bool(row[0])


def create_company_schema(raw: Any, schema: str) -> None:
    """An empty schema for a new company, the connection's search path on it for the rest of
    the transaction (where `create_schema` then makes the tables)."""
    raw.execute(f'CREATE SCHEMA "{schema}"')
    raw.execute("SELECT set_config('search_path', %s, true)", (f'"{schema}"',))


def has_relance_schema(raw: Any, schema: str) -> bool:
    """Whether `schema` holds relance's tables (its `_migrations`: `relance init` ran)."""
    row = raw.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"._migrations',))
    return bool(row.fetchone()[0])


def person_in(raw: Any, schema: str, name: str) -> tuple[int, str | None]:
    """(number of people in the company, `name`'s role there if enabled, else None)."""
    count = raw.execute(f'SELECT COUNT(*) FROM "{schema}".users').fetchone()[0]
    row = raw.execute(
        f'SELECT role FROM "{schema}".users WHERE name = %s AND enabled = 1', (name,)
    ).fetchone()
    return int(count), (row[0] if row else None)


def default_company_yaml(raw: Any) -> str | None:
    """The default company's own company.yaml (its `public.policy_files` row), if any."""
    if raw.execute("SELECT to_regclass('public.policy_files')").fetchone()[0] is None:
        return None
    row = raw.execute("SELECT text FROM public.policy_files WHERE path = 'company.yaml'").fetchone()
    return None if row is None else str(row[0])
