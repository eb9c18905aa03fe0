"""Customer owners: the person (normally a collector) who follows a customer. Their calls
come first on their calls screen; their signature ends the customer's e-mails."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.storage import repo, team_repo, users_repo
from assistant.storage.db import Store

T = TypeVar("T")

# The word that clears an owner (`relance customer owner C001 -`).
NOBODY = ("-", "none", "aucun", "personne")


def set_owner(store: Store, customer_id: str, name: str, actor: str) -> str | None:
    """Give `customer_id` to the person `name` (an enabled user), or clear it with `-`.
    Returns the new owner (None when cleared). One event `customer.owner`."""
    wanted = name.strip()
    owner = None if wanted.lower() in NOBODY else wanted
    with store.transaction():
        if repo.get_customer(store, customer_id) is None:
            raise UserError(tr("client inconnu : {c}", "unknown customer: {c}", c=customer_id))
        if owner is not None:
            user = users_repo.get(store, owner)
            if user is None or not user.enabled:
                raise UserError(
                    tr(
                        "« {n} » n'est pas une personne active (relance user list)",
                        "'{n}' is not an active person (relance user list)",
                        n=owner,
                    )
                )
        before = team_repo.owner_of(store, customer_id)
        if before == owner:
            return owner
        team_repo.set_owner(store, customer_id, owner)
        store.record_event(
            "customer.owner",
            actor=actor,
            customer_id=customer_id,
            data={"owner": owner, "before": before},
        )
    return owner


def mine_first(
    items: Sequence[T], customer_id: Callable[[T], str], owners: dict[str, str], me: str | None
) -> list[T]:
    """`items` with those of the customers `me` owns first (each group keeps its order)."""
    if me is None:
        return list(items)
    mine = [x for x in items if owners.get(customer_id(x)) == me]
    return mine + [x for x in items if owners.get(customer_id(x)) != me]
