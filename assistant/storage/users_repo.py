"""SQL of people and roles (`users`) and of "who did what" read from the events.

Returns domain objects (`User`); the rules about roles live in `assistant/roles.py`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.storage.db import Store


@dataclass(frozen=True)
class User:
    name: str
    role: str
    email: str | None
    enabled: bool
    created_at: str
    created_by: str
    disabled_at: str | None
    signature: str | None = None  # ends the e-mails written on their behalf (docs/team.md)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "email": self.email,
            "enabled": self.enabled,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "disabled_at": self.disabled_at,
            "signature": self.signature,
        }


def _user(row: dict[str, Any]) -> User:
    return User(
        name=row["name"],
        role=row["role"],
        email=row["email"],
        enabled=bool(row["enabled"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        disabled_at=row["disabled_at"],
        signature=row.get("signature"),
    )


def users_in_file(db_path: Path) -> list[User]:
    """The people of a database file, read without writing to it (`relance migrate` checks
    the role on a source it must leave byte for byte unchanged)."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'users'").fetchone():
            return []
        return [_user(dict(r)) for r in conn.execute("SELECT * FROM users ORDER BY name")]
    finally:
        conn.close()


def count(store: Store) -> int:
    return int(store.query("SELECT COUNT(*) AS n FROM users")[0]["n"])


def get(store: Store, name: str) -> User | None:
    rows = store.query("SELECT * FROM users WHERE name = ?", (name,))
    return _user(rows[0]) if rows else None


def all_users(store: Store) -> list[User]:
    return [_user(r) for r in store.query("SELECT * FROM users ORDER BY name")]


def names(store: Store) -> set[str]:
    """Every person's name, enabled or not (an event's actor is shown when it is one)."""
    return {r["name"] for r in store.query("SELECT name FROM users")}


def enabled_admins(store: Store) -> int:
    rows = store.query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND enabled = 1")
    return int(rows[0]["n"])


def insert(store: Store, name: str, role: str, email: str | None, by: str) -> None:
    store.conn.execute(
        "INSERT INTO users (name, role, email, enabled, created_at, created_by)"
        " VALUES (?, ?, ?, 1, ?, ?)",
        (name, role, email, store.now_iso(), by),
    )


def disable(store: Store, name: str) -> bool:
    """Disable an enabled user; False if it was not enabled (nothing written)."""
    cur = store.conn.execute(
        "UPDATE users SET enabled = 0, disabled_at = ? WHERE name = ? AND enabled = 1",
        (store.now_iso(), name),
    )
    return cur.rowcount == 1


def draft_actors(store: Store, draft_id: int, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """(kind, actor) of a draft's events of these kinds, oldest first."""
    marks = ",".join("?" * len(kinds))
    rows = store.query(
        f"SELECT kind, actor FROM events WHERE draft_id = ? AND kind IN ({marks}) ORDER BY id",
        (draft_id, *kinds),
    )
    return [(r["kind"], r["actor"]) for r in rows]
