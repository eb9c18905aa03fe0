"""Every LLM call in SQLite (simonw/llm style): prompt, response, model, tokens, latency,
outcome. Prompts hold locked tokens, never fact values; keys are never in them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from assistant.llm.backend import Message
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
    cur = store.conn.execute(
        "INSERT INTO llm_calls (created_at, purpose, customer_id, step, attempt, model, request,"
        " response, prompt_tokens, completion_tokens, latency_ms, outcome, violations, error)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            store.now_iso(),
            rec.purpose,
            rec.customer_id,
            rec.step,
            rec.attempt,
            rec.model,
            json.dumps(rec.messages, ensure_ascii=False),
            rec.response,
            rec.prompt_tokens,
            rec.completion_tokens,
            rec.latency_ms,
            rec.outcome,
            json.dumps(rec.violations, ensure_ascii=False),
            rec.error,
        ),
    )
    return int(cur.lastrowid or 0)


def calls_for_draft(store: Store, draft_id: int) -> list[dict[str, object]]:
    return store.query(
        "SELECT id, attempt, model, outcome, violations, latency_ms, prompt_tokens,"
        " completion_tokens, error FROM llm_calls WHERE draft_id = ? ORDER BY id",
        (draft_id,),
    )
