"""People write as themselves (docs/team.md): customer owners and "my calls", a signature per
person (data, never a template; locked for the LLM), contacts and the policy's routing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ValidationError

from assistant import people
from assistant.errors import ImportRejected, UserError
from assistant.llm.backend import LangChainBackend
from assistant.rules.policy import Route, load_scenario
from assistant.service import Service
from assistant.storage import team_repo
from assistant.storage.db import Store
from assistant.storage.team_repo import ContactRow
from assistant.team.contacts import (
    ContactRole,
    parse_contact_role,
    recipients,
    remove_contact,
    set_contact,
)
from assistant.team.owners import mine_first, set_owner
from assistant.team.signatures import MAX_LINES, clean_signature, set_signature, signer_for
from tests.support.llm_stub import good_rewrite
from tests.unit.rules_builders import add_customer, add_invoice, mark

AS_OF = date(2026, 11, 24)
SIGNATURE = "Bob Martin\nRecouvrement {{ 7*7 }} {% if x %}\n06 11 22 33 44"


def team(store: Store) -> None:
    people.add_user(store, "boss", "admin", None, "test")
    people.add_user(store, "bob", "collector", "bob@acme.example", "boss")
    people.add_user(store, "carol", "accountant", None, "boss")


def act_as(service: Service, name: str) -> None:
    service.person = next(u for u in service.users() if u.name == name)
    service.actor = name


# -- owners ---------------------------------------------------------------------------------
def test_an_owner_is_a_known_enabled_person_and_each_change_is_an_event(store: Store) -> None:
    team(store)
    add_customer(store, "C1")
    with pytest.raises(UserError, match="« zed » n'est pas une personne active"):
        set_owner(store, "C1", "zed", "boss")
    with pytest.raises(UserError, match="client inconnu : C9"):
        set_owner(store, "C9", "bob", "boss")
    assert team_repo.owner_of(store, "C1") is None
    assert set_owner(store, "C1", "bob", "boss") == "bob"
    assert set_owner(store, "C1", "bob", "boss") == "bob"  # the same: no second event
    assert team_repo.owners(store) == {"C1": "bob"}
    people.disable_user(store, "carol", "boss")
    with pytest.raises(UserError, match="« carol »"):
        set_owner(store, "C1", "carol", "boss")
    assert set_owner(store, "C1", "-", "boss") is None
    events = [e["data"] for e in store.events(kinds=("customer.owner",))]
    assert events == [{"owner": "bob", "before": None}, {"owner": None, "before": "bob"}]
    assert all(e["actor"] == "boss" for e in store.events(kinds=("customer.owner",)))


def test_mine_first_keeps_each_group_in_order() -> None:
    items = [("C1", 1), ("C2", 2), ("C3", 3), ("C2", 4), ("C4", 5)]
    owners = {"C2": "bob", "C4": "bob", "C3": "ann"}
    ordered = mine_first(items, lambda x: x[0], owners, "bob")
    assert ordered == [("C2", 2), ("C2", 4), ("C4", 5), ("C1", 1), ("C3", 3)]
    assert mine_first(items, lambda x: x[0], owners, None) == items


def test_my_calls_put_the_acting_persons_customers_first(service: Service) -> None:
    for cid in ("C1", "C2", "C3"):
        add_customer(service.store, cid)
        add_invoice(service.store, f"F-{cid}", AS_OF - timedelta(days=21), cid=cid)  # call step
        for step, days in (("pre_due", 24), ("reminder_1", 18), ("reminder_2", 11)):
            mark(service.store, [f"F-{cid}"], step, AS_OF - timedelta(days=days))
    tasks = service.call_tasks(AS_OF)
    assert [t.customer_id for t in tasks] == ["C1", "C2", "C3"]
    assert service.my_calls(AS_OF) == tasks  # alone: every task, in plan order
    team(service.store)
    service.set_customer_owner("C3", "bob")
    service.set_customer_owner("C1", "carol")
    act_as(service, "bob")
    assert [t.customer_id for t in service.my_calls(AS_OF)] == ["C3", "C1", "C2"]
    assert [t.customer_id for t in service.my_calls(AS_OF, mine_only=True)] == ["C3"]
    act_as(service, "boss")
    assert service.my_calls(AS_OF, mine_only=True) == []


# -- signatures -----------------------------------------------------------------------------
def test_a_signature_is_cleaned_and_bad_ones_are_refused() -> None:
    assert clean_signature("  Bob\\nRecouvrement  \n") == "Bob\nRecouvrement"
    with pytest.raises(UserError, match="signature vide"):
        clean_signature("  \n ")
    with pytest.raises(UserError, match="caractère de contrôle refusé"):
        clean_signature("Bob\x1b[31m")
    with pytest.raises(UserError, match="trop longue"):
        clean_signature("\n".join(["x"] * (MAX_LINES + 1)))


def test_setting_a_signature_records_an_event(store: Store) -> None:
    team(store)
    with pytest.raises(UserError, match="personne inconnue : zed"):
        set_signature(store, "zed", "Zed", "boss")
    assert set_signature(store, "bob", SIGNATURE, "bob") == SIGNATURE
    assert {u.name: u.signature for u in people.all_users(store)}["bob"] == SIGNATURE
    assert set_signature(store, "bob", None, "boss") is None
    events = [e["data"] for e in store.events(kinds=("user.signature",))]
    assert events == [{"name": "bob", "set": True}, {"name": "bob", "set": False}]


def test_a_person_sets_only_their_own_signature_the_admin_anyones(service: Service) -> None:
    team(service.store)
    act_as(service, "carol")
    with pytest.raises(UserError, match="carol ne peut changer que sa propre signature"):
        service.set_signature("bob", "Carol")
    assert service.set_signature("carol", "Carol") == "Carol"
    act_as(service, "boss")
    assert service.set_signature("bob", "Bob") == "Bob"


def test_the_owner_signs_then_the_drafter_then_the_company(store: Store) -> None:
    team(store)
    add_customer(store, "C1")
    assert signer_for(store, "C1", "carol") is None  # no signature anywhere
    set_signature(store, "carol", "Carol", "carol")
    assert signer_for(store, "C1", "carol") == "carol"
    set_owner(store, "C1", "bob", "boss")
    assert signer_for(store, "C1", "carol") == "carol"  # the owner has no signature yet
    set_signature(store, "bob", "Bob", "bob")
    assert signer_for(store, "C1", "carol") == "bob"
    people.disable_user(store, "bob", "boss")  # a disabled person signs nothing
    assert signer_for(store, "C1", "carol") == "carol"


def setup_reminder(service: Service) -> None:
    add_customer(service.store, "C1")
    add_invoice(service.store, "F1", AS_OF - timedelta(days=5))  # reminder_1 due


def test_the_owners_signature_ends_the_email_and_stays_literal(service: Service) -> None:
    setup_reminder(service)
    team(service.store)
    service.set_customer_owner("C1", "bob")
    set_signature(service.store, "bob", SIGNATURE, "bob")
    act_as(service, "carol")
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert draft.body.rstrip().endswith(SIGNATURE)  # {{ 7*7 }} not evaluated: data
    assert "49" not in draft.body
    assert draft.template_body.rstrip().endswith(SIGNATURE)
    assert "Claire Martin\nComptabilité clients" not in draft.body  # not the company's
    service.approve([draft_id], on=AS_OF)  # the fact checks know the signature's phone
    assert service.get_draft(draft_id).status == "approved"


def test_without_owner_the_drafter_signs_and_alone_the_company(service: Service) -> None:
    setup_reminder(service)
    (first,) = service.draft(AS_OF).created
    assert (
        service.get_draft(first)
        .body.rstrip()
        .endswith("Claire Martin\nComptabilité clients\nAtelier Test SARL\n04 72 00 00 01")
    )
    team(service.store)
    set_signature(service.store, "carol", "Carol Petit\nComptabilité", "carol")
    act_as(service, "carol")
    second = service.regenerate(first, offline=True).id
    assert service.get_draft(second).body.rstrip().endswith("Carol Petit\nComptabilité")


class _Recorder(BaseChatModel):
    """A fake model rewriting the template it is given (tokens kept), remembering the prompts;
    `tamper` replaces the locked signature token with text of its own."""

    prompts: list[str]
    tamper: bool = False

    @property
    def _llm_type(self) -> str:
        return "recorder"

    def _generate(self, messages: list[BaseMessage], *a: Any, **kw: Any) -> ChatResult:
        plain = [{"role": m.type, "content": str(m.content)} for m in messages]
        self.prompts.append("\n".join(p["content"] for p in plain))
        answer = good_rewrite(plain)
        if self.tamper:
            answer["body"] = answer["body"].replace("[[SIGNATURE]]", "Le Directeur Général")
        content = json.dumps(answer, ensure_ascii=False)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content))])


def test_the_llm_sees_the_signature_as_a_token_only(service: Service) -> None:
    setup_reminder(service)
    team(service.store)
    service.set_customer_owner("C1", "bob")
    set_signature(service.store, "bob", SIGNATURE, "bob")
    model = _Recorder(prompts=[])
    service.chat_backend = LangChainBackend(model)
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert draft.source == "llm" and draft.body.startswith("Madame, Monsieur,")
    assert draft.body.rstrip().endswith(SIGNATURE)
    assert model.prompts and all("Bob Martin" not in p for p in model.prompts)
    assert any("[[SIGNATURE]]" in p for p in model.prompts)


def test_an_llm_that_changes_the_signature_is_refused(service: Service) -> None:
    setup_reminder(service)
    team(service.store)
    service.set_customer_owner("C1", "bob")
    set_signature(service.store, "bob", SIGNATURE, "bob")
    service.chat_backend = LangChainBackend(_Recorder(prompts=[], tamper=True))
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert draft.source == "template" and draft.violations
    assert "Directeur" not in draft.body and draft.body.rstrip().endswith(SIGNATURE)


# -- contacts -------------------------------------------------------------------------------
def test_contact_roles_accept_french_words() -> None:
    assert parse_contact_role("Comptabilité") is ContactRole.ACCOUNTING
    assert parse_contact_role("achats") is ContactRole.PURCHASING
    assert parse_contact_role("DIRECTION") is ContactRole.MANAGEMENT
    assert parse_contact_role("management") is ContactRole.MANAGEMENT
    with pytest.raises(UserError, match="rôle de contact attendu"):
        parse_contact_role("ventes")


def test_contacts_are_added_updated_and_removed_with_events(store: Store) -> None:
    add_customer(store, "C1")
    with pytest.raises(UserError, match="adresse e-mail invalide"):
        set_contact(store, "C1", "compta", "pas-une-adresse", actor="t")
    with pytest.raises(UserError, match="client inconnu"):
        set_contact(store, "C9", "compta", "a@x.example", actor="t")
    set_contact(store, "C1", "compta", "Anne@X.example", name="Anne", actor="t")
    set_contact(store, "C1", "compta", "anne@x.example", name="Anne", phone="01", actor="t")
    set_contact(store, "C1", "compta", "anne@x.example", name="Anne", phone="01", actor="t")
    set_contact(store, "C1", "achats", "paul@x.example", actor="t")
    found = team_repo.contacts(store, "C1")
    assert [(c.role, c.email, c.name, c.phone) for c in found] == [
        ("accounting", "anne@x.example", "Anne", "01"),
        ("purchasing", "paul@x.example", None, None),
    ]
    assert remove_contact(store, "C1", "achats", None, actor="t") == 1
    with pytest.raises(UserError, match="aucun contact"):
        remove_contact(store, "C1", "direction", None, actor="t")
    kinds = [e["kind"] for e in store.events(customer_id="C1") if e["kind"].startswith("contact")]
    assert kinds == ["contact.added", "contact.updated", "contact.added", "contact.removed"]


def _contact(role: str, email: str) -> ContactRow:
    return ContactRow(0, "C1", role, email, None, None)


ROUTES = {
    "reminder_1": Route(to=["accounting"]),
    "reminder_2": Route(to=["accounting"], cc=["purchasing"]),
    "escalation": Route(to=["management"]),
}


def test_routing_follows_the_policy_and_falls_back_to_the_customer_email() -> None:
    people_of = [
        _contact("accounting", "anne@x.example"),
        _contact("accounting", "luc@x.example"),
        _contact("purchasing", "paul@x.example"),
    ]
    default = "generic@x.example"
    assert recipients("reminder_1", ROUTES, [], default) == (default, [])  # no contacts
    assert recipients("pre_due", ROUTES, people_of, default) == (default, [])  # no route
    assert recipients("reminder_1", ROUTES, people_of, default) == (
        "anne@x.example, luc@x.example",
        [],
    )
    assert recipients("reminder_2", ROUTES, people_of, default) == (
        "anne@x.example, luc@x.example",
        ["paul@x.example"],
    )
    # nobody of the routed role: the customer's own e-mail, no copy
    assert recipients("escalation", ROUTES, people_of, default) == (default, [])


def test_the_policy_routes_parse_and_refuse_unknown_roles() -> None:
    shipped = load_scenario(None)
    assert shipped.recipients["reminder_2"] == Route(to=["accounting"], cc=["purchasing"])
    assert shipped.recipients["pre_due"].to == ["accounting"]
    with pytest.raises(ValidationError):
        Route(to=["sales"])
    with pytest.raises(ValidationError):
        Route(to=[])


def test_drafts_go_to_the_routed_contacts_with_the_salesperson_in_copy(
    service: Service,
) -> None:
    add_customer(service.store, "C1", salesperson_email="vendeur@acme.example")
    add_invoice(service.store, "F1", AS_OF - timedelta(days=10))  # reminder_2 due
    service.set_contact("C1", "accounting", "anne@c1.example")
    service.set_contact("C1", "purchasing", "paul@c1.example")
    service.set_contact("C1", "management", "pdg@c1.example")
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert draft.step == "reminder_2"
    assert draft.recipient == "anne@c1.example"
    assert draft.cc == ["paul@c1.example", "vendeur@acme.example"]


def test_a_customer_without_contacts_keeps_its_email(service: Service) -> None:
    add_customer(service.store, "C1", salesperson_email="vendeur@acme.example")
    add_invoice(service.store, "F1", AS_OF - timedelta(days=10))
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert (draft.recipient, draft.cc) == ("c1@example.com", ["vendeur@acme.example"])


# -- the customers import: owner and contacts columns ----------------------------------------
def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(";".join(r) for r in rows), encoding="utf-8")
    return path


def test_the_customers_import_sets_owners_and_contacts(service: Service, tmp_path: Path) -> None:
    team(service.store)
    header = [
        "Code client",
        "Raison sociale",
        "Responsable",
        "E-mail comptabilité",
        "E-mail achats",
    ]
    first = write_csv(
        tmp_path / "clients.csv",
        [header,
         ["C1", "Alpha", "bob", "anne@alpha.example, Luc@Alpha.example", "paul@alpha.example"],
         ["C2", "Beta", "", "", ""]],
    )  # fmt: skip
    report = service.import_file("customers", first)
    assert (report.added, report.updated) == (2, 0)
    assert team_repo.owners(service.store) == {"C1": "bob"}
    assert [(c.role, c.email) for c in service.contacts("C1")] == [
        ("accounting", "anne@alpha.example"),
        ("accounting", "luc@alpha.example"),
        ("purchasing", "paul@alpha.example"),
    ]
    assert service.contacts("C2") == []
    # the same file again: nothing changes; then a column present is authoritative
    assert service.import_file("customers", first).unchanged == 2
    second = write_csv(
        tmp_path / "clients2.csv",
        [["Code client", "Raison sociale", "E-mail comptabilité"],
         ["C1", "Alpha", "anne@alpha.example"]],
    )  # fmt: skip
    report = service.import_file("customers", second)
    assert (report.updated, report.unchanged) == (1, 0)
    assert [(c.role, c.email) for c in service.contacts("C1")] == [
        ("accounting", "anne@alpha.example"),
        ("purchasing", "paul@alpha.example"),  # no purchasing column: kept
    ]
    assert team_repo.owners(service.store) == {"C1": "bob"}  # no owner column: kept


def test_an_unknown_owner_or_a_bad_contact_refuses_the_whole_file(
    service: Service, tmp_path: Path
) -> None:
    team(service.store)
    path = write_csv(
        tmp_path / "clients.csv",
        [["Code client", "Raison sociale", "Responsable", "E-mail direction"],
         ["C1", "Alpha", "zed", "pdg@alpha.example"],
         ["C2", "Beta", "bob", "pas-une-adresse"]],
    )  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        service.import_file("customers", path)
    text = str(caught.value)
    assert "clients.csv:2" in text and "« zed » n'est pas une personne active" in text
    assert "clients.csv:3" in text
    assert service.store.scalar("SELECT COUNT(*) FROM customers") == 0
    assert service.store.scalar("SELECT COUNT(*) FROM customer_contacts") == 0


def test_a_reply_from_a_contacts_address_is_linked_to_its_customer(store: Store) -> None:
    from assistant.replies.ingest import LinkContext, link
    from assistant.replies.kinds import Match
    from assistant.replies.parse import ParsedMessage

    add_customer(store, "C1")  # its own address: c1@example.com
    set_contact(store, "C1", "achats", "Paul@Acheteurs.example", actor="t")
    ctx = LinkContext.load(store, frozenset({"atelier.example"}), frozenset({"gmail.com"}))
    sender = ParsedMessage("k", None, [], "paul@acheteurs.example", "", [], "", None, "")
    assert link(store, sender, ctx) == (Match.ADDRESS, "C1", None)
    other = ParsedMessage("k", None, [], "c1@example.com", "", [], "", None, "")
    assert link(store, other, ctx) == (Match.ADDRESS, "C1", None)
