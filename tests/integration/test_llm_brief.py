"""Call-prep briefs through the real client and the stub server: every misbehaviour of the
model ends in the expected brief (accepted, re-asked then accepted, or the template brief with
the violations), and no fact or customer free text ever reaches the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.money import format_money
from assistant.service import Service
from tests.conftest import FIXED_NOW
from tests.support.llm_portfolio import AS_OF, FACT_VALUES, KEY, build, llm_settings
from tests.support.llm_stub import StubLLM
from tests.support.pg_neutral import stored_bytes


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    build(home, history=True)
    yield home


def brief_with(home: Path, stub: StubLLM, retries: int = 0) -> tuple[dict, Service]:
    settings = llm_settings(home, stub.base_url, RELANCE_LLM_RETRIES=retries)
    svc = Service.open(settings, clock=lambda: FIXED_NOW)
    return svc.brief("C1", AS_OF).as_json(), svc


def outcomes(svc: Service) -> list[str]:
    return [r["outcome"] for r in svc.store.query("SELECT outcome FROM llm_calls ORDER BY id")]


def test_llm_brief_accepted_with_real_facts_put_back(home: Path) -> None:
    with StubLLM("ok") as stub:
        data, svc = brief_with(home, stub)
    assert data["source"] == "llm" and data["violations"] == []
    assert format_money(123_456, "EUR", "fr_FR") in data["summary"]
    sections = data["script_sections"]
    assert "Odile Quenet" in sections["opening"] and "Menuiseries Zéphyrin" in sections["opening"]
    assert "FA-2026-0917" in sections["facts"][0]
    # the proposal and the closing carry the recommended, computed option with its dates
    option = next(o for o in data["options"] if o["id"] == data["recommended_option"])
    first = option["instalments"][0]
    amount = format_money(int(first["amount"].replace(".", "")), "EUR", "fr_FR")
    assert amount in sections["proposal"] and amount in sections["closing"]
    assert "[[" not in json.dumps(data, ensure_ascii=False)
    assert (
        len(data["script"])
        == len([sections["opening"], *sections["facts"], *sections["questions"]])
        + len(sections["objections"])
        + 2
    )
    assert outcomes(svc) == ["accepted"]


def test_no_fact_nor_free_text_reaches_the_server_and_no_key_is_stored(home: Path) -> None:
    with StubLLM("ok", script=["change_amount"]) as stub:  # a re-ask too
        data, svc = brief_with(home, stub)
    assert data["source"] == "llm" and len(stub.requests) == 2
    sent = json.dumps(stub.requests, ensure_ascii=False)
    for value in FACT_VALUES:
        assert value not in sent, value
    assert "[[TOTAL_OVERDUE]]" in sent and "[[BROKEN_PROMISE_DATE]]" in sent
    # the collector still sees the notes, outside anything the model wrote
    assert "rue des Lilas" in data["commercial"]["notes"]
    assert stub.headers[0]["authorization"] == f"Bearer {KEY}"
    svc.close()
    assert KEY.encode() not in stored_bytes(home)  # the SQLite file and its WAL, or every row


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [
        ("change_amount", "chiffres hors jeton"),
        ("drop_token", "proposition sans l'option recommandée"),
        ("add_url", "lien ajouté"),
        ("threaten", "formule interdite : « tribunal »"),
        ("wrong_language", "langue attendue fr, reçue en"),
        ("invalid_json", "réponse illisible"),
        ("missing_section", "objections: Field required"),
        ("unknown_option", "option inconnue : instalments_12"),
        ("inject", "coordonnées bancaires hors jeton"),
        ("levers", "formule interdite : « indemnité »"),
        ("spelled_amount", "montant, taux ou délai écrit hors jeton"),
    ],
)
def test_bad_brief_answers_are_reasked_then_keep_the_template_brief(
    home: Path, mode: str, fragment: str
) -> None:
    with StubLLM("ok") as offline_stub:
        template = Service.open(
            llm_settings(home, offline_stub.base_url), clock=lambda: FIXED_NOW
        ).brief("C1", AS_OF, offline=True)
    with StubLLM(mode) as stub:
        data, svc = brief_with(home, stub)
    assert data["source"] == "template"
    assert any(fragment in v for v in data["violations"]), data["violations"]
    assert data["summary"] == template.summary and data["script"] == template.script.lines()
    assert "Dupont Énergie" in data["summary"]  # the template summary, facts intact
    assert len(stub.requests) == 2  # asked, then re-asked once with the violations
    assert fragment.split(" :")[0] in stub.requests[1]["messages"][-1]["content"]
    expected = "invalid" if mode in ("invalid_json", "missing_section") else "violations"
    assert outcomes(svc) == [expected, expected]


def test_reask_then_success(home: Path) -> None:
    with StubLLM("ok", script=["unknown_option"]) as stub:
        data, svc = brief_with(home, stub)
    assert data["source"] == "llm" and data["violations"] == []
    assert outcomes(svc) == ["violations", "accepted"]


def test_429_then_success(home: Path) -> None:
    with StubLLM("ok", script=["429"]) as stub:
        data, svc = brief_with(home, stub, retries=1)
    assert data["source"] == "llm" and len(stub.requests) == 2
    assert outcomes(svc) == ["accepted"]  # the SDK's retry is inside one logged call


@pytest.mark.parametrize(("mode", "error"), [("500", "HTTP 500"), ("timeout", "timeout")])
def test_provider_failure_keeps_the_template_brief(home: Path, mode: str, error: str) -> None:
    with StubLLM(mode, hang_s=2.0) as stub:
        data, svc = brief_with(home, stub)
    assert data["source"] == "template" and "Dupont Énergie" in data["summary"]
    assert any(error in v for v in data["violations"])
    row = svc.store.query_one("SELECT outcome, error FROM llm_calls")
    assert row is not None and row["outcome"] == "error" and error in row["error"]


def test_english_collector_gets_an_english_brief_and_checks(home: Path) -> None:
    from assistant.i18n import set_language

    set_language("en")
    with StubLLM("ok") as stub:
        data, _ = brief_with(home, stub)
    assert data["source"] == "llm" and data["summary"].startswith("A customer to call")
    assert "You prepare a collector" in stub.requests[0]["messages"][0]["content"]
    assert "€1,234.56" in data["summary"]  # facts in the collector's language
