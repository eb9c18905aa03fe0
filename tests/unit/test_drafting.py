"""Drafting in template mode: rendering, grouping, idempotency, queue transitions, events."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.drafting.templates import TemplateStore
from assistant.errors import PolicyError, UserError
from assistant.reasons import render
from assistant.service import Service
from tests.unit.rules_builders import add_customer, add_invoice

WED = date(2026, 3, 11)
DAY = WED + timedelta(days=5)  # Monday: reminder_1 due for invoices due on WED


def setup_customer(service: Service, cid: str = "C1", **fields: object) -> None:
    add_customer(service.store, cid, **fields)


def test_template_mode_draft_has_facts_and_no_llm(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-100", WED, cents=123_456)
    report = service.draft(DAY)
    assert len(report.created) == 1 and report.llm == 0
    (d,) = service.drafts()
    assert (d.step, d.channel, d.status, d.source) == ("reminder_1", "email", "pending", "template")
    assert d.body == d.template_body and d.subject == d.template_subject
    assert "F-100" in d.subject and "F-100" in d.body
    assert "1 234,56" in d.body.replace("\u202f", " ").replace("\xa0", " ")
    assert "11 mars 2026" in d.body  # due date in the customer's locale
    assert d.recipient == "c1@example.com"
    assert d.invoices == ["F-100"] and d.total_cents == 123_456 and d.max_days_late == 5
    assert d.policy_version == service.policy_version()
    assert "{{" not in d.body and "[[" not in d.body


def test_english_customer_gets_english_template_and_formats(service: Service) -> None:
    setup_customer(service, language="en", country="GB")
    add_invoice(service.store, "F-1", WED, cents=100_050)
    service.draft(DAY)
    (d,) = service.drafts()
    assert d.language == "en" and "overdue" in d.subject
    assert "€1,000.50" in d.body and "11 March 2026" in d.body


def test_grouped_invoices_are_listed_with_the_total(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED, cents=100_000)
    add_invoice(service.store, "F-2", WED, cents=50_000)
    service.draft(DAY)
    (d,) = service.drafts()
    lines = [line for line in d.body.splitlines() if line.startswith("- Facture")]
    assert len(lines) == 2
    assert "1 500,00" in d.body.replace("\u202f", " ").replace("\xa0", " ")
    assert "des factures suivantes" in d.body


@pytest.mark.parametrize("language", ["fr", "en"])
def test_grouped_invoices_with_different_due_dates_get_no_single_date(
    service: Service, language: str
) -> None:
    """The first invoice's due date must not be stated as the due date of them all."""
    setup_customer(service, language=language)
    add_invoice(service.store, "F-1", WED - timedelta(days=9), cents=100_000)  # reminded later
    add_invoice(service.store, "F-2", WED, cents=50_000)
    service.draft(DAY)
    (d,) = service.drafts()
    first_due = "2 mars 2026" if language == "fr" else "2 March 2026"
    assert d.body.count(first_due) == 1  # only on F-1's own line of the list
    assert "11 mars 2026" in d.body or "11 March 2026" in d.body


def test_second_run_same_day_creates_nothing(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED)
    first = service.draft(DAY)
    second = service.draft(DAY)
    assert len(first.created) == 1 and second.created == [] and second.unchanged == 1
    assert len(service.drafts()) == 1


def test_pending_draft_is_superseded_when_its_invoices_change(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED)
    service.draft(DAY)
    add_invoice(service.store, "F-2", WED)  # a new invoice reaches the same step
    report = service.draft(DAY)
    assert report.superseded == 1
    statuses = {d.id: (d.status, d.invoices) for d in service.drafts()}
    assert statuses == {1: ("superseded", ["F-1"]), 2: ("pending", ["F-1", "F-2"])}


def test_approve_marks_the_step_done_so_the_plan_moves_on(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED)
    service.draft(DAY)
    (approved,) = service.approve([1], on=DAY)
    assert approved.status == "approved"
    assert service.plan(DAY).actions == []
    assert service.store.scalar("SELECT step FROM invoice_steps WHERE draft_id = 1") == "reminder_1"
    kinds = [e["kind"] for e in service.store.events(customer_id="C1")]
    assert "draft.created" in kinds and "draft.approved" in kinds
    with pytest.raises(UserError, match="déjà approuvé"):  # a second yes says so
        service.approve([1])


def test_reject_needs_a_reason_and_the_step_is_not_proposed_again(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED)
    service.draft(DAY)
    with pytest.raises(UserError):
        service.reject([1], "  ")
    (rejected,) = service.reject([1], "client en redressement", on=DAY)
    assert rejected.status == "rejected" and rejected.reject_reason == "client en redressement"
    assert service.plan(DAY + timedelta(days=1)).actions == []
    assert service.draft(DAY + timedelta(days=1)).created == []


def test_rejected_step_does_not_count_for_the_minimum_gap(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED)
    add_invoice(service.store, "F-2", WED + timedelta(days=4))  # J+3 on Wednesday 18
    service.draft(DAY)
    service.reject([1], "pas maintenant", on=DAY)
    (action,) = service.plan(WED + timedelta(days=7)).actions
    assert action.invoices == ("F-2",)


def test_edit_keeps_text_verbatim_and_marks_edited(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED)
    service.draft(DAY)
    text = "Bonjour {{ customer_name }}, merci de régler F-1. [[TOTAL_DUE]]"
    edited = service.edit_draft(1, text, subject="Facture F-1")
    assert edited.body == text and edited.edited and edited.subject == "Facture F-1"
    assert edited.template_body != text  # the approved template stays for comparison
    approved = service.approve([1])[0]
    assert approved.body == text  # never rendered


def test_dispute_cancels_pending_and_approved_drafts(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED)
    service.draft(DAY)
    service.approve([1], on=DAY)
    service.open_dispute("F-1", "prestation contestée")
    d = service.get_draft(1)
    assert d.status == "cancelled" and "litige" in render(d.error)
    assert service.store.scalar("SELECT count(*) FROM invoice_steps") == 0
    service.resolve_dispute("F-1")
    assert [a.step for a in service.plan(DAY).actions] == ["reminder_1"]


def test_sms_and_salesperson_notice_drafts(service: Service) -> None:
    setup_customer(
        service,
        "SMS",
        sms_opt_in=True,
        phone="+33600000000",
        salesperson_email="vendeur@example.com",
        salesperson_name="Paul",
    )
    add_invoice(service.store, "S-1", WED, cid="SMS")
    service.draft(WED + timedelta(days=12))
    by_channel = {d.channel: d for d in service.drafts()}
    assert set(by_channel) == {"email", "sms"}
    sms = by_channel["sms"]
    assert sms.recipient == "+33600000000" and len(sms.body) <= 160 and "S-1" in sms.body
    assert by_channel["email"].cc == ["vendeur@example.com"]  # reminder_2: salesperson in copy
    service.approve([d.id for d in service.drafts()], on=WED + timedelta(days=12))
    report = service.draft(WED + timedelta(days=20))
    (notice,) = [service.get_draft(i) for i in report.created]
    assert (notice.channel, notice.step, notice.recipient) == (
        "internal",
        "call",
        "vendeur@example.com",
    )
    assert "[Interne]" in notice.subject and "S-1" in notice.body
    assert report.human_tasks == 1


def test_draft_without_email_cannot_be_approved(service: Service) -> None:
    from assistant.models import Customer
    from assistant.storage import repo

    with service.store.transaction():
        repo.upsert_customers(service.store, [Customer(id="NOMAIL", name="Sans Mail")], "t")
    add_invoice(service.store, "N-1", WED, cid="NOMAIL")
    service.draft(DAY)
    with pytest.raises(UserError, match="adresse"):
        service.approve([1])


def test_drafts_json_contract(service: Service) -> None:
    setup_customer(service)
    add_invoice(service.store, "F-1", WED, cents=99_999)
    service.draft(DAY)
    (d,) = service.drafts()
    data = d.as_json()
    for key in (
        "id",
        "customer_id",
        "step",
        "channel",
        "language",
        "status",
        "subject",
        "body",
        "template_body",
        "source",
        "violations",
        "invoices",
    ):
        assert key in data
    assert data["source"] in ("llm", "template") and data["violations"] == []
    assert data["invoices"] == ["F-1"] and data["total"] == "999.99"
    with pytest.raises(UserError):
        service.drafts("nonsense")


def test_manager_templates_render_in_a_sandbox(tmp_path: Path) -> None:
    home = tmp_path
    (home / "policies" / "templates" / "fr").mkdir(parents=True)
    evil = "{% block body %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}"
    (home / "policies" / "templates" / "fr" / "reminder_1.j2").write_text(evil, encoding="utf-8")
    store = TemplateStore(home)
    name = store.name_for("fr", ["reminder_1"])
    with pytest.raises(PolicyError):
        store.render(name, {})


def test_home_template_wins_and_undefined_variables_are_errors(tmp_path: Path) -> None:
    home = tmp_path
    (home / "policies" / "templates" / "fr").mkdir(parents=True)
    own = (
        "{% block subject %}Mon objet{% endblock %}"
        "{% block body %}Total {{ total_due }}{% endblock %}"
    )
    (home / "policies" / "templates" / "fr" / "reminder_1.j2").write_text(own, encoding="utf-8")
    store = TemplateStore(home)
    rendered = store.render(store.name_for("fr", ["reminder_1"]), {"total_due": "5 €"})
    assert (rendered.subject, rendered.body) == ("Mon objet", "Total 5 €")
    with pytest.raises(PolicyError, match="total_due"):
        store.render(store.name_for("fr", ["reminder_1"]), {})


def test_every_shipped_template_renders_in_both_languages() -> None:
    from assistant.drafting.facts import FACT_VARS

    store = TemplateStore(None)
    for lang in ("fr", "en"):
        for name in (
            "pre_due",
            "reminder_1",
            "reminder_2",
            "strategic",
            "sms",
            "salesperson_notice",
        ):
            for several, credit in ((False, False), (True, False), (True, True)):
                for step in ("pre_due", "reminder_1", "reminder_2"):
                    ctx = {v: f"<{v}>" for v in FACT_VARS} | {
                        "several": several,
                        "step": step,
                        "segment": "standard",
                        "language": lang,
                        "has_credit": credit,
                        "reminded_before": several,
                        "notified_before": several or step == "reminder_2",
                    }
                    out = store.render(store.name_for(lang, [name]), ctx)
                    assert "<invoice_list>" in out.body or "<invoice_refs>" in out.body
                    assert "<total_due>" in out.body
                    assert ("<credit_amount>" in out.body) is credit
                    assert not any(ch.isdigit() for ch in out.subject + out.body)
