"""Fact-locked rewrites of drafts (instructor style): ask, validate, re-ask once with the
violations, then give up cleanly and keep the approved template text.

Calls run concurrently under a semaphore; a provider failure on one draft only sends that
draft back to its template. Each call is logged in `llm_calls`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from assistant.drafting.pipeline import DraftRequest, RewriteOutcome, template_outcome
from assistant.llm.ask import Asker
from assistant.llm.backend import ChatBackend, Message
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


class RewriteAnswer(BaseModel):
    """What the model must return."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    subject: str
    body: str


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
        expected = tokens_in(req.locked.subject + "\n" + req.locked.body)

        def check(answer: RewriteAnswer) -> list[str]:
            return check_rewrite(
                answer.subject,
                answer.body,
                expected_tokens=expected,
                rule=rule,
                template_body=req.locked.body,
                subject_tokens=tokens_in(req.locked.subject),
            )

        asker = Asker(
            self.backend,
            self.prompts,
            self.store,
            "rewrite",
            rule.language,
            req.action.customer_id,
            req.action.step,
        )
        result = await asker.ask(self.messages_for(req, rule), RewriteAnswer, check, gate)
        if result.answer is None:
            return _fallback(req, result.violations, result.call_ids)
        values = req.locked_facts
        return RewriteOutcome(
            substitute(result.answer.subject, values),
            substitute(result.answer.body, values),
            "llm",
            [],
            result.call_ids,
        )


def _fallback(req: DraftRequest, violations: list[str], call_ids: list[int]) -> RewriteOutcome:
    outcome = template_outcome(req, violations)
    outcome.call_ids = call_ids
    return outcome
