"""Fact-locked rewrites of drafts (instructor style): ask, validate, re-ask once with the
violations, then give up cleanly and keep the approved template text.

Calls run concurrently under a semaphore; a provider failure on one draft only sends that
draft back to its template, and after `breaker_threshold` failures in a row the rest of the
batch is not asked at all (a provider outage costs seconds, not hours of timeouts). Each call
is logged in `llm_calls`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from assistant.drafting.pipeline import Deliver, DraftRequest, RewriteOutcome, template_outcome
from assistant.errors import PolicyError
from assistant.i18n import tr
from assistant.llm.ask import Asker, AskResult, Breaker
from assistant.llm.backend import ChatBackend, Message
from assistant.llm.guardrails import check_rewrite, substitute, tokens_in, warm_up
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
    breaker_threshold: int = 5

    def __post_init__(self) -> None:
        # the language model of the guardrails loads while the drafts are rendered, not while
        # the first answers wait for it
        warm_up()
        self._system: dict[str, str] = {}  # the system prompt, rendered once per language

    def __call__(
        self, requests: Sequence[DraftRequest], progress: Callable[[int], None]
    ) -> list[RewriteOutcome]:
        return asyncio.run(self.rewrite_all(requests, progress))

    def stream(self, requests: Iterable[DraftRequest], deliver: Deliver) -> None:
        """The pipeline form (see `StreamingRewriter`): one event loop for the batch."""
        asyncio.run(self.astream(requests, deliver))

    async def rewrite_all(
        self, requests: Sequence[DraftRequest], progress: Callable[[int], None]
    ) -> list[RewriteOutcome]:
        outcomes: dict[int, RewriteOutcome] = {}

        def deliver(req: DraftRequest, outcome: RewriteOutcome) -> None:
            outcomes[id(req)] = outcome
            progress(len(outcomes))

        await self.astream(requests, deliver)
        return [outcomes[id(r)] for r in requests]

    async def astream(self, requests: Iterable[DraftRequest], deliver: Deliver) -> None:
        """Ask for each request under the concurrency bound and deliver each outcome as it is
        known. At most twice the bound are taken from `requests` ahead of the answers (a
        request is built while others are in flight, not all before the first). An error
        (a broken policy file, or `deliver` failing) stops the batch: the requests not yet
        delivered are cancelled and the error is raised."""
        warm_up()
        gate = asyncio.Semaphore(self.concurrency)
        room = asyncio.Semaphore(2 * self.concurrency)
        breaker = Breaker(self.breaker_threshold)
        tasks: set[asyncio.Task[None]] = set()
        failed: list[BaseException] = []

        async def one(req: DraftRequest) -> None:
            try:
                deliver(req, await self._contained(req, gate, breaker))
            except BaseException as exc:
                failed.append(exc)
                raise
            finally:
                room.release()

        try:
            for req in requests:
                await room.acquire()
                if failed:
                    break
                task = asyncio.create_task(one(req))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            while tasks and not failed:
                await asyncio.wait(set(tasks), return_when=asyncio.FIRST_EXCEPTION)
            if failed:
                raise failed[0]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            close = getattr(self.backend, "aclose", None)
            if close is not None:
                await close()

    async def _contained(
        self, req: DraftRequest, gate: asyncio.Semaphore, breaker: Breaker
    ) -> RewriteOutcome:
        try:
            return await self.rewrite(req, gate, breaker)
        except PolicyError:
            raise  # a broken prompt or policy file: every draft would fail, say so once
        except Exception as exc:  # anything else stays with this draft: it keeps its template
            outcome = template_outcome(
                req,
                [
                    tr(
                        "erreur interne ({e}) : modèle conservé",
                        "internal error ({e}): template kept",
                        e=type(exc).__name__,
                    )
                ],
            )
            outcome.fallback_reason = tr("erreur interne", "internal error")
            return outcome

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
        system = self._system.get(lang)
        if system is None:
            system = self._system[lang] = self.prompts.render("rewrite_system", language=lang)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def rewrite(
        self, req: DraftRequest, gate: asyncio.Semaphore, breaker: Breaker | None = None
    ) -> RewriteOutcome:
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
                template_subject=req.locked.subject,
            )

        asker = Asker(
            self.backend,
            self.prompts,
            self.store,
            "rewrite",
            rule.language,
            req.action.customer_id,
            req.action.step,
            breaker,
        )
        result = await asker.ask(self.messages_for(req, rule), RewriteAnswer, check, gate)
        if result.answer is None:
            return _fallback(req, result)
        values = req.locked_facts
        return RewriteOutcome(
            substitute(result.answer.subject, values),
            substitute(result.answer.body, values),
            "llm",
            [],
            result.call_ids,
        )


def fallback_reason(result: AskResult[RewriteAnswer]) -> str:
    """Why a draft kept its template, in a few words (the batch summary counts them)."""
    if result.skipped:
        return tr(
            "LLM indisponible ({e}), appels suspendus",
            "LLM unavailable ({e}), calls suspended",
            e=result.error,
        )
    if result.error is not None:
        return tr("LLM indisponible ({e})", "LLM unavailable ({e})", e=result.error)
    return tr("réponse refusée par les contrôles", "answer refused by the checks")


def _fallback(req: DraftRequest, result: AskResult[RewriteAnswer]) -> RewriteOutcome:
    outcome = template_outcome(req, result.violations)
    outcome.call_ids = result.call_ids
    outcome.fallback_reason = fallback_reason(result)
    return outcome
