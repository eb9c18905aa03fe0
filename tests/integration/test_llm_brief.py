"""Call-prep briefs through the real client and the stub server: checks and fallback."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.money import format_money
from assistant.service import Service
from tests.conftest import FIXED_NOW
from tests.integration.test_llm_rewrite import INJECTION, KEY
from tests.support.llm_stub import StubLLM
from tests.unit.rules_builders import add_customer, add_invoice

AS_OF = date(2026, 11, 24)


def brief_with(tmp_path: Path, stub: StubLLM) -> tuple[dict[str, object], Service]:
    settings = Settings(
        RELANCE_HOME=tmp_path / "home",
        OPENAI_API_KEY=KEY,
        OPENAI_BASE_URL=stub.base_url,
        RELANCE_LLM_TIMEOUT=0.5,
        RELANCE_LLM_RETRIES=0,
    )
    svc = Service.open(settings, clock=lambda: FIXED_NOW)
    add_customer(svc.store, "C1", name="Martin Bâtiment", notes=INJECTION)
    add_invoice(svc.store, "F-77", AS_OF - timedelta(days=25), cents=420_000)
    return svc.brief("C1", AS_OF).as_json(), svc


def test_llm_brief_accepted_with_real_facts_put_back(tmp_path: Path) -> None:
    with StubLLM("ok") as stub:
        data, _ = brief_with(tmp_path, stub)
    assert data["source"] == "llm" and data["violations"] == []
    assert format_money(420_000, "EUR", "fr_FR") in str(data["summary"])
    assert data["recommended_option"] in {o["id"] for o in data["options"]}
    sent = json.dumps(stub.requests, ensure_ascii=False)
    assert "Martin" not in sent and "F-77" not in sent and "4 200" not in sent
    # the untrusted note travels only inside its data block
    user = stub.requests[0]["messages"][1]["content"]
    start, end = user.index("<customer_notes>"), user.index("</customer_notes>")
    assert start < user.index(INJECTION) < end


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [
        ("change_amount", "chiffres hors jeton"),
        ("add_url", "lien ajouté"),
        ("invalid_json", "réponse illisible"),
        ("500", "HTTP 500"),
    ],
)
def test_bad_brief_answers_keep_the_template_brief(
    tmp_path: Path, mode: str, fragment: str
) -> None:
    with StubLLM(mode) as stub:
        data, svc = brief_with(tmp_path, stub)
    assert data["source"] == "template"
    assert any(fragment in v for v in data["violations"]), data["violations"]
    assert "Martin Bâtiment" in str(data["summary"])  # the template summary, facts intact
    outcomes = [r["outcome"] for r in svc.store.query("SELECT outcome FROM llm_calls")]
    assert outcomes == (
        ["error"] if mode == "500" else ["invalid" if mode == "invalid_json" else "violations"] * 2
    )
