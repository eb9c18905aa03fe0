"""SQL for the log of LLM calls (`llm_calls`): one row per call, linked to its draft later
(`drafts_repo.link_llm_calls`). Request, response and violations arrive as Python values."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from assistant.storage.db import Store


def insert_call(
    store: Store,
    *,
    purpose: str,
    customer_id: str | None,
    step: str | None,
    attempt: int,
    model: str,
    messages: Sequence[Any],
    response: str | None,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    latency_ms: int,
    outcome: str,
    violations: Sequence[str],
    error: str | None,
) -> int:
    cur = store.conn.execute(
        "INSERT INTO llm_calls (created_at, purpose, customer_id, step, attempt, model, request,"
        " response, prompt_tokens, completion_tokens, latency_ms, outcome, violations, error)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            store.now_iso(),
            purpose,
            customer_id,
            step,
            attempt,
            model,
            json.dumps(messages, ensure_ascii=False),
            response,
            prompt_tokens,
            completion_tokens,
            latency_ms,
            outcome,
            json.dumps(violations, ensure_ascii=False),
            error,
        ),
    )
    return int(cur.lastrowid or 0)


def calls_for_draft(store: Store, draft_id: int) -> list[dict[str, object]]:
    return store.query(  # type: ignore[return-value]
        "SELECT id, attempt, model, outcome, violations, latency_ms, prompt_tokens,"
        " completion_tokens, error FROM llm_calls WHERE draft_id = ? ORDER BY id",
        (draft_id,),
    )
