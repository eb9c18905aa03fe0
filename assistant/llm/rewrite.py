"""Fact-locked rewrites of drafts (instructor style): ask, validate, re-ask once with the
violations, then give up cleanly and keep the approved template text.

Calls run concurrently under a semaphore; a provider failure on one draft only sends that
draft back to its template. Each call is logged in `llm_calls`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.drafting.pipeline import DraftRequest, RewriteOutcome, template_outcome
from assistant.i18n import tr
from assistant.llm.backend import BackendError, ChatBackend, Message
from assistant.llm.calllog import CallRecord, log_call
from assistant.llm.guardrails import check_rewrite, substitute, tokens_in
from assistant.llm.prompts import PromptStore
from assistant.llm.tone import TonePolicy, ToneRule
from assistant.storage.db import Store

STEP_LABELS = {
    "pre_due": ("rappel courtois avant l'échéance", "courteous reminder before the due date"),
    "reminder_1": ("première relance, bienveillante", "first reminder, benevolent"),
    "reminder_2": ("deuxième relance, plus ferme", "second reminder, firmer"),
    "instalment_reminder": (
        "rappel d'une échéance de plan de paiement",
        "reminder of a payment-plan instalment",
    ),
}
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class RewriteAnswer(BaseModel):
    """What the model must return."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    subject: str
    body: str


def parse_answer(text: str) -> RewriteAnswer:
    return RewriteAnswer.model_validate(json.loads(_FENCE.sub("", text.strip())))


@dataclass
class LlmRewriter:
    """The `Rewriter` of the drafting pipeline, backed by a chat model."""

    backend: ChatBackend
    tone: TonePolicy
    prompts: PromptStore
    store: Store
    concurrency: int = 8
    adjustment: str | None = None  # softer | firmer | shorter | longer (one regenerated draft)

    def __call__(
        self, requests: Sequence[DraftRequest], progress: Callable[[int], None]
    ) -> list[RewriteOutcome]:
        return asyncio.run(self.rewrite_all(requests, progress))

    async def rewrite_all(
        self, requests: Sequence[DraftRequest], progress: Callable[[int], None]
    ) -> list[RewriteOutcome]:
        gate = asyncio.Semaphore(self.concurrency)
        done = 0

        async def one(req: DraftRequest) -> RewriteOutcome:
            nonlocal done
            try:
                return await self.rewrite(req, gate)
            finally:
                done += 1
                progress(done)

        try:
            return list(await asyncio.gather(*(one(r) for r in requests)))
        finally:
            close = getattr(self.backend, "aclose", None)
            if close is not None:
                await close()

    def rule_for(self, req: DraftRequest) -> ToneRule:
        act = req.action
        return self.tone.rule_for(act.step, act.segment, req.language).adjusted(self.adjustment)

    def messages_for(self, req: DraftRequest, rule: ToneRule) -> list[Message]:
        lang = rule.language
        tokens = list(dict.fromkeys(tokens_in(req.locked.subject + "\n" + req.locked.body)))
        low, high = rule.bounds
        size = len(req.locked.body)
        label = STEP_LABELS.get(req.action.step, (req.action.step, req.action.step))
        template_json = json.dumps(
            {"subject": req.locked.subject, "body": req.locked.body}, ensure_ascii=False, indent=1
        )
        user = self.prompts.render(
            "rewrite_user",
            language=lang,
            step=req.action.step,
            step_label=label[1] if lang == "en" else label[0],
            segment=req.action.segment or "standard",
            relationship=req.relationship,
            firmness=rule.firmness,
            formality=rule.formality,
            length=rule.length,
            min_chars=int(low * size),
            max_chars=int(high * size),
            adjustment=self.adjustment,
            required=rule.required,
            tokens=tokens,
            subject_tokens=list(dict.fromkeys(tokens_in(req.locked.subject))),
            template_json=template_json,
        )
        system = self.prompts.render("rewrite_system", language=lang)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def rewrite(self, req: DraftRequest, gate: asyncio.Semaphore) -> RewriteOutcome:
        rule = self.rule_for(req)
        messages = self.messages_for(req, rule)
        expected = tokens_in(req.locked.subject + "\n" + req.locked.body)
        call_ids: list[int] = []
        violations: list[str] = []
        for attempt in (1, 2):
            record = CallRecord(
                purpose="rewrite",
                attempt=attempt,
                model=self.backend.model,
                messages=list(messages),
                latency_ms=0,
                outcome="error",
                customer_id=req.action.customer_id,
                step=req.action.step,
            )
            started = time.perf_counter()
            try:
                async with gate:
                    completion = await self.backend.complete(messages)
            except BackendError as exc:
                record.latency_ms = int((time.perf_counter() - started) * 1000)
                record.error = str(exc)
                call_ids.append(log_call(self.store, record))
                reason = tr(
                    "LLM indisponible ({e}) : modèle conservé",
                    "LLM unavailable ({e}): template kept",
                    e=exc,
                )
                return _fallback(req, [*violations, reason], call_ids)
            record.latency_ms = int((time.perf_counter() - started) * 1000)
            record.response = completion.text
            record.model = completion.model
            record.prompt_tokens = completion.prompt_tokens
            record.completion_tokens = completion.completion_tokens
            try:
                answer = parse_answer(completion.text)
            except (ValueError, ValidationError):
                answer = None
                violations = [
                    tr(
                        "réponse illisible (JSON subject/body attendu)",
                        "unreadable answer (JSON subject/body expected)",
                    )
                ]
                record.outcome = "invalid"
            if answer is not None:
                violations = check_rewrite(
                    answer.subject,
                    answer.body,
                    expected_tokens=expected,
                    rule=rule,
                    template_body=req.locked.body,
                    subject_tokens=tokens_in(req.locked.subject),
                )
                record.outcome = "violations" if violations else "accepted"
            record.violations = violations
            call_ids.append(log_call(self.store, record))
            if answer is not None and not violations:
                values = req.locked_facts
                return RewriteOutcome(
                    substitute(answer.subject, values),
                    substitute(answer.body, values),
                    "llm",
                    [],
                    call_ids,
                )
            messages = [
                *messages,
                {"role": "assistant", "content": completion.text},
                {
                    "role": "user",
                    "content": self.prompts.render(
                        "reask", language=rule.language, violations=violations
                    ),
                },
            ]
        return _fallback(req, violations, call_ids)


def _fallback(req: DraftRequest, violations: list[str], call_ids: list[int]) -> RewriteOutcome:
    outcome = template_outcome(req, violations)
    outcome.call_ids = call_ids
    return outcome
