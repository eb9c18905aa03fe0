"""SQL of "people write as themselves" (docs/team.md): customer owners, a signature per person,
and the contacts of a customer with their role. The rules live in `assistant/team/`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import ACTIVE, sql_in


@dataclass(frozen=True)
class ContactRow:
    id: int
    customer_id: str
    role: str  # accounting | purchasing | management
    email: str
    name: str | None
    phone: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "role": self.role,
            "email": self.email,
            "name": self.name,
            "phone": self.phone,
        }


def _contact(row: dict[str, Any]) -> ContactRow:
    return ContactRow(
        id=int(row["id"]),
        customer_id=row["customer_id"],
        role=row["role"],
        email=row["email"],
        name=row["name"],
        phone=row["phone"],
    )


# -- owners ---------------------------------------------------------------------------------
def owner_of(store: Store, customer_id: str) -> str | None:
    row = store.query_one("SELECT owner FROM customers WHERE id = ?", (customer_id,))
    return row["owner"] if row else None


def owners(store: Store) -> dict[str, str]:
    """customer id -> owner name, for the customers that have one."""
    rows = store.query("SELECT id, owner FROM customers WHERE owner IS NOT NULL")
    return {r["id"]: r["owner"] for r in rows}


def set_owner(store: Store, customer_id: str, owner: str | None) -> None:
    store.conn.execute(
        "UPDATE customers SET owner = ?, updated_at = ? WHERE id = ?",
        (owner, store.now_iso(), customer_id),
    )


# -- signatures -----------------------------------------------------------------------------
def signature(store: Store, name: str) -> str | None:
    row = store.query_one("SELECT signature FROM users WHERE name = ?", (name,))
    return row["signature"] if row else None


def enabled_signatures(store: Store) -> dict[str, str]:
    """name -> signature of the enabled people who have one."""
    rows = store.query(
        "SELECT name, signature FROM users WHERE enabled = 1 AND signature IS NOT NULL"
    )
    return {r["name"]: r["signature"] for r in rows}


def set_signature(store: Store, name: str, text: str | None) -> None:
    store.conn.execute("UPDATE users SET signature = ? WHERE name = ?", (text, name))


# -- contacts -------------------------------------------------------------------------------
def contacts(store: Store, customer_id: str) -> list[ContactRow]:
    rows = store.query(
        "SELECT * FROM customer_contacts WHERE customer_id = ? ORDER BY role, id", (customer_id,)
    )
    return [_contact(r) for r in rows]


def all_contacts(store: Store) -> dict[str, list[ContactRow]]:
    """customer id -> its contacts, for every customer that has some."""
    found: dict[str, list[ContactRow]] = {}
    for r in store.query("SELECT * FROM customer_contacts ORDER BY customer_id, role, id"):
        found.setdefault(r["customer_id"], []).append(_contact(r))
    return found


def find_contact(store: Store, customer_id: str, role: str, email: str) -> ContactRow | None:
    row = store.query_one(
        "SELECT * FROM customer_contacts WHERE customer_id = ? AND role = ? AND email = ?",
        (customer_id, role, email),
    )
    return _contact(row) if row else None


def add_contact(
    store: Store,
    customer_id: str,
    role: str,
    email: str,
    name: str | None,
    phone: str | None,
) -> None:
    store.conn.execute(
        "INSERT INTO customer_contacts (customer_id, role, email, name, phone, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (customer_id, role, email, name, phone, store.now_iso()),
    )


def update_contact(store: Store, contact_id: int, name: str | None, phone: str | None) -> bool:
    """Set a contact's name and phone; True when something changed."""
    cur = store.conn.execute(
        "UPDATE customer_contacts SET name = ?, phone = ? WHERE id = ?"
        " AND (COALESCE(name, '') <> COALESCE(?, '') OR COALESCE(phone, '') <> COALESCE(?, ''))",
        (name, phone, contact_id, name, phone),
    )
    return cur.rowcount == 1


def remove_contacts(store: Store, customer_id: str, role: str, email: str | None) -> int:
    """Delete a customer's contacts of a role (one address, or all of the role)."""
    if email is None:
        cur = store.conn.execute(
            "DELETE FROM customer_contacts WHERE customer_id = ? AND role = ?",
            (customer_id, role),
        )
    else:
        cur = store.conn.execute(
            "DELETE FROM customer_contacts WHERE customer_id = ? AND role = ? AND email = ?",
            (customer_id, role, email),
        )
    return int(cur.rowcount)


def forget_contacts(store: Store, customer_id: str) -> int:
    """Delete every contact of a customer (a data-protection request: people's names,
    addresses and phones are not accounting facts)."""
    cur = store.conn.execute("DELETE FROM customer_contacts WHERE customer_id = ?", (customer_id,))
    return int(cur.rowcount)


# -- the salespeople digest -----------------------------------------------------------------
def customers_with_active_draft(store: Store, step: str) -> set[str]:
    """Customers under which a draft of `step` is pending, approved or sending."""
    rows = store.query(
        f"SELECT DISTINCT customer_id FROM drafts WHERE step = ? AND status IN {sql_in(ACTIVE)}",
        (step,),
    )
    return {r["customer_id"] for r in rows}
