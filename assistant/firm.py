"""An accounting firm: several client companies in one PostgreSQL database (docs/companies.md).

Each company is one PostgreSQL schema (the connection's `search_path` selects it), so no query
can forget a company filter. The default company is the `public` schema (a database made before
companies existed keeps working as it was); the others are listed in the registry
(`storage/pg/firm_repo.py`). A person sees a company when they are an active user in that
company's own `users` table (a grant), with a role per company. SQLite: one home, one company.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.roles import Role, login_name, refusal, unknown_person

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.service import Service
    from assistant.storage.db import Clock
    from assistant.storage.pg.move import MoveReport
    from assistant.storage.users_repo import User

DEFAULT_CODE = "default"
DEFAULT_SCHEMA = "public"
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class CompanyRef:
    """A company of the database: its code (`--company`), its name, its schema."""

    code: str
    name: str
    schema: str

    @property
    def is_default(self) -> bool:
        return self.schema == DEFAULT_SCHEMA

    def label(self) -> str:
        return self.code if self.name == self.code else f"{self.name} ({self.code})"


@dataclass(frozen=True)
class CompanyAccess:
    """A company the acting person sees (`relance company list`)."""

    company: CompanyRef
    role: str | None  # None: the company has no people yet (single-user: everything allowed)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.company.code,
            "name": self.company.name,
            "schema": self.company.schema,
            "default": self.company.is_default,
            "role": self.role,
        }


def schema_of(code: str) -> str:
    return f"company_{code}"


def acting_name(settings: Settings) -> str | None:
    return (settings.user or "").strip() or login_name()


def sqlite_refusal() -> UserError:
    return UserError(
        tr(
            "une base SQLite est une seule société : pas de --company ni de « company add »"
            " (une société par dossier, --home ; plusieurs sociétés : PostgreSQL)",
            "a SQLite database is one company: no --company nor `company add`"
            " (one company per home, --home; several companies: PostgreSQL)",
        )
    )


def not_granted(name: str | None, company: CompanyRef) -> UserError:
    return UserError(
        tr(
            "« {n} » n'a pas accès à la société {c} (voir relance company list)",
            "'{n}' has no access to the company {c} (see relance company list)",
            n=name or "?",
            c=company.label(),
        )
    )


def _url(settings: Settings) -> str:
    assert settings.database_url is not None
    return settings.database_url.get_secret_value()


def _default_name(settings: Settings, raw: Any = None) -> str:
    """The default company's name before the registry exists: its company.yaml (in the
    database's `public.policy_files` on PostgreSQL, else the home's file)."""
    from assistant.company import Company, load_company, placeholder_fields
    from assistant.policyfile import parse_policy_text

    try:
        if raw is not None:
            from assistant.storage.pg import firm_repo

            text = firm_repo.default_company_yaml(raw)
            if text is None:
                return DEFAULT_CODE
            company = parse_policy_text(text, Company, "company.yaml")
        elif (settings.home / "policies" / "company.yaml").is_file():
            company = load_company(settings.home)
        else:
            return DEFAULT_CODE
    except Exception:  # an invalid policy file is said by the commands that use it
        return DEFAULT_CODE
    if "name" in placeholder_fields(company):  # still the shipped example's name
        return DEFAULT_CODE
    return company.name.strip() or DEFAULT_CODE


def _refs(raw: Any, settings: Settings) -> list[CompanyRef]:
    """Every company of the database, the default first."""
    from assistant.storage.pg import firm_repo

    rows = firm_repo.companies(raw)
    refs = [CompanyRef(r.code, r.name, r.schema_name) for r in rows]
    if not any(r.is_default for r in refs):
        refs.append(CompanyRef(DEFAULT_CODE, _default_name(settings, raw), DEFAULT_SCHEMA))
    return sorted(refs, key=lambda r: (not r.is_default, r.code))


def select(settings: Settings) -> CompanyRef | None:
    """The company chosen with --company / RELANCE_COMPANY, or None (the default one). An
    unknown code is one line; on SQLite any choice is refused (one home = one company)."""
    code = (settings.company or "").strip()
    if not code:
        return None
    if not settings.uses_postgres:
        raise sqlite_refusal()
    from assistant.storage.pg.connect import connect

    with connect(_url(settings), autocommit=True) as raw:
        refs = _refs(raw, settings)
    found = next((r for r in refs if r.code == code.lower()), None)
    if found is None:
        raise UserError(
            tr(
                "société inconnue : {c} (voir relance company list)",
                "unknown company: {c} (see relance company list)",
                c=code,
            )
        )
    return found


def default_ref(settings: Settings) -> CompanyRef:
    if not settings.uses_postgres:
        return CompanyRef(DEFAULT_CODE, _default_name(settings), DEFAULT_SCHEMA)
    from assistant.storage.pg.connect import connect

    with connect(_url(settings), autocommit=True) as raw:
        return _refs(raw, settings)[0]


def _check_code(code: str, name: str) -> tuple[str, str]:
    code, name = code.strip().lower(), " ".join(name.split())
    if not _CODE.fullmatch(code) or code == DEFAULT_CODE:
        raise UserError(
            tr(
                "code de société « {c} » refusé : une lettre puis lettres minuscules, chiffres"
                " ou _ (40 au plus), autre que « default »",
                "company code '{c}' refused: a letter then lowercase letters, digits or _"
                " (40 at most), not 'default'",
                c=code,
            )
        )
    if not name:
        raise UserError(tr("--name est vide", "--name is empty"))
    return code, name


def add_company(service: Service, code: str, name: str) -> CompanyRef:
    """`relance company add`: the company's schema made by the same path as `relance init`,
    registered, its creator its admin; all in one transaction (a failure leaves nothing).
    The registry is created on the first call. `service`: the acting person's company (left
    as it was: the registry row and the new company's events say who created it)."""
    settings = service.settings
    if not settings.uses_postgres:
        raise sqlite_refusal()
    code, name = _check_code(code, name)
    creator = service.person.name if service.person is not None else acting_name(settings)
    if not creator:
        raise unknown_person(None)
    email = service.person.email if service.person is not None else None
    ref = CompanyRef(code, name, schema_of(code))
    _create(service, ref, creator, email)  # its events, in its schema, name the creator
    return ref


def _ensure_registry(raw: Any, settings: Settings, now: str, who: str) -> None:
    """The registry, made on the first company created; the default company registered then,
    with its code and name (inside the caller's transaction, under the registry's lock)."""
    from assistant.storage.pg import firm_repo

    if firm_repo.ensure_registry(raw):
        name = _default_name(settings, raw)
        firm_repo.insert(raw, firm_repo.CompanyRow(DEFAULT_CODE, name, DEFAULT_SCHEMA, now, who))


def _first_admin(store: Any, ref: CompanyRef, name: str, email: str | None) -> None:
    """`name` the new company's admin, with its `user.granted` event."""
    from assistant.storage import users_repo

    users_repo.insert(store, name, Role.ADMIN.value, email, name)
    store.record_event(
        "user.granted",
        actor=name,
        data={"name": name, "role": Role.ADMIN.value, "company": ref.code},
    )


def _create(service: Service, ref: CompanyRef, creator: str, email: str | None) -> None:
    from assistant.storage.pg import firm_repo
    from assistant.storage.pg.connect import connect
    from assistant.storage.pg.schema import create_schema
    from assistant.storage.pg.store import PgConnection, PgStore

    settings = service.settings
    url = _url(settings)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with connect(url, autocommit=True) as raw, raw.transaction():
        firm_repo.lock_registry(raw)
        _ensure_registry(raw, settings, now, creator)
        _refuse_taken(raw, ref)
        firm_repo.create_company_schema(raw, ref.schema)
        create_schema(raw)  # every table at the current version, as `relance init`
        firm_repo.insert(raw, firm_repo.CompanyRow(ref.code, ref.name, ref.schema, now, creator))
        conn = PgConnection(raw, url)
        store = PgStore(conn, service.store.clock, None, url, settings.home, ref.schema)
        store.record_event(
            "company.created", actor=creator, data={"code": ref.code, "name": ref.name}
        )
        _first_admin(store, ref, creator, email)


def migrate_into_company(
    settings: Settings, clock: Clock, url: str, code: str, name: str
) -> tuple[CompanyRef, MoveReport]:
    """`relance migrate --to URL --new-company CODE --name N`: the home's database copied into a
    new company of a firm's database (its own schema), verified as `migrate` verifies, then
    registered. The database must hold the firm's own company (`relance init`); when that one
    has people, the acting person must be its admin. A home without people gets the acting
    person as its admin (as `company add`). One transaction: any refusal writes nothing."""
    from assistant.storage import users_repo
    from assistant.storage.pg import firm_repo
    from assistant.storage.pg.move import move_home
    from assistant.storage.pg.store import PgConnection, PgStore

    code, name = _check_code(code, name)
    ref = CompanyRef(code, name, schema_of(code))
    mover = acting_name(settings)
    if not mover:
        raise unknown_person(None)
    now = datetime.now(UTC).isoformat(timespec="seconds")

    def prepare(raw: Any) -> None:
        firm_repo.lock_registry(raw)
        if not firm_repo.has_relance_schema(raw, DEFAULT_SCHEMA):
            raise UserError(
                tr(
                    "cette base n'a pas encore de société : relance init d'abord (la société du"
                    " cabinet), puis migrate --new-company ; rien n'a été écrit",
                    "this database has no company yet: relance init first (the firm's own"
                    " company), then migrate --new-company; nothing was written",
                )
            )
        people, role = firm_repo.person_in(raw, DEFAULT_SCHEMA, mover)
        if people and role is None:
            raise unknown_person(mover)
        if people and role != Role.ADMIN.value:
            raise UserError(refusal("migrate", mover, str(role)))
        _ensure_registry(raw, settings, now, mover)
        _refuse_taken(raw, ref)
        firm_repo.create_company_schema(raw, ref.schema)

    def finish(raw: Any) -> None:
        firm_repo.insert(raw, firm_repo.CompanyRow(ref.code, ref.name, ref.schema, now, mover))
        store = PgStore(PgConnection(raw, url), clock, None, url, settings.home, ref.schema)
        data = {"code": ref.code, "name": ref.name, "from": "migrate"}
        store.record_event("company.created", actor=mover, data=data)
        if users_repo.count(store) == 0:
            _first_admin(store, ref, mover, None)

    report = move_home(settings.db_path, url, prepare=prepare, finish=finish)
    return ref, report


def _refuse_taken(raw: Any, ref: CompanyRef) -> None:
    from assistant.storage.pg import firm_repo

    if any(r.code == ref.code for r in firm_repo.companies(raw)):
        raise UserError(
            tr("la société {c} existe déjà", "the company {c} already exists", c=ref.code)
        )
    if firm_repo.schema_exists(raw, ref.schema):
        raise UserError(
            tr(
                "le schéma {s} existe déjà dans la base : choisissez un autre code",
                "the schema {s} already exists in the database: choose another code",
                s=ref.schema,
            )
        )


def accesses(settings: Settings) -> list[CompanyAccess]:
    """The companies the acting person sees (PostgreSQL), with their role in each; a person
    granted nowhere is refused as unknown."""
    from assistant.storage.pg import firm_repo
    from assistant.storage.pg.connect import connect

    name = acting_name(settings)
    found: list[CompanyAccess] = []
    with connect(_url(settings), autocommit=True) as raw:
        for ref in _refs(raw, settings):
            if not firm_repo.schema_exists(raw, ref.schema):
                continue
            people, role = firm_repo.person_in(raw, ref.schema, name or "")
            if people == 0 or role is not None:
                found.append(CompanyAccess(ref, role))
    if not found:
        raise unknown_person(name)
    return found


def open_as_admin(
    settings: Settings, clock: Clock, operation: str, opener: Callable[..., Service]
) -> Service:
    """The selected company's service for managing its people (`user grant|revoke`): the
    acting person must be its admin, or the admin of the default company (the firm's admin).
    Otherwise one line naming the role, nothing opened."""
    from assistant import people

    target = opener(settings, clock=clock, person=False)
    try:
        here = _person(lambda: people.acting_user(target.store, settings.user))
        if here is None or (here is not False and here.role == Role.ADMIN):
            return _acting(target, here)
        firm: User | bool | None = False
        if target.company is not None and not target.company.is_default:
            home = opener(settings.model_copy(update={"company": None}), clock=clock, person=False)
            try:
                firm = _person(lambda: people.acting_user(home.store, settings.user))
            finally:
                home.close()
            if firm is None or (firm is not False and firm.role == Role.ADMIN):
                return _acting(target, firm or None)
        for who in (here, firm):
            if who is not False and who is not None:
                raise UserError(refusal(operation, who.name, who.role))
        raise unknown_person(acting_name(settings))
    except BaseException:
        target.close()
        raise


def _person(find: Callable[[], User | None]) -> User | bool | None:
    """The acting person found by `find`, None (no people: single-user), False (unknown)."""
    try:
        return find()
    except UserError:
        return False


def _acting(service: Service, person: User | bool | None) -> Service:
    if person is not None and person is not False:
        service.person = person  # type: ignore[assignment]
        service.actor = person.name  # type: ignore[union-attr]
    return service


def grant(service: Service, name: str, role: str | None) -> User:
    """Add or enable `name` in the service's company (with `role`; a new person needs one),
    or change their role there. Nothing to change is one line (exit 1)."""
    from assistant.people import add_user, parse_role
    from assistant.storage import grants_repo, users_repo

    chosen = parse_role(role) if role else None
    store = service.store
    company = service.company.code if service.company is not None else DEFAULT_CODE
    with store.transaction():
        user = users_repo.get(store, name.strip())
        if user is None:
            if chosen is None:
                raise UserError(
                    tr(
                        "{n} n'est pas encore dans la société {c} : précisez --role",
                        "{n} is not in the company {c} yet: give --role",
                        n=name,
                        c=company,
                    )
                )
            added = add_user(store, name, chosen.value, None, service.actor)
        else:
            wanted = chosen.value if chosen is not None else user.role
            if user.enabled and user.role == wanted:
                raise UserError(
                    tr(
                        "{n} a déjà accès à la société {c} ({r}) : rien à faire",
                        "{n} already has access to the company {c} ({r}): nothing to do",
                        n=user.name,
                        c=company,
                        r=wanted,
                    )
                )
            if user.enabled and user.role == Role.ADMIN and users_repo.enabled_admins(store) == 1:
                raise UserError(
                    tr(
                        "{n} est le dernier administrateur actif : ajoutez-en un autre d'abord",
                        "{n} is the last active admin: add another one first",
                        n=user.name,
                    )
                )
            grants_repo.enable(store, user.name, wanted)
            added = users_repo.get(store, user.name)  # type: ignore[assignment]
        store.record_event(
            "user.granted",
            actor=service.actor,
            data={"name": added.name, "role": added.role, "company": company},
        )
    return added


def revoke(service: Service, name: str) -> User:
    """Disable `name` in the service's company (their history stays; the last admin stays)."""
    from assistant.people import disable_user

    company = service.company.code if service.company is not None else DEFAULT_CODE
    with service.store.transaction():
        user = disable_user(service.store, name.strip(), service.actor)
        service.store.record_event(
            "user.revoked", actor=service.actor, data={"name": user.name, "company": company}
        )
    return user
