"""People and roles: bootstrap, the acting person, disabling, who acted on a draft."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant import people
from assistant.config import Settings
from assistant.errors import UserError
from assistant.roles import OPERATIONS, Role, allowed, refusal
from assistant.service import Service
from assistant.storage import users_repo
from assistant.storage.db import Store
from tests.conftest import FIXED_NOW


def test_no_people_no_acting_person(store: Store) -> None:
    assert people.acting_user(store, "anyone") is None
    assert people.acting_user(store, None) is None


def test_the_first_person_must_be_an_admin_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(UserError, match="première personne doit être administrateur"):
        people.add_user(store, "bob", "collector", None, "user")
    assert users_repo.count(store) == 0 and not store.events(kinds=("user.added",))
    alice = people.add_user(store, "alice", "admin", "alice@example.com", "user")
    assert alice.role == Role.ADMIN and alice.enabled and alice.created_by == "user"
    assert [e["data"] for e in store.events(kinds=("user.added",))] == [
        {"name": "alice", "role": "admin"}
    ]


@pytest.mark.parametrize(
    ("name", "role", "email", "problem"),
    [
        ("bob smith", "collector", None, "nom « bob smith » refusé"),
        ("", "collector", None, "refusé"),
        ("bob", "boss", None, "--role attend accountant, collector, manager, admin"),
        ("bob", "collector", "not-an-email", "--email invalide"),
        ("alice", "collector", None, "« alice » existe déjà"),
    ],
)
def test_bad_people_are_refused(
    store: Store, name: str, role: str, email: str | None, problem: str
) -> None:
    people.add_user(store, "alice", "admin", None, "user")
    before = users_repo.all_users(store)
    with pytest.raises(UserError, match=problem):
        people.add_user(store, name, role, email, "alice")
    assert users_repo.all_users(store) == before


def test_the_acting_person_must_be_known_and_enabled(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    people.add_user(store, "alice", "admin", None, "user")
    people.add_user(store, "bob", "collector", None, "alice")
    assert people.acting_user(store, "bob").name == "bob"  # type: ignore[union-attr]
    with pytest.raises(UserError, match="« zed » n'est pas une personne active"):
        people.acting_user(store, "zed")
    monkeypatch.setattr("assistant.roles.getpass.getuser", lambda: "alice")
    assert people.acting_user(store, None).name == "alice"  # type: ignore[union-attr]
    people.disable_user(store, "bob", "alice")
    with pytest.raises(UserError, match="« bob » n'est pas une personne active"):
        people.acting_user(store, "bob")


def test_the_last_admin_cannot_be_disabled(store: Store) -> None:
    people.add_user(store, "alice", "admin", None, "user")
    with pytest.raises(UserError, match="dernier administrateur actif"):
        people.disable_user(store, "alice", "alice")
    people.add_user(store, "root2", "admin", None, "alice")
    assert not people.disable_user(store, "alice", "root2").enabled
    with pytest.raises(UserError, match="déjà désactivé"):
        people.disable_user(store, "alice", "root2")
    with pytest.raises(UserError, match="personne inconnue"):
        people.disable_user(store, "nobody", "root2")


def test_role_table_answers_and_refusal_names_the_role() -> None:
    assert allowed("approve", "accountant") and not allowed("approve", "collector")
    assert allowed("log-call", "collector") and not allowed("log-call", "manager")
    assert allowed("policies", "manager") and not allowed("policies", "accountant")
    assert all(allowed(name, "admin") for name in OPERATIONS)
    line = refusal("approve", "bob", "collector")
    assert line == (
        "« approve » demande le rôle comptable ou administrateur ; bob est chargé de recouvrement"
    )


def test_service_opens_as_the_person_and_events_name_them(tmp_path: Path) -> None:
    settings = Settings(RELANCE_HOME=tmp_path / "home")
    service = Service.open(settings, clock=lambda: FIXED_NOW, create=True)
    assert service.person is None and service.actor == "user" and service.may("forget")
    service.add_user("alice", "admin")
    service.close()
    with pytest.raises(UserError, match="n'est pas une personne active"):
        Service.open(settings.model_copy(update={"user": "zed"}), clock=lambda: FIXED_NOW)
    service = Service.open(settings.model_copy(update={"user": "alice"}), clock=lambda: FIXED_NOW)
    try:
        assert service.actor == "alice" and service.may("approve")
        service.add_user("bob", "collector")
        added = service.store.events(kinds=("user.added",))
        assert [e["actor"] for e in added] == ["user", "alice"]
        assert service.store.today() == date(2026, 11, 24)
    finally:
        service.close()
    service = Service.open(settings.model_copy(update={"user": "bob"}), clock=lambda: FIXED_NOW)
    try:
        assert not service.may("approve")
        with pytest.raises(UserError, match="« user add » demande le rôle administrateur"):
            service.require("user add")
    finally:
        service.close()
