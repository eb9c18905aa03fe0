"""The contacts of a customer, each with a role (accounting, purchasing, management), and who
receives which step: the scenario policy's `recipients` (policies/scenario.yaml) names the
contact roles for each step (`to`, `cc`). A customer without contacts, a step without a route,
or a route whose roles the customer has no contact for: the customer's own e-mail, as before."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Protocol

from assistant.emails import AddressError, check_address
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.safetext import one_line
from assistant.storage import repo, team_repo
from assistant.storage.db import Store
from assistant.storage.team_repo import ContactRow


class ContactRole(StrEnum):
    ACCOUNTING = "accounting"
    PURCHASING = "purchasing"
    MANAGEMENT = "management"


ROLE_WORDS: dict[ContactRole, tuple[str, str]] = {
    ContactRole.ACCOUNTING: ("comptabilité", "accounting"),
    ContactRole.PURCHASING: ("achats", "purchasing"),
    ContactRole.MANAGEMENT: ("direction", "management"),
}
# Words a person or a file may use for a role (accents and case ignored).
_ALIASES: dict[str, ContactRole] = {
    "compta": ContactRole.ACCOUNTING,
    "comptabilite": ContactRole.ACCOUNTING,
    "achat": ContactRole.PURCHASING,
    "achats": ContactRole.PURCHASING,
    "acheteur": ContactRole.PURCHASING,
    "direction": ContactRole.MANAGEMENT,
    "dirigeant": ContactRole.MANAGEMENT,
    "gerant": ContactRole.MANAGEMENT,
}


def contact_role_label(role: str) -> str:
    fr, en = ROLE_WORDS.get(ContactRole(role), (role, role))
    return tr(fr, en)


def parse_contact_role(text: str) -> ContactRole:
    plain = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    try:
        return _ALIASES.get(plain) or ContactRole(plain)
    except ValueError:
        raise UserError(
            tr(
                "rôle de contact attendu : {r} (reçu : {t})",
                "contact role expected: {r} (got: {t})",
                r=", ".join(ContactRole),
                t=text,
            )
        ) from None


def _address(text: str) -> str:
    try:
        return check_address(text).lower()  # one contact per address, whatever its case
    except AddressError as exc:
        raise UserError(str(exc)) from None


def set_contact(
    store: Store,
    customer_id: str,
    role: str,
    email: str,
    *,
    name: str | None = None,
    phone: str | None = None,
    actor: str,
) -> ContactRow:
    """Add a contact (or update the name and phone of the same role and address)."""
    kind = parse_contact_role(role)
    address = _address(email)
    name = one_line(name or "") or None
    phone = one_line(phone or "") or None
    with store.transaction():
        if repo.get_customer(store, customer_id) is None:
            raise UserError(tr("client inconnu : {c}", "unknown customer: {c}", c=customer_id))
        found = team_repo.find_contact(store, customer_id, kind, address)
        if found is None:
            team_repo.add_contact(store, customer_id, kind, address, name, phone)
            event = "contact.added"
        elif team_repo.update_contact(store, found.id, name, phone):
            event = "contact.updated"
        else:
            return found
        store.record_event(
            event, actor=actor, customer_id=customer_id, data={"role": kind.value, "email": address}
        )
        saved = team_repo.find_contact(store, customer_id, kind, address)
    assert saved is not None
    return saved


def remove_contact(
    store: Store, customer_id: str, role: str, email: str | None, *, actor: str
) -> int:
    """Remove a customer's contact of a role (one address, or every one of the role)."""
    kind = parse_contact_role(role)
    address = _address(email) if email else None
    with store.transaction():
        removed = team_repo.remove_contacts(store, customer_id, kind, address)
        if not removed:
            raise UserError(
                tr(
                    "{c} : aucun contact {r}{a}",
                    "{c}: no {r} contact{a}",
                    c=customer_id,
                    r=contact_role_label(kind),
                    a=f" {address}" if address else "",
                )
            )
        store.record_event(
            "contact.removed",
            actor=actor,
            customer_id=customer_id,
            data={"role": kind.value, "email": address, "count": removed},
        )
    return removed


class Route(Protocol):
    """A step's route in the scenario policy (`rules.policy.Route`)."""

    @property
    def to(self) -> Sequence[str]: ...

    @property
    def cc(self) -> Sequence[str]: ...


def recipients(
    step: str,
    routes: Mapping[str, Route],
    contacts: Sequence[ContactRow],
    default_email: str | None,
) -> tuple[str | None, list[str]]:
    """(To, Cc) of an e-mail for `step`: the contacts of the roles the policy routes it to,
    else the customer's own e-mail (and no Cc). To is one string (`a@x.fr, b@y.fr`)."""
    route = routes.get(step)
    if route is None or not contacts:
        return default_email, []
    to = _emails(contacts, route.to)
    if not to:
        return default_email, []
    cc = [e for e in _emails(contacts, route.cc) if e not in to]
    return ", ".join(to), cc


def _emails(contacts: Sequence[ContactRow], roles: Sequence[str]) -> list[str]:
    found: list[str] = []
    for role in roles:
        for c in contacts:
            if c.role == role and c.email not in found:
                found.append(c.email)
    return found
