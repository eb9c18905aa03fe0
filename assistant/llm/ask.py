"""Ask, validate, re-ask once with the violations, then give up cleanly (instructor style).

Shared by draft rewrites and brief narratives. Every attempt is logged in `llm_calls`. A
`Breaker` shared by a batch stops calling a provider that keeps failing: the remaining drafts
go straight to their template instead of each waiting through its own timeouts and retries.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.i18n import tr
from assistant.llm.backend import BackendError, ChatBackend, Completion, Message
from assistant.llm.calllog import CallRecord, log_call
from assistant.llm.prompts import PromptStore
from assistant.storage.db import Store

A = TypeVar("A", bound=BaseModel)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def parse_json(text: str, model: type[A]) -> A:
    """The model's answer as `model`; tolerates a Markdown code fence around the JSON."""
    return model.model_validate(json.loads(_FENCE.sub("", text.strip())))


def parse_problem(exc: Exception) -> str:
    """What was wrong with an unreadable answer, without echoing its content."""
    if isinstance(exc, ValidationError):
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)[:5]
        )
    elif isinstance(exc, json.JSONDecodeError):
        details = f"JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    else:
        details = type(exc).__name__
    return tr(
        "réponse illisible (JSON attendu au format demandé) : {d}",
        "unreadable answer (JSON in the requested shape expected): {d}",
        d=details,
    )


class Breaker:
    """Opens after `threshold` provider failures in a row; any answer closes it again."""

    def __init__(self, threshold: int = 5) -> None:
        self.threshold = threshold
        self.failures = 0
        self.last_error = ""

    @property
    def open(self) -> bool:
        return self.failures >= self.threshold

    def failed(self, error: str) -> None:
        self.failures += 1
        self.last_error = error

    def answered(self) -> None:
        self.failures = 0


@dataclass
class AskResult(Generic[A]):
    answer: A | None
    violations: list[str] = field(default_factory=list)
    call_ids: list[int] = field(default_factory=list)
    error: str | None = None  # the provider failed (after the client's retries)
    skipped: bool = False  # not asked: the breaker was open


@dataclass
class Asker:
    backend: ChatBackend
    prompts: PromptStore
    store: Store
    purpose: str  # rewrite | brief
    language: str
    customer_id: str | None = None
    step: str | None = None
    breaker: Breaker | None = None

    def _skip(self, result: AskResult[A]) -> AskResult[A]:
        assert self.breaker is not None
        result.skipped, result.error = True, self.breaker.last_error
        result.violations.append(
            tr(
                "LLM indisponible ({e}) : appels suspendus après {n} échecs de suite,"
                " modèle conservé",
                "LLM unavailable ({e}): calls suspended after {n} failures in a row, template kept",
                e=self.breaker.last_error,
                n=self.breaker.threshold,
            )
        )
        return result

    async def _answered(self, messages: list[Message]) -> tuple[Completion, float]:
        """The completion and when it arrived (perf_counter); an answer closes the breaker
        at once, before another request may look at it."""
        completion = await self.backend.complete(messages)
        if self.breaker is not None:
            self.breaker.answered()
        return completion, time.perf_counter()

    async def ask(
        self,
        messages: list[Message],
        model: type[A],
        check: Callable[[A], list[str]],
        gate: Any = None,
    ) -> AskResult[A]:
        result: AskResult[A] = AskResult(None)
        for attempt in (1, 2):
            if self.breaker is not None and self.breaker.open:
                return self._skip(result)
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
                        if self.breaker is not None and self.breaker.open:
                            return self._skip(result)
                        started = time.perf_counter()
                        completion, received = await self._answered(messages)
                    # the next request of the batch leaves before this answer is checked
                    await asyncio.sleep(0)
                else:
                    completion, received = await self._answered(messages)
            except BackendError as exc:
                record.latency_ms = int((time.perf_counter() - started) * 1000)
                record.error = str(exc)
                result.call_ids.append(log_call(self.store, record))
                if self.breaker is not None:
                    self.breaker.failed(str(exc))
                result.error = str(exc)
                result.violations.append(
                    tr(
                        "LLM indisponible ({e}) : modèle conservé",
                        "LLM unavailable ({e}): template kept",
                        e=exc,
                    )
                )
                return result
            record.latency_ms = int((received - started) * 1000)
            record.response = completion.text
            record.model = completion.model
            record.prompt_tokens = completion.prompt_tokens
            record.completion_tokens = completion.completion_tokens
            try:
                answer: A | None = parse_json(completion.text, model)
            except (ValueError, ValidationError) as exc:
                answer = None
                result.violations = [parse_problem(exc)]
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
