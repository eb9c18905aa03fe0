"""Formal notices, litigation files, proceedings and escalation on the demo company (built as of
1 December 2026). Expected figures are computed by hand in the comments."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import jsonschema
import pypdf
import pytest

from assistant.config import Settings
from assistant.errors import UserError
from assistant.reasons import render
from assistant.service import Service
from assistant.statutory.claims import claims_for
from assistant.statutory.dossier import SCHEMA_FILE
from assistant.statutory.notice import build_pdf

AS_OF = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Service]:
    built = Service.demo(Settings(RELANCE_HOME=tmp_path / "demo"), as_of=AS_OF,
                         clock=lambda: NOW)  # fmt: skip
    yield built.service
    built.service.close()


def pdf_text(path: Path | bytes) -> str:
    import io

    reader = pypdf.PdfReader(io.BytesIO(path) if isinstance(path, bytes) else str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def test_the_demo_partly_paid_invoice_bears_41_96_of_interest(demo: Service) -> None:
    # FA-2026-0345: 2 931,66 € due 16/10, 1 100 € paid 23/11: (293166 x 38 + 183166 x 8)
    # x 12,15 % / 365 = 4196,12 c -> 41,96 € (the single-balance figure was 28,05 €)
    claims = claims_for(demo.store, demo.home, "C004", AS_OF)
    first = next(c for c in claims.overdue if c.number == "FA-2026-0345")
    assert (first.amount_cents, first.outstanding_cents, first.days_late) == (293_166, 183_166, 46)
    assert first.interest_cents == 4_196


def test_formal_notice_pdf_holds_every_fact(demo: Service) -> None:
    made = demo.create_notice("C004", AS_OF)
    claims = claims_for(demo.store, demo.home, "C004", AS_OF)
    text = pdf_text(made.pdf_path)
    # C004 owes FA-2026-0345 (1 831,66 €) and FA-2026-0371 (9 000,00 €, due 04/11, 27 days):
    # 9000 x 27 x 12,15 % / 365 = 80,89 € ; interest 41,96 + 80,89 = 122,85 € ; 2 x 40 € ;
    # total 10 831,66 + 80 + 122,85 = 11 034,51 € ; deadline 01/12 + 8 days = 9 December 2026
    assert [c.number for c in claims.overdue] == ["FA-2026-0345", "FA-2026-0371"]
    for fact in ("FA-2026-0345", "FA-2026-0371", "1 831,66 €", "9 000,00 €", "80,00 €",
                 "122,85 €", "11 034,51 €", "9 décembre 2026", "12,15 %", "injonction de payer",
                 "Transports Berthier & Fils", "69440 Mornant", "Atelier Numérique Lyon",
                 "Lettre recommandée avec accusé de réception"):  # fmt: skip
        assert fact in text, fact
    assert made.total_cents == 1_103_451 and made.deadline == date(2026, 12, 9)
    # each invoice number is in the letter and in the statement (invoice and interest tables)
    assert text.count("FA-2026-0345") >= 3 and text.count("FA-2026-0371") >= 3
    assert "41,96 €" in text and "80,89 €" in text  # interest per invoice, statement
    draft = demo.get_draft(made.draft_id)
    assert (draft.channel, draft.step, draft.status, draft.source) == (
        "letter",
        "formal_notice",
        "pending",
        "template",
    )
    assert draft.invoices == ["FA-2026-0345", "FA-2026-0371"]
    with pytest.raises(UserError, match="déjà en cours"):
        demo.create_notice("C004", AS_OF)


def test_an_edited_letter_is_what_the_pdf_says_and_what_is_emailed(demo: Service) -> None:
    made = demo.create_notice("C004", AS_OF)
    view = demo.get_draft(made.draft_id)
    demo.edit_draft(made.draft_id, view.body + "\n\nRéférence dossier : BERTHIER-2026.")
    assert "BERTHIER-2026" in pdf_text(made.pdf_path)
    # a reference the letter did not have is a fact a person added: approved with a reason
    assert demo.get_draft(made.draft_id).checks == ["référence inconnue : BERTHIER-2026"]
    demo.approve([made.draft_id], on=AS_OF, override="référence du dossier chez l'avocat")
    report = demo.send()
    assert made.draft_id in report.sent
    eml = message_from_bytes(
        (demo.home / "outbox" / f"draft-{made.draft_id}.eml").read_bytes(), policy=default
    )
    (attachment,) = [p for p in eml.iter_attachments()]
    assert attachment.get_filename() == f"mise-en-demeure-{made.draft_id}.pdf"
    assert "BERTHIER-2026" in pdf_text(attachment.get_content())
    posted = demo.notice_posted(made.draft_id, "1A 234 567 8901 2", AS_OF)
    assert posted["tracking_number"] == "1A 234 567 8901 2"


def test_a_letter_without_email_waits_to_be_posted(demo: Service) -> None:
    demo.store.conn.execute("UPDATE customers SET email = NULL WHERE id = 'C004'")
    made = demo.create_notice("C004", AS_OF, deadline_days=15)
    assert made.deadline == date(2026, 12, 16)
    demo.approve([made.draft_id], on=AS_OF)
    assert made.draft_id not in demo.send().sent
    assert demo.get_draft(made.draft_id).status == "approved"
    demo.notice_posted(made.draft_id, "RR123", AS_OF)
    assert demo.get_draft(made.draft_id).status == "sent"
    events = demo.store.events(customer_id="C004", kinds=("message.sent",))
    assert events[-1]["data"]["tracking_number"] == "RR123"


def test_dossier_of_the_worst_payer_matches_the_schema_and_the_brief(
    demo: Service, tmp_path: Path
) -> None:
    worst_payer = demo.demo_summary().worst_payer  # largest amount over 30 days late
    assert worst_payer is not None
    worst = worst_payer[0]
    out = tmp_path / "dossier.zip"
    demo.dossier(worst, out, AS_OF)
    with zipfile.ZipFile(out) as archive:
        assert {"resume.pdf", "dossier.json"} <= set(archive.namelist())
        data = json.loads(archive.read("dossier.json"))
        summary = pdf_text(archive.read("resume.pdf"))
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()),
                        format_checker=jsonschema.FormatChecker())  # fmt: skip
    brief = demo.brief(worst, AS_OF, offline=True).as_json()
    assert data["claims"]["outstanding"] == brief["outstanding"]
    assert data["claims"]["overdue"] == brief["overdue"]
    assert data["claims"]["recovery_indemnity"] == brief["levers"]["recovery_indemnity"]
    assert data["claims"]["late_interest"] == brief["levers"]["late_interest"]
    assert data["claims"]["paid_late_indemnity"] == brief["levers"]["paid_late_indemnity"]
    by_half = sum(
        int(x["amount"].replace(".", "")) for x in data["claims"]["late_interest_by_half_year"]
    )
    assert by_half == int(data["claims"]["late_interest"].replace(".", ""))
    assert data["reminders"] and data["payments"] and data["debtor"]["address"]
    assert all(i["invoice_number"] in summary for i in data["invoices"])


def test_collective_proceedings_stop_everything_and_ask_for_a_declaration(demo: Service) -> None:
    before = [a for a in demo.plan(AS_OF).actions if a.customer_id == "C004"]
    assert before  # the customer had something planned
    demo.set_proceedings("C004", kind="redressement", published=date(2026, 11, 20))
    actions = [a for a in demo.plan(AS_OF).actions if a.customer_id == "C004"]
    (task,) = actions
    assert task.step == "collective_proceedings" and task.requires_human
    assert "avant le 2026-01-20" not in render(task.reason) and "avant le 2027-01-20" in render(
        task.reason
    )
    with pytest.raises(UserError, match="redressement judiciaire"):
        demo.create_notice("C004", AS_OF)
    demo.set_proceedings("C004", kind=None, published=None, declared=date(2026, 12, 1))
    assert [a.step for a in demo.plan(AS_OF).actions if a.customer_id == "C004"] == []
    skipped = [s.code for s in demo.plan(AS_OF).skipped if s.customer_id == "C004"]
    assert skipped == ["collective_proceedings"]


def test_hand_off_takes_the_customer_out_of_the_plan_and_resume_brings_it_back(
    demo: Service,
) -> None:
    demo.escalate("C004", "handoff", on=AS_OF, note="cabinet Durand")
    plan = demo.plan(AS_OF)
    assert not [a for a in plan.actions if a.customer_id == "C004"]
    assert [s.code for s in plan.skipped if s.customer_id == "C004"] == ["handed_off"]
    kinds = [e["data"]["decision"] for e in demo.store.events(customer_id="C004",
             kinds=("escalation.decided",))]  # fmt: skip
    assert kinds == ["handoff"]
    demo.escalate("C004", "resume", on=AS_OF)
    later = demo.plan(date(2026, 12, 21))  # back in the sequence: its next steps come again
    assert "handed_off" not in [s.code for s in later.skipped if s.customer_id == "C004"]
    assert [a for a in later.actions if a.customer_id == "C004"]


def test_escalation_notice_decision_creates_the_letter_and_closes_the_task(demo: Service) -> None:
    task = next(a for a in demo.plan(AS_OF).actions if a.step == "escalation")
    result = demo.escalate(task.customer_id, "notice", on=AS_OF)
    assert demo.get_draft(result["draft_id"]).channel == "letter"
    assert not [a for a in demo.plan(AS_OF).actions
                if a.customer_id == task.customer_id and a.step == "escalation"]  # fmt: skip


def test_pdf_is_deterministic(demo: Service) -> None:
    made = demo.create_notice("C004", AS_OF)
    from assistant.storage.statutory import notice_for_draft

    frozen = notice_for_draft(demo.store, made.draft_id)["data"]  # type: ignore[index]
    view = demo.get_draft(made.draft_id)
    assert build_pdf(frozen, view.subject, view.body) == made.pdf_path.read_bytes()


def test_a_formal_notice_goes_to_the_management_contact(demo: Service) -> None:
    """The policy routes `formal_notice` to management (docs/team.md); without such a contact
    it goes to the customer's own e-mail."""
    own = demo.customer("C004").email
    demo.set_contact("C004", "accounting", "compta@berthier.example")
    demo.set_contact("C004", "management", "pdg@berthier.example")
    made = demo.create_notice("C004", AS_OF)
    assert demo.get_draft(made.draft_id).recipient == "pdg@berthier.example"
    demo.remove_contact("C004", "management")
    demo.reject([made.draft_id], "refaire")
    again = demo.create_notice("C004", AS_OF)
    assert demo.get_draft(again.draft_id).recipient == own
