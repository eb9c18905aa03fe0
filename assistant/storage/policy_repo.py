"""The policy files kept in the database (`policy_files`, docs/policies-db.md): one row per
edited file (a missing row is the shipped default), its text, a version counted at every save
(compare-and-set) and who saved it last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.storage.db import Store


@dataclass(frozen=True)
class PolicyRow:
    path: str  # relative to `policies/`, e.g. "scenario.yaml", "templates/fr/reminder_1.j2"
    text: str
    version: int
    updated_at: str
    updated_by: str


def _row(r: dict[str, Any]) -> PolicyRow:
    return PolicyRow(r["path"], r["text"], int(r["version"]), r["updated_at"], r["updated_by"])


def all_rows(store: Store, prefix: str = "") -> dict[str, PolicyRow]:
    rows = store.query(
        "SELECT path, text, version, updated_at, updated_by FROM policy_files"
        " WHERE substr(path, 1, ?) = ? ORDER BY path",
        (len(prefix), prefix),
    )
    return {r["path"]: _row(r) for r in rows}


def get(store: Store, path: str) -> PolicyRow | None:
    r = store.query_one(
        "SELECT path, text, version, updated_at, updated_by FROM policy_files WHERE path = ?",
        (path,),
    )
    return _row(r) if r else None


def version_of(store: Store, path: str) -> int | None:
    return store.scalar("SELECT version FROM policy_files WHERE path = ?", (path,))


def put(store: Store, path: str, text: str, seen: int | None, actor: str) -> int | None:
    """Write `text` as the new version of `path`. `seen`: the version the writer read (0: no
    row yet), or None to write whatever is there. Returns the new version, or None when the
    row is no longer the one the writer read (nothing written)."""
    now = store.now_iso()
    if seen is None:
        store.conn.execute(
            "INSERT INTO policy_files (path, text, version, updated_at, updated_by)"
            " VALUES (?, ?, 1, ?, ?) ON CONFLICT (path) DO UPDATE SET text = excluded.text,"
            " version = policy_files.version + 1, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by",
            (path, text, now, actor),
        )
        return version_of(store, path)
    if seen == 0:
        done = store.conn.execute(
            "INSERT INTO policy_files (path, text, version, updated_at, updated_by)"
            " VALUES (?, ?, 1, ?, ?) ON CONFLICT (path) DO NOTHING",
            (path, text, now, actor),
        ).rowcount
        return 1 if done else None
    done = store.conn.execute(
        "UPDATE policy_files SET text = ?, version = version + 1, updated_at = ?,"
        " updated_by = ? WHERE path = ? AND version = ?",
        (text, now, actor, path, seen),
    ).rowcount
    return seen + 1 if done else None


def copy_rows(store: Store, rows: list[PolicyRow]) -> None:
    """Rows as they are (`relance migrate`)."""
    for row in rows:
        store.conn.execute(
            "INSERT INTO policy_files (path, text, version, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (row.path, row.text, row.version, row.updated_at, row.updated_by),
        )
