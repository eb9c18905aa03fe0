"""Example company facts never go out; saved company facts reach the queued drafts; IBANs are
validated (issue 19, items 2 and 3)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import PolicyError, UserError
from assistant.reasons import render
from assistant.service import Service
from tests.conftest import FIXED_NOW, TEST_COMPANY
from tests.support.pg_neutral import policy_in_effect, put_policy
from tests.unit.rules_builders import add_customer, add_invoice

WED = date(2026, 3, 11)
DAY = WED + timedelta(days=5)
NEW_IBAN = "FR76 1762 9000 4321 8765 0000 076"


@pytest.fixture
def fresh(tmp_path: Path) -> Service:
    """A new company: `relance init`, nothing edited yet."""
    svc = Service.open(
        Settings(RELANCE_HOME=tmp_path / "new"), clock=lambda: FIXED_NOW, create=True
    )
    svc.init_home()
    add_customer(svc.store)
    add_invoice(svc.store, "F1", WED)
    return svc


def test_example_company_facts_are_named_and_block_every_approval(fresh: Service) -> None:
    report = fresh.draft(DAY)
    assert "valeurs d'exemple" in report.notes[0]
    assert "name « Votre entreprise »" in report.notes[0] and "iban" in report.notes[0]
    (draft,) = fresh.drafts("pending")
    with pytest.raises(UserError, match="valeurs d'exemple"):
        fresh.approve([draft.id])
    assert fresh.get_draft(draft.id).status == "pending"


def test_saving_real_facts_re_renders_the_queue(fresh: Service) -> None:
    fresh.draft(DAY)
    (old,) = fresh.drafts("pending")
    assert "Votre entreprise" in old.body
    saved = fresh.save_policy("company.yaml", TEST_COMPANY)
    assert saved.refreshed.renewed and saved.refreshed.renewed[0][0] == old.id
    (new,) = fresh.drafts("pending")
    assert fresh.get_draft(old.id).status == "superseded"
    assert "Atelier Test SARL" in new.body and "FR76 3000 6000 0112 3456 7890 189" in new.body
    assert "Votre entreprise" not in new.body and new.parent_id == old.id
    assert fresh.approve([new.id])[0].status == "approved"


def test_a_hand_edited_company_file_withdraws_an_approved_draft_before_it_leaves(
    service: Service,
) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    service.draft(DAY)
    (draft,) = service.drafts("pending")
    service.approve([draft.id], on=DAY)
    company = policy_in_effect(service.home, "company.yaml")
    put_policy(
        service.home,
        "company.yaml",
        company.replace("FR76 3000 6000 0112 3456 7890 189", NEW_IBAN),
    )  # edited in a text editor (on PostgreSQL: the row), not through relance
    report = service.send()
    assert report.sent == [] and report.renewed == [draft.id]
    assert service.get_draft(draft.id).status == "superseded"
    (new,) = service.drafts("pending")
    assert NEW_IBAN in new.body and "politique ou les faits" in render(new.error)
    # the step the approval had marked is open again: the new version is the message
    assert not service.store.query("SELECT * FROM invoice_steps")


def test_a_policy_change_that_leaves_the_text_alone_keeps_the_approval(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    service.draft(DAY)
    (draft,) = service.drafts("pending")
    service.approve([draft.id], on=DAY)
    scenario = service.read_policy("scenario.yaml").replace("min_gap_days: 5", "min_gap_days: 6")
    saved = service.save_policy("scenario.yaml", scenario)
    assert saved.refreshed.renewed == []
    after = service.get_draft(draft.id)
    assert after.status == "approved" and after.checked_version == saved.version
    assert after.policy_version == draft.policy_version  # results count it where it was drafted


def test_an_iban_change_is_shown_and_a_wrong_iban_refused(service: Service) -> None:
    text = service.read_policy("company.yaml")
    saved = service.save_policy("company.yaml", text.replace(
        "FR76 3000 6000 0112 3456 7890 189", NEW_IBAN))  # fmt: skip
    assert saved.notes[0] == f"IBAN modifié : FR76 3000 6000 0112 3456 7890 189 → {NEW_IBAN}"
    (event,) = service.store.events(kinds=("policy.saved",))
    assert event["data"]["changes"][0]["to"] == NEW_IBAN
    wrong = text.replace("FR76 3000 6000 0112 3456 7890 189", "FR76 3000 6000 0112 3456 7890 188")
    with pytest.raises(PolicyError, match="IBAN invalide \\(clé de contrôle fausse\\)"):
        service.save_policy("company.yaml", wrong)
    put_policy(service.home, "company.yaml", wrong)
    with pytest.raises(PolicyError, match="IBAN invalide"):
        service.draft(DAY)
