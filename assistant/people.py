"""The people of a team: who is acting, adding and disabling people (rules; SQL in
`storage/users_repo.py`, the role table in `roles.py`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.roles import Role, allowed, login_name, refusal, role_label, unknown_person
from assistant.storage import users_repo
from assistant.storage.db import Store
from assistant.storage.users_repo import User

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def acting_user(store: Store, wanted: str | None) -> User | None:
    """The person acting (RELANCE_USER, else the OS login), or None while the database has
    no user (single-user mode). Once people exist, an unknown or disabled name is refused."""
    if users_repo.count(store) == 0:
        return None
    return _known(wanted, lambda name: users_repo.get(store, name))


def require_on_file(db_path: Path, wanted: str | None, operation: str) -> None:
    """The role gate for a command that must not open the store for writing (`migrate`)."""
    users = {u.name: u for u in users_repo.users_in_file(db_path)}
    if users:
        require(_known(wanted, users.get), operation)


def require(person: User, operation: str) -> None:
    """A UserError naming the role `operation` needs, when `person` may not run it."""
    if not allowed(operation, person.role):
        raise UserError(refusal(operation, person.name, person.role))


def _known(wanted: str | None, find: Callable[[str], User | None]) -> User:
    """The enabled person named `wanted` (else the OS login), or the one-line refusal."""
    name = (wanted or "").strip() or login_name()
    user = find(name) if name else None
    if user is None or not user.enabled:
        raise unknown_person(name)
    return user


def all_users(store: Store) -> list[User]:
    return users_repo.all_users(store)


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise UserError(
            tr(
                "--role attend {r} (reçu : {t})",
                "--role expects {r} (got: {t})",
                r=", ".join(Role),
                t=text,
            )
        ) from None


def add_user(store: Store, name: str, role: str, email: str | None, actor: str) -> User:
    """Add a person. The very first must be an admin (else nobody could add the others)."""
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise UserError(
            tr(
                "nom « {n} » refusé : lettres, chiffres, . _ @ - (64 au plus), sans espace",
                "name '{n}' refused: letters, digits, . _ @ - (64 at most), no space",
                n=name,
            )
        )
    chosen = parse_role(role)
    email = (email or "").strip() or None
    if email is not None and not _EMAIL.fullmatch(email):
        raise UserError(tr("--email invalide : {e}", "invalid --email: {e}", e=email))
    with store.transaction():
        if users_repo.count(store) == 0 and chosen is not Role.ADMIN:
            raise UserError(
                tr(
                    "la première personne doit être administrateur (--role admin) :"
                    " c'est elle qui ajoute les autres",
                    "the first person must be an admin (--role admin): they add the others",
                )
            )
        if users_repo.get(store, name) is not None:
            raise UserError(tr("« {n} » existe déjà", "'{n}' already exists", n=name))
        users_repo.insert(store, name, chosen.value, email, actor)
        store.record_event("user.added", actor=actor, data={"name": name, "role": chosen.value})
    user = users_repo.get(store, name)
    assert user is not None
    return user


def disable_user(store: Store, name: str, actor: str) -> User:
    """Disable a person; the last enabled admin cannot be disabled."""
    with store.transaction():
        user = users_repo.get(store, name)
        if user is None:
            raise UserError(tr("personne inconnue : {n}", "unknown person: {n}", n=name))
        if not user.enabled:
            raise UserError(tr("{n} est déjà désactivé", "{n} is already disabled", n=name))
        if user.role == Role.ADMIN and users_repo.enabled_admins(store) == 1:
            raise UserError(
                tr(
                    "{n} est le dernier administrateur actif : ajoutez-en un autre d'abord",
                    "{n} is the last active admin: add another one first",
                    n=name,
                )
            )
        users_repo.disable(store, name)
        store.record_event("user.disabled", actor=actor, data={"name": name})
    found = users_repo.get(store, name)
    assert found is not None
    return found


def describe(user: User) -> str:
    state = "" if user.enabled else tr(" (désactivé)", " (disabled)")
    return f"{user.name} — {role_label(user.role)}{state}"


# the events that say who acted on a draft, and the word shown for each
DRAFT_ACTS: dict[str, str] = {
    "draft.edited": "edit",
    "draft.approved": "approve",
    "draft.rejected": "reject",
    "message.sent": "send",
}


def draft_people(store: Store, draft_id: int) -> dict[str, str]:
    """{"edit"|"approve"|"reject"|"send": name} (operations of the role table): the people
    who acted on a draft, the latest of each; events of no person ("user") are left out."""
    known = users_repo.names(store)
    if not known:
        return {}
    found: dict[str, str] = {}
    for kind, actor in users_repo.draft_actors(store, draft_id, tuple(DRAFT_ACTS)):
        if actor in known:
            found[DRAFT_ACTS[kind]] = actor
    return {k: found[k] for k in DRAFT_ACTS.values() if k in found}
