"""Customers import: the owner and the contacts columns (docs/team.md).

`Responsable` (owner) names an enabled person of the team (an empty cell clears it);
`E-mail comptabilité` / `E-mail achats` / `E-mail direction` hold one or several addresses:
a column present in the file is authoritative for its role (the customer's contacts of that
role become exactly these addresses, the name and phone of those kept stay; an empty cell
removes them). Columns absent from the file change nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.i18n import tr
from assistant.imports import values
from assistant.imports.columns import ColumnMap
from assistant.imports.rows import RowView
from assistant.storage import team_repo, users_repo
from assistant.storage.db import Store

# import field -> contact role
CONTACT_FIELDS = {
    "accounting_email": "accounting",
    "purchasing_email": "purchasing",
    "management_email": "management",
}
TEAM_FIELDS = ("owner", *CONTACT_FIELDS)


@dataclass
class TeamCells:
    """What one row says about the owner and the contacts (only the columns present)."""

    line: int
    customer_id: str
    cells: dict[str, Any] = field(default_factory=dict)


def parse(view: RowView, columns: ColumnMap) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if columns.has("owner"):
        found["owner"] = view.get("owner", values.line)
    for name in CONTACT_FIELDS:
        if columns.has(name):
            found[name] = view.get(name, values.email)
    return found


def check_owners(store: Store, rows: list[tuple[RowView, dict[str, Any]]]) -> None:
    """An owner that is not an enabled person fails its row (file:line: column: problem)."""
    wanted = [(view, cells["owner"]) for view, cells in rows if cells.get("owner")]
    if not wanted:
        return
    enabled = {u.name for u in users_repo.all_users(store) if u.enabled}
    for view, owner in wanted:
        if owner not in enabled:
            view.fail(
                "owner",
                tr(
                    "« {n} » n'est pas une personne active (relance user list)",
                    "'{n}' is not an active person (relance user list)",
                    n=owner,
                ),
            )


def apply(store: Store, customer_id: str, cells: dict[str, Any], actor: str) -> bool:
    """Write the owner and contacts of one customer; True when something changed."""
    changed = False
    if "owner" in cells and team_repo.owner_of(store, customer_id) != cells["owner"]:
        before = team_repo.owner_of(store, customer_id)
        team_repo.set_owner(store, customer_id, cells["owner"])
        store.record_event(
            "customer.owner",
            actor=actor,
            customer_id=customer_id,
            data={"owner": cells["owner"], "before": before},
        )
        changed = True
    for name, role in CONTACT_FIELDS.items():
        if name not in cells:
            continue
        wanted = [a.lower() for a in (cells[name] or "").split(", ") if a]
        have = [c.email for c in team_repo.contacts(store, customer_id) if c.role == role]
        for address in have:
            if address not in wanted:
                team_repo.remove_contacts(store, customer_id, role, address)
        for address in wanted:
            if address not in have:
                team_repo.add_contact(store, customer_id, role, address, None, None)
        if set(have) != set(wanted):
            store.record_event(
                "contact.imported",
                actor=actor,
                customer_id=customer_id,
                data={"role": role, "emails": wanted},
            )
            changed = True
    return changed
