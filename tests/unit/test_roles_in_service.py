"""The role table holds inside the `Service` façade too (docs/roles.md): every method that
changes data is `guarded` by an operation of the table and refuses, before doing anything, a
person whose role may not run it, with the CLI gate's one line. The CLI and the interface check
first; these tests call the façade directly, as a future caller that forgot to would."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from assistant.errors import UserError
from assistant.people import add_user
from assistant.roles import OPERATIONS, Role, refusal
from assistant.service import Service
from tests.support.stores import store_dump

# Operations that change data but are checked elsewhere than a `guarded` Service method, and why.
CHECKED_ELSEWHERE = {
    "init": "makes the home before any person exists (the CLI gate)",
    "user add": "the first person is allowed to anyone (people.add_user's bootstrap rule)",
    "user disable": "the CLI gate; people.disable_user keeps the last admin",
    "company add": "the firm's admin, checked on the firm's database (firm.add_company)",
    "user grant": "the company's or the firm's admin (firm.open_as_admin)",
    "user revoke": "the company's or the firm's admin (firm.open_as_admin)",
    "migrate": "reads the home only; the target's admin is checked there (firm, move)",
    "import invoices": "Service.import_file checks `import <kind>` itself",
    "import customers": "Service.import_file checks `import <kind>` itself",
    "import payments": "Service.import_file checks `import <kind>` itself",
    "policy list": "reads only (the manager's listing)",
    "policy export": "writes files outside the database, reads the policies only",
}


def guarded_methods() -> dict[str, str]:
    """Service method name -> its operation, for every `guarded` method (mixins included)."""
    found = {}
    for name, member in inspect.getmembers(Service, inspect.isfunction):
        operation = getattr(member, "operation", None)
        if operation is not None:
            found[name] = operation
    return found


GUARDED = guarded_methods()


def test_every_data_changing_operation_is_guarded_in_the_facade_or_says_where() -> None:
    assert set(GUARDED.values()) <= set(OPERATIONS)
    changing = {n for n, op in OPERATIONS.items() if not op.read_only}
    unguarded = changing - set(GUARDED.values()) - set(CHECKED_ELSEWHERE)
    assert unguarded == set(), f"guard these Service methods or say why not: {sorted(unguarded)}"
    assert set(CHECKED_ELSEWHERE) <= changing  # no stale entry
    assert len(GUARDED) >= 30


def _refused_role(operation: str) -> Role:
    return next(r for r in Role if r not in OPERATIONS[operation].roles)


@pytest.fixture
def team(service: Service) -> Service:
    """The home has people: an admin, then one person of each other role."""
    add_user(service.store, "root", Role.ADMIN.value, None, "test")
    for role in (Role.ACCOUNTANT, Role.COLLECTOR, Role.MANAGER):
        add_user(service.store, role.value, role.value, None, "root")
    return service


@pytest.mark.parametrize(("method", "operation"), sorted(GUARDED.items()))
def test_a_refused_role_is_stopped_by_the_facade_before_anything_is_done(
    team: Service, method: str, operation: str
) -> None:
    from assistant.storage import users_repo

    role = _refused_role(operation)
    team.person = users_repo.get(team.store, role.value)
    team.actor = role.value
    before = store_dump(team.store)
    parameters = list(inspect.signature(getattr(Service, method)).parameters.values())[1:]
    required = [p for p in parameters if p.default is p.empty]
    args: list[Any] = [None for p in required if p.kind is p.POSITIONAL_OR_KEYWORD]
    kwargs = {p.name: None for p in required if p.kind is p.KEYWORD_ONLY}
    with pytest.raises(UserError) as refused:
        getattr(team, method)(*args, **kwargs)
    assert str(refused.value) == refusal(operation, role.value, role.value)
    assert store_dump(team.store) == before


def test_an_allowed_role_goes_through_and_the_event_names_the_person(team: Service) -> None:
    from datetime import date

    from assistant.storage import users_repo
    from tests.unit.rules_builders import add_customer, add_invoice

    add_customer(team.store, "C1")
    add_invoice(team.store, "F1", date(2026, 10, 1))
    team.person = users_repo.get(team.store, "collector")
    team.actor = "collector"
    team.open_dispute("F1", "livraison incomplète")
    (event,) = [e for e in team.store.events() if e["kind"] == "dispute.opened"]
    assert event["actor"] == "collector"
    team.person = users_repo.get(team.store, "accountant")
    with pytest.raises(UserError, match="« resolve » demande le rôle"):
        team.resolve_dispute("F1")


def test_import_file_checks_the_role_of_its_kind(team: Service, tmp_path: Any) -> None:
    from assistant.storage import users_repo

    team.person = users_repo.get(team.store, "collector")
    before = store_dump(team.store)
    with pytest.raises(UserError) as refused:
        team.import_file("invoices", tmp_path / "absent.csv")
    assert str(refused.value) == refusal("import invoices", "collector", "collector")
    assert store_dump(team.store) == before


def test_without_people_everything_is_allowed_as_before(service: Service) -> None:
    from datetime import date

    from tests.unit.rules_builders import add_customer, add_invoice

    add_customer(service.store, "C1")
    add_invoice(service.store, "F1", date(2026, 10, 1))
    assert service.person is None
    service.open_dispute("F1", "livraison incomplète")
    service.resolve_dispute("F1")
