"""The team part of the `Service` façade (a mixin, as `bank/facade.py`): customer owners and
"my calls", signatures, customer contacts, and who receives and signs a message."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.roles import guarded

if TYPE_CHECKING:
    from assistant.rules import Action
    from assistant.storage.db import Store
    from assistant.storage.team_repo import ContactRow
    from assistant.storage.users_repo import User
    from assistant.team.digest import DigestReport
    from assistant.team.parties import Parties


class TeamFeatures:
    store: Store
    actor: str
    home: Path
    person: User | None

    # -- who receives and signs (drafting) -------------------------------------------------
    def parties(self) -> Parties:
        """The scenario policy's contact routes and the acting person (the drafter)."""
        from assistant.rules import load_scenario
        from assistant.team.parties import Parties

        scenario = self.reading(load_scenario)  # type: ignore[attr-defined]
        return Parties(scenario.recipients, self.person.name if self.person else None)

    # -- owners --------------------------------------------------------------------------
    @guarded("customer owner")
    def set_customer_owner(self, customer_id: str, name: str) -> str | None:
        from assistant.team.owners import set_owner

        return set_owner(self.store, customer_id, name, self.actor)

    def customer_owner(self, customer_id: str) -> str | None:
        from assistant.storage import team_repo

        return team_repo.owner_of(self.store, customer_id)

    def customer_owners(self) -> dict[str, str]:
        from assistant.storage import team_repo

        return team_repo.owners(self.store)

    def my_calls(self, as_of: date, *, mine_only: bool = False) -> list[Action]:
        """Today's calls and tasks, those of the customers the acting person owns first
        (`mine_only`: only those). Single-user mode: every task, in plan order."""
        from assistant.team.owners import mine_first

        tasks = self.call_tasks(as_of)  # type: ignore[attr-defined]
        me = self.person.name if self.person else None
        if me is None:
            return tasks
        owners = self.customer_owners()
        if mine_only:
            return [t for t in tasks if owners.get(t.customer_id) == me]
        return mine_first(tasks, lambda t: t.customer_id, owners, me)

    # -- signatures ------------------------------------------------------------------------
    def set_signature(self, name: str, text: str | None) -> str | None:
        """A person sets their own signature; the admin anyone's (docs/team.md)."""
        from assistant.errors import UserError
        from assistant.i18n import tr
        from assistant.roles import Role
        from assistant.team.signatures import set_signature

        me = self.person
        if me is not None and me.role != Role.ADMIN and me.name != name.strip():
            raise UserError(
                tr(
                    "{m} ne peut changer que sa propre signature (l'administrateur : toutes)",
                    "{m} may change only their own signature (the admin: anyone's)",
                    m=me.name,
                )
            )

        return set_signature(self.store, name.strip(), text, self.actor)

    # -- contacts --------------------------------------------------------------------------
    def contacts(self, customer_id: str) -> list[ContactRow]:
        from assistant.storage import team_repo

        return team_repo.contacts(self.store, customer_id)

    @guarded("customer contact")
    def set_contact(
        self,
        customer_id: str,
        role: str,
        email: str,
        name: str | None = None,
        phone: str | None = None,
    ) -> ContactRow:
        from assistant.team.contacts import set_contact

        return set_contact(
            self.store, customer_id, role, email, name=name, phone=phone, actor=self.actor
        )

    @guarded("customer contact")
    def remove_contact(self, customer_id: str, role: str, email: str | None = None) -> int:
        from assistant.team.contacts import remove_contact

        return remove_contact(self.store, customer_id, role, email, actor=self.actor)

    # -- the weekly salespeople digest -----------------------------------------------------
    @guarded("digest")
    def salesperson_digests(self, as_of: date, accept_stale: str | None = None) -> DigestReport:
        """A pending internal draft per salesperson listing their customers' payment status
        (approved and sent like any message; docs/team.md). Refused on stale payment data, as
        `draft` is, unless `accept_stale` says why: a digest states what is overdue."""
        from assistant.company import load_company
        from assistant.drafting.templates import TemplateStore
        from assistant.i18n import language
        from assistant.policyfile import policy_version
        from assistant.rules import load_scenario
        from assistant.team.digest import build_digests, draft_digests

        self.check_fresh("digest", as_of, accept_stale)  # type: ignore[attr-defined]
        scenario = load_scenario(self.home)
        actions = self.plan(as_of).actions  # type: ignore[attr-defined]
        digests = build_digests(self.store, actions, as_of, scenario.promise_grace_days)
        return draft_digests(
            self.store,
            digests,
            load_company(self.home),
            TemplateStore(self.home),
            as_of=as_of,
            lang=language(),
            policy_version=policy_version(self.home),
            actor=self.actor,
        )
