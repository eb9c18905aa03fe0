"""Fuzz from import to the `.eml` in the outbox (issue 13): hostile names, invoice numbers,
references, addresses and model outputs (control characters, line breaks, Rich markup, Jinja
syntax, links). Whatever the input: no crash (a refused file is one clear error), no header
injection, no markup interpreted, and every approved draft is either sent with its facts
intact or failed with a reason."""

from __future__ import annotations

import csv
import email
import io
import json
import tempfile
from datetime import date, timedelta
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from rich.console import Console

from assistant.config import Settings
from assistant.errors import UserError
from assistant.llm.backend import LangChainBackend
from assistant.money import format_money, locale_for
from assistant.reasons import render
from assistant.render import render_draft, render_drafts
from assistant.service import Service
from tests.conftest import FIXED_NOW, write_company
from tests.support.examples import examples
from tests.support.llm_stub import good_rewrite
from tests.support.pg_neutral import cluster_if_postgresql, fresh_database
from tests.support.postgres import PostgresCluster

AS_OF = FIXED_NOW.date()
HOSTILE_PIECES = [
    "\n",
    "\r\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x00",
    "\x1b[31m",
    "\x85",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u200b",
    "[/]",
    "[bold]",
    "[link=https://evil.test]",
    "[/link]",
    "{{ config }}",
    "{% raw %}",
    "{{ 7*7 }}",
    "<b>",
    "&amp;",
    "Bcc: pirate@evil.example",
    "\nBcc: x@evil.example",
    "bit.ly/x",
    "https://evil.test",
    "(commentaire)",
    ";",
    ",",
    '"',
    "'",
    "é",
    "€",
    "١٢",
    "𝟙",
    "[[TOTAL_DUE]]",
    "[[IBAN]]",
    "\t",
    " ",
    "  ",
    "%s",
    "${x}",
]
ALLOWED_HEADERS = {
    "from",
    "to",
    "cc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "x-relance-draft",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}

plain = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=12)
printable = [p for p in HOSTILE_PIECES if p.isprintable()]
controls = [p for p in HOSTILE_PIECES if not p.isprintable()]


def _joined(pieces: list[str]) -> st.SearchStrategy[str]:
    parts = st.one_of(plain, st.sampled_from(pieces))
    return st.lists(parts, min_size=1, max_size=4).map("".join).filter(lambda s: s.strip() != "")


# mostly values that may be imported (markup, Jinja, links, quotes, digits of other scripts),
# sometimes one with control characters or line breaks (refused at import, or in the checks)
def _mostly(common: st.SearchStrategy[str], rare: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`rare` about once in ten draws (one_of alone gives no weights)."""
    return st.integers(0, 9).flatmap(lambda n: rare if n == 7 else common)


hostile = _mostly(_joined(printable), _joined(printable + controls))
word = st.from_regex(r"[a-z]{1,8}", fullmatch=True)
valid_address = st.one_of(
    st.sampled_from(["a@example.com", "compta@client.example.com", "x@exémple.fr"]),
    st.builds(lambda a, b: f"{a}@{b}.example.com", word, word),
)
bad_address = st.one_of(
    hostile.map(lambda s: f"a{s}@b.example.com"),
    st.sampled_from(
        [
            "a(comment)@b.example",
            "Bcc: a@b.example",
            "a@b.example\nBcc: c@d.example",
            "<a@b.example>",
            '"a b"@c.example',
            "a@b",
            "a@localhost",
            "a@b.test",
            "é@exemple.fr",
        ]
    ),
)
addresses = _mostly(valid_address, bad_address)
# what the model adds: hostile text, or now and then harmless words (the LLM path then goes on
# to substitution and sending)
model_text = st.integers(0, 3).flatmap(
    lambda n: st.sampled_from(["", "Merci de votre confiance."]) if n == 2 else hostile
)


class FuzzModel(BaseChatModel):
    """A chat model that returns the template with hostile text inserted (kept as given)."""

    subject_extra: str = ""
    body_extra: str = ""

    @property
    def _llm_type(self) -> str:
        return "fuzz"

    def _generate(self, messages: list[BaseMessage], *a: Any, **kw: Any) -> ChatResult:
        plain_messages = [{"role": m.type, "content": str(m.content)} for m in messages]
        answer = good_rewrite(plain_messages)
        answer["subject"] += self.subject_extra
        answer["body"] = answer["body"].replace("\n\n", f"\n\n{self.body_extra}\n\n", 1)
        content = json.dumps(answer, ensure_ascii=False)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content))])


def write_invoices(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(
            [
                "N° facture",
                "Code client",
                "Raison sociale",
                "Email",
                "Date facture",
                "Date d'échéance",
                "Montant TTC",
                "Référence",
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    r["number"],
                    r["customer"],
                    r["name"],
                    r["email"],
                    "15/10/2026",
                    (AS_OF - timedelta(days=5)).strftime("%d/%m/%Y"),
                    "1 234,56",
                    r["reference"],
                ]
            )


def check_eml(path: Path, draft: Any, service: Service) -> None:
    raw = path.read_bytes()
    msg = email.message_from_bytes(raw, policy=default)
    names = {k.lower() for k in msg}
    assert names <= ALLOWED_HEADERS, names - ALLOWED_HEADERS  # nothing injected
    assert msg["Bcc"] is None
    subject = str(msg["Subject"])
    assert "\n" not in subject and "\r" not in subject and subject == draft.subject
    sent_to = [a.addr_spec for a in msg["To"].addresses]
    stored = [a.strip() for a in (draft.recipient or "").split(",")]
    ascii_forms = [validate_email(a, check_deliverability=False).ascii_email for a in stored]
    assert sent_to == ascii_forms
    body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.rstrip("\n") == draft.body.rstrip("\n")  # what a person approved
    customer = service.customer(draft.customer_id)
    total = format_money(draft.total_cents, draft.currency, locale_for(draft.language))
    assert total in body  # facts intact
    for number in draft.invoices:
        assert number in body
    assert customer.name  # names are shown, never executed


@pytest.fixture(scope="module")
def pg(request: pytest.FixtureRequest) -> PostgresCluster | None:
    return cluster_if_postgresql(request)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "number": hostile,
                "customer": hostile,
                "name": hostile,
                "email": addresses,
                "reference": hostile,
            }
        ),
        min_size=1,
        max_size=2,
    ),
    subject_extra=model_text,
    body_extra=model_text,
)
@example(  # an invoice number that reads like an amount (a euro sign, Arabic-Indic 12)
    rows=[{"number": "€١٢", "customer": "0", "name": "0", "email": "a@example.com",
           "reference": "0"}],
    subject_extra="",
    body_extra="",
)  # fmt: skip
def test_from_import_to_outbox(
    pg: PostgresCluster | None, rows: list[dict[str, str]], subject_extra: str, body_extra: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(pg):  # a new home per example
        folder = Path(tmp)
        write_company(folder / "home")  # real company facts: drafts can be approved
        service = Service.open(Settings(RELANCE_HOME=folder / "home"), clock=lambda: FIXED_NOW)
        try:
            source = folder / "factures.csv"
            write_invoices(source, rows)
            try:
                service.import_file("invoices", source)
            except UserError as exc:  # refused: a clear message, nothing written
                assert str(exc).strip()
                assert service.store.scalar("SELECT COUNT(*) FROM invoices") == 0
                event("import refused")
                return
            service.chat_backend = LangChainBackend(
                FuzzModel(subject_extra=subject_extra, body_extra=body_extra)
            )
            report = service.draft(AS_OF)
            drafts = [service.get_draft(i) for i in report.created]
            out = Console(file=io.StringIO(), width=200, markup=False, highlight=False)
            out.print(render_drafts(drafts))
            for d in drafts:
                out.print(render_draft(d))
                if d.source == "llm":  # the checks let nothing hostile through
                    for bad in ("{{", "{%", "[link", "\x0b", "\u2028", "\x1b", "bit.ly"):
                        assert bad not in d.subject + d.body or bad in (
                            "".join(r["number"] + r["name"] + r["reference"] for r in rows)
                        )
            shown = out.file.getvalue()  # type: ignore[attr-defined]
            for d in drafts:
                assert d.customer_name[:10].strip() == "" or d.customer_name[:10] in shown
            approvable = [d.id for d in drafts if d.recipient]
            if approvable:
                service.approve(approvable, on=AS_OF)
            sent = service.send()
            assert not render(sent.error)
            for draft_id in approvable:
                d = service.get_draft(draft_id)
                eml = folder / "home" / "outbox" / f"draft-{draft_id}.eml"
                event(f"draft {d.status} ({d.source})")
                if d.status == "sent":
                    check_eml(eml, d, service)
                else:
                    assert d.status in ("failed", "cancelled") and render(d.error), (
                        d.status,
                        render(d.error),
                    )
                    assert not eml.exists()
        finally:
            service.close()


def test_the_fuzz_model_really_inserts_its_text() -> None:
    """The fuzz would prove nothing if the hostile text never reached a draft."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_company(folder / "home")  # real company facts: drafts can be approved
        service = Service.open(Settings(RELANCE_HOME=folder / "home"), clock=lambda: FIXED_NOW)
        try:
            write_invoices(
                folder / "f.csv",
                [
                    {
                        "number": "F1",
                        "customer": "C1",
                        "name": "Alpha",
                        "email": "a@example.com",
                        "reference": "R1",
                    }
                ],
            )
            service.import_file("invoices", folder / "f.csv")
            service.chat_backend = LangChainBackend(FuzzModel(body_extra="Merci beaucoup."))
            (draft_id,) = service.draft(AS_OF).created
            draft = service.get_draft(draft_id)
            assert draft.source == "llm" and "Merci beaucoup." in draft.body
            service.chat_backend = LangChainBackend(FuzzModel(body_extra="Payez sur bit.ly/x"))
            regenerated = service.regenerate(draft_id)
            assert regenerated.source == "template" and regenerated.violations
        finally:
            service.close()
    assert date.today()  # the fuzz runs on the store's fixed clock, not the machine's
