"""Every LLM call in SQLite (simonw/llm style): prompt, response, model, tokens, latency,
outcome. Prompts hold locked tokens, never fact values; keys are never in them."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.llm.backend import Message
from assistant.storage import llm_log
from assistant.storage.db import Store


@dataclass
class CallRecord:
    purpose: str  # rewrite | brief
    attempt: int
    model: str
    messages: list[Message]
    latency_ms: int
    outcome: str  # accepted | violations | invalid | error
    customer_id: str | None = None
    step: str | None = None
    response: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    violations: list[str] = field(default_factory=list)
    error: str | None = None


def log_call(store: Store, rec: CallRecord) -> int:
    return llm_log.insert_call(
        store,
        purpose=rec.purpose,
        customer_id=rec.customer_id,
        step=rec.step,
        attempt=rec.attempt,
        model=rec.model,
        messages=rec.messages,
        response=rec.response,
        prompt_tokens=rec.prompt_tokens,
        completion_tokens=rec.completion_tokens,
        latency_ms=rec.latency_ms,
        outcome=rec.outcome,
        violations=rec.violations,
        error=rec.error,
    )


def calls_for_draft(store: Store, draft_id: int) -> list[dict[str, object]]:
    return llm_log.calls_for_draft(store, draft_id)
