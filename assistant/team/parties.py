"""Who a customer's message goes to and who signs it (docs/team.md), for the drafting code:
the scenario policy's `recipients` routes and the person making the drafts.

One `Parties` serves one drafting run: owners, signatures and contacts are read once (three
queries), not per customer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.models import Customer
from assistant.storage import team_repo
from assistant.storage.db import Store
from assistant.storage.team_repo import ContactRow
from assistant.team.contacts import Route, recipients
from assistant.team.signatures import pick_signer


@dataclass(frozen=True)
class Parties:
    routes: Mapping[str, Route] = field(default_factory=dict)
    drafter: str | None = None  # the acting person (signs when the customer has no owner)
    _read: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _load(self, store: Store) -> dict[str, Any]:
        if not self._read:
            self._read["owners"] = team_repo.owners(store)
            self._read["signatures"] = team_repo.enabled_signatures(store)
            self._read["contacts"] = team_repo.all_contacts(store)
        return self._read

    def email(
        self, store: Store, customer: Customer, step: str, cc: list[str]
    ) -> tuple[str | None, list[str]]:
        """(To, Cc) of the customer's e-mail for `step`; `cc` (the salesperson) is kept."""
        found: list[ContactRow] = self._load(store)["contacts"].get(customer.id, [])
        to, copies = recipients(step, self.routes, found, customer.email)
        return to, [*copies, *(c for c in cc if c not in copies)]

    def signature(self, store: Store, customer_id: str) -> str | None:
        """The owner's signature, else the drafter's, else None (the company's applies):
        only enabled people with a signature sign (team/signatures.py)."""
        read = self._load(store)
        signer = pick_signer(read["owners"].get(customer_id), self.drafter, read["signatures"])
        return read["signatures"][signer] if signer else None
