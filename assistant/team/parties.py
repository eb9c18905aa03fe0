"""Who a customer's message goes to and who signs it (docs/team.md), for the drafting code:
the scenario policy's `recipients` routes and the person making the drafts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assistant.models import Customer
from assistant.storage import team_repo
from assistant.storage.db import Store
from assistant.team.contacts import Route, recipients
from assistant.team.signatures import signature_for


@dataclass(frozen=True)
class Parties:
    routes: Mapping[str, Route] = field(default_factory=dict)
    drafter: str | None = None  # the acting person (signs when the customer has no owner)

    def email(
        self, store: Store, customer: Customer, step: str, cc: list[str]
    ) -> tuple[str | None, list[str]]:
        """(To, Cc) of the customer's e-mail for `step`; `cc` (the salesperson) is kept."""
        to, copies = recipients(
            step, self.routes, team_repo.contacts(store, customer.id), customer.email
        )
        return to, [*copies, *(c for c in cc if c not in copies)]

    def signature(self, store: Store, customer_id: str) -> str | None:
        return signature_for(store, customer_id, self.drafter)
