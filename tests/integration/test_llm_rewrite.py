"""The real OpenAI client, over real HTTP, against a stub server that misbehaves on purpose.

Every case ends in the expected draft: an accepted rewrite, a re-ask then success, or the
approved template with the violation recorded; no batch is ever aborted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.drafting.queue import DraftView
from assistant.money import format_money
from assistant.service import Service
from tests.conftest import FIXED_NOW, run_cli
from tests.support.llm_portfolio import (
    AS_OF,
    FACT_VALUES,
    IBAN,
    INJECTION,
    KEY,
    build,
    llm_settings,
)
from tests.support.llm_stub import StubLLM
from tests.unit.rules_builders import add_customer, add_invoice

__all__ = ["INJECTION", "KEY"]


def llm_service(home: Path, stub: StubLLM, **extra: object) -> Service:
    return Service.open(llm_settings(home, stub.base_url, **extra), clock=lambda: FIXED_NOW)


@pytest.fixture
def portfolio(tmp_path: Path) -> Iterator[Path]:
    """C1 due for the first reminder (J+5); its name, notes and reference are distinctive and
    its free text tries an injection; the company's facts are distinctive too."""
    home = tmp_path / "home"
    build(home)
    yield home


def draft_with(home: Path, stub: StubLLM) -> tuple[DraftView, Service]:
    svc = llm_service(home, stub)
    report = svc.draft(AS_OF)
    (draft_id,) = report.created
    return svc.get_draft(draft_id), svc


def calls(svc: Service) -> list[dict[str, object]]:
    return svc.store.query("SELECT * FROM llm_calls ORDER BY id")


def test_accepted_rewrite_gets_the_real_facts_back(portfolio: Path) -> None:
    with StubLLM("ok") as stub:
        draft, svc = draft_with(portfolio, stub)
    assert draft.source == "llm" and draft.violations == []
    assert draft.body.startswith("Madame, Monsieur,")
    assert format_money(123_456, "EUR", "fr_FR") in draft.body
    assert "FA-2026-0917" in draft.body and IBAN in draft.body
    assert "[[" not in draft.body + draft.subject
    assert draft.template_body.startswith("Bonjour,")  # the approved text is kept alongside
    (call,) = calls(svc)
    assert call["outcome"] == "accepted" and call["draft_id"] == draft.id
    assert call["model"] == "stub-model" and call["prompt_tokens"] > 0
    assert call["completion_tokens"] > 0 and call["latency_ms"] >= 0
    assert json.loads(str(call["request"]))[1]["role"] == "user"
    assert json.loads(str(call["response"]))["body"].startswith("Madame, Monsieur,")
    assert stub.headers[0]["authorization"] == f"Bearer {KEY}"


def test_fenced_json_is_accepted(portfolio: Path) -> None:
    with StubLLM("fenced") as stub:
        draft, _ = draft_with(portfolio, stub)
    assert draft.source == "llm"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("change_amount", "jeton manquant : [[TOTAL_DUE]]"),
        ("drop_token", "jeton manquant : [[IBAN]]"),
        ("add_url", "lien ajouté hors jeton"),
        ("threaten", "formule interdite : « tribunal »"),
        ("wrong_language", "langue attendue fr, reçue en"),
        ("invalid_json", "réponse illisible"),
        ("inject", "coordonnées bancaires hors jeton"),
        ("spelled_amount", "montant, taux ou délai écrit hors jeton"),
        ("altered_token", "jeton altéré"),
        ("duplicate_token", "jeton répété : [[INVOICE_LIST]]"),
        ("html", "balise HTML"),
        ("huge", "longueur hors limites"),
        ("empty_body", "corps vide"),
    ],
)
def test_bad_rewrites_are_reasked_then_fall_back(portfolio: Path, mode: str, expected: str) -> None:
    with StubLLM(mode) as stub:
        draft, svc = draft_with(portfolio, stub)
    assert draft.source == "template"
    assert draft.body == draft.template_body  # the approved template, facts included
    assert any(expected in v for v in draft.violations), draft.violations
    assert len(stub.requests) == 2  # asked, then re-asked once with the violations
    reask = stub.requests[1]["messages"][-1]["content"]
    assert expected.split(" :")[0].split(",")[0] in reask
    assert [c["outcome"] for c in calls(svc)] == [
        "invalid" if mode == "invalid_json" else "violations"
    ] * 2
    assert {c["draft_id"] for c in calls(svc)} == {draft.id}


def test_change_amount_is_also_caught_as_digits(portfolio: Path) -> None:
    with StubLLM("change_amount") as stub:
        draft, _ = draft_with(portfolio, stub)
    assert any("chiffres hors jeton" in v for v in draft.violations)


def test_reask_then_success(portfolio: Path) -> None:
    with StubLLM("ok", script=["drop_token"]) as stub:
        draft, svc = draft_with(portfolio, stub)
    assert draft.source == "llm" and draft.violations == []
    assert [c["outcome"] for c in calls(svc)] == ["violations", "accepted"]
    assert "[[IBAN]]" in stub.requests[1]["messages"][-1]["content"]


def test_429_is_retried_by_the_client(portfolio: Path) -> None:
    with StubLLM("ok", script=["429"]) as stub:
        draft, _ = draft_with(portfolio, stub)
    assert draft.source == "llm"
    assert len(stub.requests) == 2


@pytest.mark.parametrize(("mode", "error"), [("500", "HTTP 500"), ("timeout", "timeout")])
def test_provider_failure_falls_back_to_the_template(
    portfolio: Path, mode: str, error: str
) -> None:
    with StubLLM(mode, hang_s=2.0) as stub:
        draft, svc = draft_with(portfolio, stub)
    assert draft.source == "template" and draft.body == draft.template_body
    assert any(error in v for v in draft.violations)
    (call,) = calls(svc)
    assert call["outcome"] == "error" and error in str(call["error"])
    assert len(stub.requests) == 2  # the SDK retried once (RELANCE_LLM_RETRIES=1)


def many_customers(home: Path, n: int) -> None:
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    for i in range(n):
        add_customer(svc.store, f"C{i:02}")
        add_invoice(svc.store, f"F{i:02}", AS_OF - timedelta(days=5), cid=f"C{i:02}")
    svc.close()


def test_one_failure_never_aborts_the_batch(tmp_path: Path) -> None:
    home = tmp_path / "home"
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    add_customer(svc.store, "C1")
    add_invoice(svc.store, "A1", AS_OF + timedelta(days=3), cid="C1")  # pre_due
    add_customer(svc.store, "C2")
    add_invoice(svc.store, "B1", AS_OF - timedelta(days=5), cid="C2")  # reminder_1
    add_customer(svc.store, "C3")
    add_invoice(svc.store, "C1-1", AS_OF - timedelta(days=12), cid="C3")  # reminder_2
    svc.close()
    by_step = {"pre_due": "timeout", "reminder_1": "500"}
    with StubLLM("ok", by_step=by_step, hang_s=2.0) as stub:
        svc = llm_service(home, stub)
        report = svc.draft(AS_OF)
    drafts = {d.step: d for d in svc.drafts() if d.channel == "email"}
    assert set(drafts) == {"pre_due", "reminder_1", "reminder_2"}
    assert drafts["reminder_2"].source == "llm"
    assert drafts["pre_due"].source == drafts["reminder_1"].source == "template"
    assert report.llm == 1 and report.fallbacks == 2
    assert report.fallback_reasons == {
        "LLM indisponible (timeout)": 1,
        "LLM indisponible (HTTP 500)": 1,
    }


def test_a_provider_outage_on_a_whole_batch_stops_calling_and_every_draft_falls_back(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    many_customers(home, 12)
    with StubLLM("500") as stub:
        svc = llm_service(home, stub, RELANCE_LLM_CONCURRENCY=2)
        report = svc.draft(AS_OF)
    assert len(report.created) == 12 and report.llm == 0 and report.fallbacks == 12
    assert all(d.source == "template" and d.body == d.template_body for d in svc.drafts())
    assert sum(report.fallback_reasons.values()) == 12
    # 5 failures in a row open the breaker; one more draft may already be in flight
    # (concurrency 2). Each asked draft costs 2 requests (RELANCE_LLM_RETRIES=1): at most 12
    # requests where 24 would be made without the breaker.
    asked = report.fallback_reasons["LLM indisponible (HTTP 500)"]
    suspended = report.fallback_reasons["LLM indisponible (HTTP 500), appels suspendus"]
    assert 5 <= asked <= 6 and asked + suspended == 12
    assert len(stub.requests) == asked * 2
    row = svc.store.query_one("SELECT COUNT(*) AS n FROM llm_calls WHERE outcome = 'error'")
    assert row is not None and row["n"] == asked  # skipped drafts made no call to log
    skipped = next(d for d in svc.drafts() if "suspendus" in " ".join(d.violations))
    assert "5 échecs de suite" in skipped.violations[0]
    text = "\n".join(report.lines())
    assert "repli sur le modèle : 12" in text and f"appels suspendus : {suspended}" in text


def test_outage_from_the_command_line_exits_0_with_a_summary(tmp_path: Path) -> None:
    home = tmp_path / "home"
    many_customers(home, 3)
    with StubLLM("500") as stub:
        env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": stub.base_url, "RELANCE_LLM_RETRIES": "0"}
        result = run_cli("draft", "--as-of", AS_OF.isoformat(), home=home, env=env)
    assert result.returncode == 0, result.stderr
    assert "3 brouillon(s) créé(s)" in result.stdout
    assert "repli sur le modèle : 3" in result.stdout
    assert "LLM indisponible (HTTP 500) : 3" in result.stdout
    assert "Traceback" not in result.stderr


def test_concurrency_is_bounded_by_the_setting(tmp_path: Path) -> None:
    home = tmp_path / "home"
    many_customers(home, 9)
    with StubLLM("ok", latency_s=0.2) as stub:
        svc = llm_service(home, stub, RELANCE_LLM_CONCURRENCY=3)
        report = svc.draft(AS_OF)
    assert report.llm == 9
    assert 2 <= stub.max_in_flight <= 3  # requests overlap, never more than the bound


def test_no_fact_and_no_customer_text_ever_reaches_the_server(portfolio: Path) -> None:
    with StubLLM("ok", script=["drop_token"]) as stub:  # a re-ask too
        draft, _ = draft_with(portfolio, stub)
    assert draft.source == "llm" and len(stub.requests) == 2
    sent = json.dumps(stub.requests, ensure_ascii=False)
    for value in FACT_VALUES:
        assert value not in sent, value
    assert "[[TOTAL_DUE]]" in sent and "[[CUSTOMER_NAME]]" not in draft.body
    # the injected instruction changed nothing: our IBAN is there, and the injected text only
    # where the approved template itself quotes the invoice reference (the invoice list)
    assert IBAN in draft.body
    assert draft.body.count("9999 8888") == draft.template_body.count("9999 8888") == 1


@pytest.mark.parametrize(
    ("mode", "script", "retries", "source"),
    [
        ("ok", ["500", "drop_token"], 1, "llm"),  # an error the SDK retries, a re-ask, a success
        ("500", [], 0, "template"),  # the provider fails: our own error path logs the failure
    ],
    ids=["recovered", "provider-error"],
)
def test_the_key_is_never_stored_nor_logged(
    portfolio: Path,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    script: list[str],
    retries: int,
    source: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    with StubLLM(mode, script=script) as stub:
        svc = llm_service(portfolio, stub, RELANCE_LLM_RETRIES=retries)
        (draft_id,) = svc.draft(AS_OF).created
        svc.brief("C1", AS_OF)
    draft = svc.get_draft(draft_id)
    assert draft.source == source
    errors = [c["error"] for c in calls(svc) if c["outcome"] == "error"]
    assert errors == (["HTTP 500", "HTTP 500"] if mode == "500" else [])  # the draft, the brief
    assert caplog.records and KEY not in caplog.text  # the SDK logs requests at debug level
    svc.close()
    for path in portfolio.iterdir():
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_regenerate_stays_inside_the_policy(portfolio: Path) -> None:
    with StubLLM("ok") as stub:
        draft, svc = draft_with(portfolio, stub)
        firmer = svc.regenerate(draft.id, adjustment="firmer")
        english = svc.regenerate(firmer.id, language="en")
    assert firmer.source == "llm" and firmer.tone_adjustment == "firmer"
    prompt = stub.requests[1]["messages"][1]["content"]
    # reminder_1 is courteous; "firmer" goes up to the step's own firmness, not beyond
    assert "Ton : courteous" in prompt and "firmer" in prompt
    assert english.language == "en" and english.source == "llm"
    assert "Write in English only" in stub.requests[2]["messages"][0]["content"]
    assert english.body.startswith("Dear customer,")
    with StubLLM("threaten") as stub:
        worse = llm_service(portfolio, stub).regenerate(english.id, adjustment="firmer")
    assert worse.source == "template" and worse.body == worse.template_body
    assert worse.body.startswith("Hello,")  # the English template, facts intact
    assert "formule interdite : « legal action »" in worse.violations  # English policy list


def test_template_mode_without_key_or_when_switched_off(portfolio: Path) -> None:
    svc = Service.open(Settings(RELANCE_HOME=portfolio), clock=lambda: FIXED_NOW)
    assert not svc.llm_available
    (draft_id,) = svc.draft(AS_OF).created
    assert svc.get_draft(draft_id).source == "template"
    off = Settings(RELANCE_HOME=portfolio, OPENAI_API_KEY=KEY, RELANCE_LLM="off")
    assert not Service.open(off, clock=lambda: FIXED_NOW).llm_available
