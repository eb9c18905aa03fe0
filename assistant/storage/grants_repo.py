"""SQL of a grant (docs/companies.md): a person enabled, with a role, in one company's `users`
(the store's connection is already on that company's schema)."""

from __future__ import annotations

from assistant.storage.db import Store


def enable(store: Store, name: str, role: str) -> None:
    """Enable a known person with `role` (their history and signature stay)."""
    store.conn.execute(
        "UPDATE users SET enabled = 1, disabled_at = NULL, role = ? WHERE name = ?", (role, name)
    )
