"""The rewriter with langchain-core fake chat models (no HTTP), and prompt assembly."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.company import load_company
from assistant.drafting.pipeline import build_requests
from assistant.drafting.templates import TemplateStore
from assistant.errors import UserError
from assistant.llm.backend import Completion, LangChainBackend
from assistant.llm.prompts import PromptStore
from assistant.llm.rewrite import LlmRewriter
from assistant.llm.tone import load_tone_policy
from assistant.service import Service
from tests.support.llm_stub import good_rewrite
from tests.unit.rules_builders import add_customer, add_invoice

AS_OF = date(2026, 11, 24)


class EchoRewriter(BaseChatModel):
    """A fake model that rewrites the template it is given, keeping every token."""

    @property
    def _llm_type(self) -> str:
        return "echo-rewriter"

    def _generate(self, messages: list[BaseMessage], *a: Any, **kw: Any) -> ChatResult:
        plain = [{"role": m.type, "content": str(m.content)} for m in messages]
        answer = json.dumps(good_rewrite(plain), ensure_ascii=False)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=answer))])


def setup(service: Service, language: str = "fr") -> None:
    add_customer(service.store, "C1", language=language)
    add_invoice(service.store, "F1", AS_OF - timedelta(days=5))


def test_fake_model_rewrite_is_accepted(service: Service) -> None:
    setup(service)
    service.chat_backend = LangChainBackend(EchoRewriter())
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert draft.source == "llm" and draft.body.startswith("Madame, Monsieur,")


def test_unusable_answers_fall_back_after_one_reask(service: Service) -> None:
    setup(service)
    fake = GenericFakeChatModel(messages=iter(["pas du JSON", '{"subject": "x"}']))
    service.chat_backend = LangChainBackend(fake)
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert draft.source == "template" and draft.body == draft.template_body
    assert draft.violations and "illisible" in draft.violations[0]
    assert service.store.scalar("SELECT COUNT(*) FROM llm_calls WHERE outcome = 'invalid'") == 2


def test_a_crashing_model_is_contained(service: Service) -> None:
    setup(service)
    fake = GenericFakeChatModel(messages=iter([]))  # raises on first use
    service.chat_backend = LangChainBackend(fake)
    (draft_id,) = service.draft(AS_OF).created
    draft = service.get_draft(draft_id)
    assert draft.source == "template" and "LLM" in draft.violations[0]


def rewriter(service: Service, adjustment: str | None = None) -> LlmRewriter:
    return LlmRewriter(
        backend=LangChainBackend(EchoRewriter()),
        tone=load_tone_policy(None),
        prompts=PromptStore(None),
        store=service.store,
        adjustment=adjustment,
    )


def requests_for(service: Service) -> list[Any]:
    reqs, _ = build_requests(
        service.store,
        service.plan(AS_OF),
        load_company(None),
        TemplateStore(None),
        llm_enabled=True,
    )
    return [r for r in reqs if r.rewrite]


def test_prompt_holds_tokens_context_and_no_value(service: Service) -> None:
    setup(service, language="en")
    (req,) = requests_for(service)
    llm = rewriter(service, adjustment="softer")
    messages = llm.messages_for(req, llm.rule_for(req))
    system, user = messages[0]["content"], messages[1]["content"]
    assert "accounts receivable" in system and "JSON" in system  # English prompts for English
    assert "reminder_1" in user and "[[TOTAL_DUE]]" in user and "softer" in user
    assert "<template>" in user
    text = json.dumps(messages, ensure_ascii=False)
    for value in req.facts.values.values():
        if value and len(value) > 3:
            assert value not in text, value


def test_prompts_can_be_overridden_in_the_home(service: Service) -> None:
    (service.home / "prompts").mkdir(parents=True)
    (service.home / "prompts" / "rewrite_system.j2").write_text("Maison : {{ language }}")
    setup(service)
    (req,) = requests_for(service)
    llm = rewriter(service)
    llm.prompts = PromptStore(service.home)
    assert llm.messages_for(req, llm.rule_for(req))[0]["content"] == "Maison : fr"


def test_regenerate_softer_or_in_english_supersedes_the_draft(service: Service) -> None:
    setup(service)
    (first,) = service.draft(AS_OF, offline=True).created
    english = service.regenerate(first, language="en")
    assert english.language == "en" and english.body.startswith("Hello,")
    assert english.parent_id == first and service.get_draft(first).status == "superseded"
    service.chat_backend = LangChainBackend(EchoRewriter())
    softer = service.regenerate(english.id, adjustment="softer", language="en")
    assert softer.source == "llm" and softer.tone_adjustment == "softer"
    prompt = service.store.scalar("SELECT request FROM llm_calls ORDER BY id DESC LIMIT 1")
    assert "softer" in prompt
    assert [d.id for d in service.drafts("pending")] == [softer.id]


def test_regenerate_refuses_what_it_cannot_do(service: Service) -> None:
    setup(service)
    (first,) = service.draft(AS_OF, offline=True).created
    with pytest.raises(UserError, match="ton inconnu"):
        service.regenerate(first, adjustment="angrier")
    service.approve([first], on=AS_OF)
    with pytest.raises(UserError, match="en attente"):
        service.regenerate(first, adjustment="softer")


class FlakyBackend:
    """Answers like the echo model, but the second request blows up inside the backend."""

    model = "flaky"

    async def complete(self, messages: list[dict[str, str]]) -> Completion:
        if len(self.seen) == 1:
            self.seen.append("boom")
            raise RuntimeError("unexpected")
        self.seen.append("ok")
        return Completion(json.dumps(good_rewrite(messages), ensure_ascii=False), self.model)

    def __init__(self) -> None:
        self.seen: list[str] = []


def test_an_unexpected_error_stays_with_its_draft(service: Service) -> None:
    for cid in ("C1", "C2", "C3"):
        add_customer(service.store, cid)
        add_invoice(service.store, f"F-{cid}", AS_OF - timedelta(days=5), cid=cid)
    service.chat_backend = FlakyBackend()
    report = service.draft(AS_OF)
    assert len(report.created) == 3 and report.llm == 2 and report.fallbacks == 1
    assert report.fallback_reasons == {"erreur interne": 1}
    (failed,) = [d for d in service.drafts() if d.source == "template"]
    assert failed.violations == ["erreur interne (RuntimeError) : modèle conservé"]
    assert failed.body == failed.template_body


def test_a_broken_prompt_override_is_one_clear_error_and_writes_nothing(service: Service) -> None:
    from assistant.errors import PolicyError

    (service.home / "prompts").mkdir(parents=True)
    (service.home / "prompts" / "rewrite_user.j2").write_text("{{ unknown_variable }}")
    setup(service)
    service.chat_backend = LangChainBackend(EchoRewriter())
    with pytest.raises(PolicyError, match="rewrite_user"):
        service.draft(AS_OF)
    assert service.drafts() == []
