"""The ask / re-ask loop and its circuit breaker, with in-process backends (no HTTP)."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from assistant.llm.ask import Asker, AskResult, Breaker
from assistant.llm.backend import BackendError, Completion, Message
from assistant.llm.prompts import PromptStore
from assistant.storage.db import Store

QUESTION: list[Message] = [{"role": "user", "content": "Réécris [[TOTAL_DUE]]."}]


class Answer(BaseModel):
    body: str


class Scripted:
    """Answers (or failures) in order; counts the requests it received."""

    model = "scripted"

    def __init__(self, *replies: str | BackendError) -> None:
        self.replies = list(replies)
        self.requests: list[list[Message]] = []

    async def complete(self, messages: list[Message]) -> Completion:
        self.requests.append(list(messages))
        await asyncio.sleep(0)  # a real request yields to the event loop: other drafts go on
        reply = self.replies.pop(0) if self.replies else BackendError("HTTP 503")
        if isinstance(reply, BackendError):
            raise reply
        return Completion(text=reply, model="scripted-1", prompt_tokens=12, completion_tokens=5)


def asker(store: Store, backend: Scripted, breaker: Breaker | None = None) -> Asker:
    return Asker(backend, PromptStore(None), store, "rewrite", "fr", "C1", "reminder_1", breaker)


def ask(a: Asker, gate: asyncio.Semaphore | None = None) -> AskResult[Answer]:
    def check(answer: Answer) -> list[str]:
        return [] if "[[TOTAL_DUE]]" in answer.body else ["jeton [[TOTAL_DUE]] absent"]

    async def run() -> AskResult[Answer]:
        return await a.ask(QUESTION, Answer, check, gate)

    return asyncio.run(run())


def body(text: str) -> str:
    return json.dumps({"body": text})


def test_the_breaker_opens_after_exactly_its_threshold_of_failures_in_a_row() -> None:
    breaker = Breaker(threshold=3)
    for _ in range(2):
        breaker.failed("HTTP 503")
    assert not breaker.open
    breaker.failed("timeout")
    assert breaker.open and breaker.last_error == "timeout"
    breaker.answered()
    assert not breaker.open and breaker.failures == 0
    assert Breaker().threshold == 5


def test_five_provider_failures_suspend_the_next_asks(store: Store) -> None:
    backend, breaker = Scripted(), Breaker()
    for n in range(1, 6):
        result = ask(asker(store, backend, breaker))
        assert result.error == "HTTP 503" and not result.skipped and result.answer is None
        assert result.violations == ["LLM indisponible (HTTP 503) : modèle conservé"]
        assert len(backend.requests) == n  # one request per draft: no re-ask after a failure
    skipped = ask(asker(store, backend, breaker))
    assert skipped.skipped and skipped.error == "HTTP 503" and skipped.call_ids == []
    assert len(backend.requests) == 5  # the sixth draft asked nothing
    assert skipped.violations == [
        "LLM indisponible (HTTP 503) : appels suspendus après 5 échecs de suite, modèle conservé"
    ]
    # the breaker is checked again once the gate lets a queued draft through
    assert ask(asker(store, backend, breaker), asyncio.Semaphore(1)).skipped
    rows = store.query("SELECT attempt, outcome, error FROM llm_calls ORDER BY id")
    assert rows == [{"attempt": 1, "outcome": "error", "error": "HTTP 503"}] * 5


def test_an_answer_between_failures_closes_the_breaker(store: Store) -> None:
    failure = BackendError("HTTP 500")
    backend = Scripted(*[failure] * 4, body("Total : [[TOTAL_DUE]]"), *[failure] * 4)
    breaker = Breaker()
    results = [ask(asker(store, backend, breaker)) for _ in range(9)]
    assert [r.answer is not None for r in results] == [False] * 4 + [True] + [False] * 4
    assert not any(r.skipped for r in results) and len(backend.requests) == 9
    assert breaker.failures == 4 and not breaker.open


def test_a_rejected_answer_is_reasked_once_with_the_violations_then_given_up(
    store: Store,
) -> None:
    backend = Scripted(body("sans montant"), body("toujours rien"))
    result = ask(asker(store, backend))
    assert result.answer is None and result.error is None and not result.skipped
    assert result.violations == ["jeton [[TOTAL_DUE]] absent"]
    first, second = backend.requests
    assert first == QUESTION
    assert second[: len(QUESTION)] == QUESTION
    assert second[1] == {"role": "assistant", "content": body("sans montant")}
    assert second[2]["role"] == "user" and "jeton [[TOTAL_DUE]] absent" in second[2]["content"]
    rows = store.query("SELECT attempt, outcome, response, model, prompt_tokens FROM llm_calls")
    assert [(r["attempt"], r["outcome"]) for r in rows] == [(1, "violations"), (2, "violations")]
    assert rows[0]["response"] == body("sans montant") and rows[0]["model"] == "scripted-1"
    assert rows[0]["prompt_tokens"] == 12
    assert len(result.call_ids) == 2
    # each logged call holds the exact messages its request sent (the re-ask: all three)
    requests = store.query("SELECT request FROM llm_calls ORDER BY id")
    assert [json.loads(r["request"]) for r in requests] == backend.requests


def test_an_unreadable_then_good_answer_is_accepted_on_the_reask(store: Store) -> None:
    backend = Scripted("pas du JSON", "```json\n" + body("Total : [[TOTAL_DUE]]") + "\n```")
    result = ask(asker(store, backend))
    assert result.answer == Answer(body="Total : [[TOTAL_DUE]]") and result.violations == []
    outcomes = store.query("SELECT outcome, violations FROM llm_calls ORDER BY id")
    assert [o["outcome"] for o in outcomes] == ["invalid", "accepted"]
    assert "réponse illisible" in outcomes[0]["violations"]


class Brief(BaseModel):
    summary: str
    opening: str
    facts: list[str]
    questions: list[str]
    proposal: str
    closing: str


def problem(text: str, model: type[BaseModel]) -> str:
    from assistant.llm.ask import parse_json, parse_problem

    try:
        parse_json(text, model)
    except ValueError as exc:
        return parse_problem(exc)
    raise AssertionError("the answer was readable")


def test_an_unreadable_answer_is_described_without_its_content() -> None:
    prefix = "réponse illisible (JSON attendu au format demandé) : "
    assert problem("pas du JSON", Answer) == prefix + "JSON: Expecting value (line 1, column 1)"
    assert problem('{"body": 12}', Answer) == prefix + "body: Input should be a valid string"
    assert problem('["secret"]', Answer) == (
        prefix + "answer: Input should be a valid dictionary or instance of Answer"
    )
    nested = problem('{"summary": "s", "opening": "o", "facts": ["a", 3], "questions": [],'
                     ' "proposal": "p", "closing": "c"}', Brief)  # fmt: skip
    assert nested == prefix + "facts.1: Input should be a valid string"
    # at most five problems, in the model's field order, joined by "; "
    assert problem("{}", Brief) == prefix + "; ".join(
        f"{name}: Field required"
        for name in ("summary", "opening", "facts", "questions", "proposal")
    )
    assert "secret" not in problem('{"body": ["secret"]}', Answer)


def test_any_other_parse_failure_is_named_by_its_type() -> None:
    from assistant.llm.ask import parse_problem

    assert parse_problem(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")) == (
        "réponse illisible (JSON attendu au format demandé) : UnicodeDecodeError"
    )


def test_each_attempt_is_logged_for_its_customer_and_step(store: Store) -> None:
    ask(asker(store, Scripted(BackendError("timeout"))))
    ask(asker(store, Scripted(body("Total : [[TOTAL_DUE]]"))))
    rows = store.query("SELECT purpose, customer_id, step, outcome, model FROM llm_calls")
    assert rows == [
        {"purpose": "rewrite", "customer_id": "C1", "step": "reminder_1", "outcome": "error",
         "model": "scripted"},
        {"purpose": "rewrite", "customer_id": "C1", "step": "reminder_1",
         "outcome": "accepted", "model": "scripted-1"},
    ]  # fmt: skip


def test_a_draft_waiting_at_the_gate_is_skipped_once_the_breaker_opened(store: Store) -> None:
    backend, breaker = Scripted(), Breaker(threshold=1)

    async def both() -> list[AskResult[Answer]]:
        gate = asyncio.Semaphore(1)
        first, second = asker(store, backend, breaker), asker(store, backend, breaker)

        def check(answer: Answer) -> list[str]:
            return []

        return list(
            await asyncio.gather(
                first.ask(QUESTION, Answer, check, gate), second.ask(QUESTION, Answer, check, gate)
            )
        )

    failed, waited = asyncio.run(both())
    assert failed.error == "HTTP 503" and not failed.skipped
    assert waited.skipped and waited.error == "HTTP 503" and waited.call_ids == []
    assert len(backend.requests) == 1  # the second draft never reached the provider


class Clock:
    """A stand-in for the `time` module: perf_counter() moves by a fixed step at each call."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 100.0, step

    def perf_counter(self) -> float:
        self.now += self.step
        return self.now


def test_latency_and_tokens_are_logged_in_milliseconds(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.llm import ask as ask_module

    monkeypatch.setattr(ask_module, "time", Clock(1.5))  # each call: 1.5 s later
    ask(asker(store, Scripted(BackendError("timeout"))))
    ask(asker(store, Scripted(body("Total : [[TOTAL_DUE]]"))))
    rows = store.query(
        "SELECT outcome, latency_ms, prompt_tokens, completion_tokens FROM llm_calls"
    )
    assert rows == [
        {"outcome": "error", "latency_ms": 1500, "prompt_tokens": None, "completion_tokens": None},
        {"outcome": "accepted", "latency_ms": 1500, "prompt_tokens": 12, "completion_tokens": 5},
    ]


def test_the_reask_speaks_the_language_of_the_draft(store: Store) -> None:
    backend = Scripted(body("no amount"), body("still none"))
    english = Asker(backend, PromptStore(None), store, "rewrite", "en", "C1", "reminder_1")
    ask(english)
    reask = backend.requests[1][2]["content"]
    assert reask.startswith("Your answer cannot be used: jeton [[TOTAL_DUE]] absent.")
