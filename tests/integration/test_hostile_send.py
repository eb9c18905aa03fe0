"""Messages that cannot be built, hostile headers and attachments (issue 13, items 1 and 4)."""

from __future__ import annotations

import email
import json
import os
from datetime import date, timedelta
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.company import load_company
from assistant.config import Settings
from assistant.errors import PolicyError, UserError
from assistant.llm.backend import LangChainBackend
from assistant.reasons import render
from assistant.service import Service
from tests.conftest import FIXED_NOW, run_cli, write_company
from tests.support.llm_stub import good_rewrite
from tests.support.pg_neutral import put_policy
from tests.unit.rules_builders import add_customer, add_invoice

AS_OF = date(2026, 11, 24)


def open_service(home: Path, **env: object) -> Service:
    write_company(home)  # real company facts: drafts can be approved
    return Service.open(Settings(RELANCE_HOME=home, **env), clock=lambda: FIXED_NOW)  # type: ignore[arg-type]


def approved(
    svc: Service, numbers: dict[str, str], *, model: BaseChatModel | None = None
) -> dict[str, int]:
    """One approved reminder per customer (customer id -> invoice number); rewritten by
    `model` when given (facts are then put back into its text by substitution)."""
    for cid, number in numbers.items():
        add_customer(svc.store, cid)
        add_invoice(svc.store, number, AS_OF - timedelta(days=5), cid=cid)
    if model is not None:
        svc.chat_backend = LangChainBackend(model)
    ids = svc.draft(AS_OF, offline=model is None).created
    svc.approve(ids, on=AS_OF)
    return {svc.get_draft(i).customer_id: i for i in ids}


def eml(home: Path, draft_id: int) -> email.message.EmailMessage:
    data = (home / "outbox" / f"draft-{draft_id}.eml").read_bytes()
    return email.message_from_bytes(data, policy=default)  # type: ignore[return-value]


class SubjectModel(BaseChatModel):
    """Rewrites faithfully, with the subject it is given (tokens put back by substitution)."""

    subject: str

    @property
    def _llm_type(self) -> str:
        return "subject"

    def _generate(self, messages: list[BaseMessage], *a: Any, **kw: Any) -> ChatResult:
        plain = [{"role": m.type, "content": str(m.content)} for m in messages]
        answer = good_rewrite(plain) | {"subject": self.subject}
        reply = AIMessage(content=json.dumps(answer, ensure_ascii=False))
        return ChatResult(generations=[ChatGeneration(message=reply)])


@pytest.mark.parametrize("model", [False, True])
def test_a_line_break_in_an_invoice_number_never_reaches_a_header(
    tmp_path: Path, model: bool
) -> None:
    home = tmp_path / "h"
    svc = open_service(home)
    rewriter = SubjectModel(subject="Facture [[INVOICE_REFS]] : rappel") if model else None
    numbers = {"C1": "F1\nBcc: pirate@evil.example", "C2": "F2\u2028X-Evil: 1"}
    ids = approved(svc, numbers, model=rewriter)
    assert {svc.get_draft(i).source for i in ids.values()} == {"llm" if model else "template"}
    report = svc.send()
    assert sorted(report.sent) == sorted(ids.values()) and not report.failed
    for draft_id in ids.values():
        raw = (home / "outbox" / f"draft-{draft_id}.eml").read_bytes()
        headers = raw.split(b"\n\n", 1)[0]
        msg = eml(home, draft_id)
        assert msg["Bcc"] is None and msg["X-Evil"] is None
        assert b"\nBcc:" not in headers and b"\nX-Evil:" not in headers
        assert "\n" not in str(msg["Subject"]) and "\u2028" not in str(msg["Subject"])


def test_a_draft_that_cannot_be_built_fails_with_its_reason_and_the_batch_goes_on(
    tmp_path: Path,
) -> None:
    home = tmp_path / "h"
    svc = open_service(home)
    ids = approved(svc, {"C1": "F1", "C2": "F2", "C3": "F3"})
    svc.store.conn.execute(  # an address stored before it was checked (or edited by hand)
        "UPDATE drafts SET recipient = 'a(comment)@b.example' WHERE id = ?", (ids["C2"],)
    )
    svc.close()
    result = run_cli("send", "--json", home=home)
    report = json.loads(result.stdout)  # the JSON report is printed
    assert report["failed_ids"] == [ids["C2"]]
    assert sorted(report["sent_ids"]) == sorted([ids["C1"], ids["C3"]])
    svc = open_service(home)
    failed = svc.get_draft(ids["C2"])
    assert failed.status == "failed" and "a(comment)@b.example" in render(failed.error)
    assert "inattendue" not in result.stderr


def test_stuck_then_not_sent_then_send_never_crashes(tmp_path: Path) -> None:
    home = tmp_path / "h"
    svc = open_service(home)
    ids = approved(svc, {"C1": "F1", "C2": "F2"})
    svc.store.conn.execute(
        "UPDATE drafts SET status = 'sending', subject = 'Relance\x0bBcc: x@evil.example',"
        " recipient = 'Bcc: x@evil.example' WHERE id = ?",
        (ids["C1"],),
    )
    svc.close()
    first = run_cli("send", "--json", home=home)
    assert json.loads(first.stdout)["stuck"] == [ids["C1"]]
    assert run_cli("stuck", str(ids["C1"]), "--not-sent", home=home).returncode == 0
    second = run_cli("send", "--json", home=home)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["failed_ids"] == [ids["C1"]]
    assert not (home / "outbox" / f"draft-{ids['C1']}.eml").exists()


@pytest.mark.parametrize(
    "subject",
    ["Facture [[INVOICE_REFS]]\x0bBcc: x@evil.example", "Facture [[INVOICE_REFS]]\u2028à régler"],
)
def test_a_model_subject_with_a_line_break_is_refused(tmp_path: Path, subject: str) -> None:
    home = tmp_path / "h"
    svc = open_service(home)
    ids = approved(svc, {"C1": "F1"}, model=SubjectModel(subject=subject))
    draft = svc.get_draft(ids["C1"])
    assert draft.source == "template"  # the checks caught it
    assert "objet vide ou sur plusieurs lignes" in draft.violations
    assert svc.send().sent == [draft.id]


def test_an_edited_subject_is_kept_on_one_line(tmp_path: Path) -> None:
    svc = open_service(tmp_path / "h")
    add_customer(svc.store, "C1")
    add_invoice(svc.store, "F1", AS_OF - timedelta(days=5))
    (draft_id,) = svc.draft(AS_OF, offline=True).created
    subject = "Objet\u2028Bcc: x@evil.example\x85fin\u202e\x07"
    edited = svc.edit_draft(draft_id, "Bonjour", subject)
    assert edited.subject == "Objet Bcc: x@evil.example fin"  # no break, no bidi, no BEL


BAD_COMPANY = ['name: "Acme\\r\\nBcc: x@evil.example"', 'email: "a(b)@c.fr"']


@pytest.mark.parametrize("field", BAD_COMPANY)
def test_company_file_with_a_line_break_or_a_bad_address_is_refused(
    tmp_path: Path, field: str
) -> None:
    svc = open_service(tmp_path / "h")
    svc.init_home()
    path = tmp_path / "h" / "policies" / "company.yaml"
    key = field.split(":")[0]
    lines = [
        f"{field}" if line.startswith(f"{key}:") else line for line in path.read_text().splitlines()
    ]
    put_policy(tmp_path / "h", "company.yaml", "\n".join(lines) + "\n")  # the store's source
    with pytest.raises(PolicyError, match=key):
        load_company(tmp_path / "h")
    # approved drafts may still leave (issue 19), but nothing of the refused file is used
    sender = svc.sender()
    assert sender.sender_name == "" and "(" not in sender.sender and "\r" not in sender.sender


# -- attachments (item 1) ----------------------------------------------------------------------
def import_with_pdf(svc: Service, folder: Path, pdf: str) -> None:
    csv = folder / "factures.csv"
    csv.write_text(
        "N° facture;Code client;Raison sociale;Email;Date facture;Date d'échéance;Montant TTC;PDF\n"
        f"F9;C9;Neuf SARL;neuf@example.com;15/10/2026;19/11/2026;1 200,00;{pdf}\n",
        encoding="utf-8",
    )
    svc.import_file("invoices", csv)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    (folder / "pdf").mkdir(parents=True)
    (folder / "pdf" / "F9.pdf").write_bytes(b"%PDF-1.4 facture F9")
    (folder / "pdf" / "faux.pdf").write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    (tmp_path / "secret_id_rsa").write_bytes(b"%PDF- pretending, but outside")
    return folder


@pytest.mark.parametrize(
    "pdf",
    ["../secret_id_rsa", "/etc/passwd", "pdf/faux.pdf", "pdf/absent.pdf", "/dev/zero", "pdf"],
)
def test_only_pdfs_inside_the_allowed_folder_are_accepted(
    tmp_path: Path, exports: Path, pdf: str
) -> None:
    svc = open_service(tmp_path / "h")
    with pytest.raises(UserError, match=r"factures\.csv:2: .*pdf"):
        import_with_pdf(svc, exports, pdf)
    assert svc.store.scalar("SELECT COUNT(*) FROM invoices") == 0  # all or nothing


def test_a_link_out_of_the_folder_is_refused_at_import_and_at_send(
    tmp_path: Path, exports: Path
) -> None:
    svc = open_service(tmp_path / "h")
    os.symlink(tmp_path / "secret_id_rsa", exports / "pdf" / "lien.pdf")
    with pytest.raises(UserError, match="hors du dossier"):
        import_with_pdf(svc, exports, "pdf/lien.pdf")
    import_with_pdf(svc, exports, "pdf/F9.pdf")
    (draft_id,) = svc.draft(AS_OF, offline=True).created
    assert [a.label() for a in svc.get_draft(draft_id).attachments] == ["F9.pdf (19 o)"]
    svc.approve([draft_id], on=AS_OF)
    (exports / "pdf" / "F9.pdf").unlink()  # swapped after the import for a link to a secret
    os.symlink(tmp_path / "secret_id_rsa", exports / "pdf" / "F9.pdf")
    report = svc.send()
    assert report.failed == [draft_id] and not list((tmp_path / "h" / "outbox").glob("*.eml"))
    assert "pièce jointe refusée" in render(svc.get_draft(draft_id).error)


def test_a_configured_folder_is_the_only_one_allowed(tmp_path: Path, exports: Path) -> None:
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    svc = open_service(tmp_path / "h", RELANCE_ATTACHMENTS_DIR=elsewhere)
    with pytest.raises(UserError, match="hors du dossier"):
        import_with_pdf(svc, exports, "pdf/F9.pdf")
    svc = open_service(tmp_path / "h2", RELANCE_ATTACHMENTS_DIR=exports / "pdf")
    import_with_pdf(svc, exports, "pdf/F9.pdf")


def test_show_lists_attachments_with_name_and_size(tmp_path: Path, exports: Path) -> None:
    home = tmp_path / "h"
    svc = open_service(home)
    import_with_pdf(svc, exports, "pdf/F9.pdf")
    (draft_id,) = svc.draft(AS_OF, offline=True).created
    svc.close()
    shown = run_cli("show", str(draft_id), home=home)
    assert "Pièces jointes : F9.pdf (19 o)" in shown.stdout
    as_json = json.loads(run_cli("show", str(draft_id), "--json", home=home).stdout)
    assert as_json["attachments"][0] | {"path": None} == {
        "name": "F9.pdf",
        "size": 19,
        "path": None,
        "problem": None,
    }
