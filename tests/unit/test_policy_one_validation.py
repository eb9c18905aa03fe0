"""One validation for policies everywhere, in French (issue 19: a mistake in a policy stops
only what depends on it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.errors import PolicyError, UserError
from assistant.service import Service
from tests.support.pg_neutral import drop_policy, put_policy
from tests.unit.rules_builders import add_customer, add_invoice

WED = date(2026, 3, 11)


def test_a_template_naming_an_unknown_variable_is_refused_at_save(service: Service) -> None:
    name = "templates/fr/reminder_1.j2"
    text = service.read_policy(name)
    # in a branch a sample render never takes: found all the same
    broken = text.replace("{{ signature }}", "{% if several %}{{ signatur }}{% endif %}")
    with pytest.raises(PolicyError, match="variable\\(s\\) inconnue\\(s\\) : signatur") as err:
        service.save_policy(name, broken)
    assert "variables possibles : " in str(err.value) and "total_due" in str(err.value)
    assert not (service.home / "policies" / name).exists()  # nothing written
    assert "reminded_before" in service.template_variables()


def test_plan_and_draft_refuse_what_the_editor_refuses(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    name = "templates/fr/reminder_1.j2"
    put_policy(service.home, name, service.read_policy(name) + "{{ montant }}")
    with pytest.raises(PolicyError, match="montant"):
        service.plan(WED + timedelta(days=5))
    with pytest.raises(PolicyError, match="montant"):
        service.draft(WED + timedelta(days=5))
    assert service.policy_problems()[0].startswith("templates/fr/reminder_1.j2")
    drop_policy(service.home, name)
    assert service.policy_problems() == [] and service.plan(WED + timedelta(days=5)).actions


def test_pydantic_errors_read_in_french_at_the_right_field(service: Service) -> None:
    text = service.read_policy("scenario.yaml")
    with pytest.raises(PolicyError) as err:
        service.validate_policy("scenario.yaml", text.replace("min_gap_days: 5", "min_gap_days: x"))
    assert str(err.value) == "scenario.yaml: min_gap_days: nombre entier attendu"
    with pytest.raises(PolicyError) as err:
        service.validate_policy(
            "scenario.yaml", text.replace("channel: email\n    tone: benevolent", "channel: sms")
        )
    assert "valeur attendue : 'email', 'phone' ou 'task'" in str(err.value)


def test_stats_and_briefs_go_on_with_a_broken_scenario(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    put_policy(service.home, "scenario.yaml", "steps: [\n")
    assert service.stats(WED).as_of == WED  # results need no valid scenario
    assert service.brief("C1", WED + timedelta(days=30), offline=True).summary
    assert service.policy_warnings and "scenario.yaml" in service.policy_warnings[0]
    with pytest.raises(PolicyError):
        service.plan(WED)


def test_no_model_means_no_new_tone_unless_the_manager_wrote_a_variant(service: Service) -> None:
    add_customer(service.store)
    add_invoice(service.store, "F1", WED)
    (first,) = service.draft(WED + timedelta(days=5), offline=True).created
    with pytest.raises(UserError, match="modèle de langue"):
        service.regenerate(first, adjustment="softer")
    with pytest.raises(UserError, match="identique"):
        service.regenerate(first)  # the same text again: no new version
    assert [d.id for d in service.drafts("pending")] == [first]
    put_policy(
        service.home,
        "templates/fr/reminder_1.softer.j2",
        service.read_policy("templates/fr/reminder_1.j2").replace(
            "Bonjour,", "Bonjour, et merci pour votre confiance,"
        ),
    )
    softer = service.regenerate(first, adjustment="softer")
    assert softer.body.startswith("Bonjour, et merci pour votre confiance,")
    assert softer.template_name == "fr/reminder_1.softer.j2" and softer.tone_adjustment == "softer"


@pytest.mark.own_policy_verdict  # the shipped templates judged in this test's own home
def test_a_formal_notice_template_has_its_own_variables(service: Service) -> None:
    """A letter template is checked against the notice's facts, not the messages' ones."""
    from assistant.drafting.facts import NOTICE_VARS

    notice = service.template_variables("templates/fr/formal_notice.j2")
    assert sorted(NOTICE_VARS) == notice and "deadline" in notice
    assert "deadline" not in service.template_variables("templates/fr/reminder_1.j2")
    assert service.policy_problems() == []  # the shipped templates of both kinds pass
