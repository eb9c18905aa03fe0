"""Ask, validate, re-ask once with the violations, then give up cleanly (instructor style).

Shared by draft rewrites and brief narratives. Every attempt is logged in `llm_calls`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.i18n import tr
from assistant.llm.backend import BackendError, ChatBackend, Message
from assistant.llm.calllog import CallRecord, log_call
from assistant.llm.prompts import PromptStore
from assistant.storage.db import Store

A = TypeVar("A", bound=BaseModel)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def parse_json(text: str, model: type[A]) -> A:
    """The model's answer as `model`; tolerates a Markdown code fence around the JSON."""
    return model.model_validate(json.loads(_FENCE.sub("", text.strip())))


@dataclass
class AskResult(Generic[A]):
    answer: A | None
    violations: list[str] = field(default_factory=list)
    call_ids: list[int] = field(default_factory=list)


@dataclass
class Asker:
    backend: ChatBackend
    prompts: PromptStore
    store: Store
    purpose: str  # rewrite | brief
    language: str
    customer_id: str | None = None
    step: str | None = None

    async def ask(
        self,
        messages: list[Message],
        model: type[A],
        check: Callable[[A], list[str]],
        gate: Any = None,
    ) -> AskResult[A]:
        result: AskResult[A] = AskResult(None)
        for attempt in (1, 2):
            record = CallRecord(
                purpose=self.purpose,
                attempt=attempt,
                model=self.backend.model,
                messages=list(messages),
                latency_ms=0,
                outcome="error",
                customer_id=self.customer_id,
                step=self.step,
            )
            started = time.perf_counter()
            try:
                if gate is not None:
                    async with gate:
                        completion = await self.backend.complete(messages)
                else:
                    completion = await self.backend.complete(messages)
            except BackendError as exc:
                record.latency_ms = int((time.perf_counter() - started) * 1000)
                record.error = str(exc)
                result.call_ids.append(log_call(self.store, record))
                result.violations.append(
                    tr(
                        "LLM indisponible ({e}) : modèle conservé",
                        "LLM unavailable ({e}): template kept",
                        e=exc,
                    )
                )
                return result
            record.latency_ms = int((time.perf_counter() - started) * 1000)
            record.response = completion.text
            record.model = completion.model
            record.prompt_tokens = completion.prompt_tokens
            record.completion_tokens = completion.completion_tokens
            try:
                answer: A | None = parse_json(completion.text, model)
            except (ValueError, ValidationError):
                answer = None
                result.violations = [
                    tr(
                        "réponse illisible (JSON attendu au format demandé)",
                        "unreadable answer (JSON in the requested shape expected)",
                    )
                ]
                record.outcome = "invalid"
            if answer is not None:
                result.violations = check(answer)
                record.outcome = "violations" if result.violations else "accepted"
            record.violations = result.violations
            result.call_ids.append(log_call(self.store, record))
            if answer is not None and not result.violations:
                result.answer = answer
                return result
            reask = self.prompts.render(
                "reask", language=self.language, violations=result.violations
            )
            messages = [
                *messages,
                {"role": "assistant", "content": completion.text},
                {"role": "user", "content": reask},
            ]
        return result
