"""The drafting pipeline over the real OpenAI client and real HTTP (the stub server).

A batch runs as one stream: each draft is stored as soon as its outcome is known, while other
requests still wait for their answers. These tests check that it makes exactly the drafts the
three-phase run makes (render all, rewrite all, store all) on a mixed batch, that drafts are
stored as answers arrive, and that a failure mid-batch keeps whole drafts only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.drafting.pipeline import DraftRequest, RewriteOutcome, Rewriter
from assistant.service import Service
from assistant.storage import drafts_repo
from tests.conftest import FIXED_NOW
from tests.support.llm_portfolio import AS_OF, llm_settings, write_company
from tests.support.llm_stub import StubLLM
from tests.support.pg_neutral import another_database_url, count
from tests.unit.rules_builders import add_customer, add_invoice

# (language, relationship) -> (mode of the first attempt, mode of the re-ask)
MODES = {
    ("fr", "loyal"): ("ok", "ok"),
    ("fr", "new"): ("invalid_json", "invalid_json"),
    ("fr", "unknown"): ("change_amount", "ok"),
    ("en", "loyal"): ("429", "429"),
    ("en", "new"): ("500", "500"),
    ("en", "unknown"): ("timeout", "timeout"),
}
SINCE = {"loyal": AS_OF - timedelta(days=900), "new": AS_OF - timedelta(days=100), "unknown": None}
# how many customers of each kind: one of each failing kind (the breaker, at 5 failures in a
# row, never opens: the batch is the same whatever the order of the answers)
COUNTS = {("fr", "loyal"): 8, ("fr", "new"): 2, ("fr", "unknown"): 2}


def mixed_home(home: Path) -> dict[str, tuple[str, str]]:
    """Customers of every kind, each with one invoice five days late (a first reminder)."""
    write_company(home)
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    kinds: dict[str, tuple[str, str]] = {}
    for n, (language, relationship) in enumerate(
        kind for kind in MODES for _ in range(COUNTS.get(kind, 1))
    ):
        cid = f"C{n:02}"
        add_customer(svc.store, cid, language=language, customer_since=SINCE[relationship])
        add_invoice(svc.store, f"F{n:02}", AS_OF - timedelta(days=5), 100_000 + n, cid=cid)
        kinds[cid] = (language, relationship)
    svc.close()
    return kinds


def choose(messages: list[dict[str, str]]) -> str:
    """The stub's answer depends on the request alone, never on the order of arrival."""
    english = "Relationship:" in messages[1]["content"]
    marker = "Relationship: " if english else "Relation : "
    relationship = messages[1]["content"].split(marker, 1)[1].split(".", 1)[0].strip()
    first, again = MODES[("en" if english else "fr", relationship)]
    return again if len(messages) > 2 else first


class Phased:
    """The same rewriter without its pipeline form: the batch runs in three phases."""

    def __init__(self, inner: Rewriter) -> None:
        self.inner = inner

    def __call__(
        self, requests: Sequence[DraftRequest], progress: Callable[[int], None]
    ) -> list[RewriteOutcome]:
        return self.inner(requests, progress)


def snapshot(svc: Service) -> dict[str, Any]:
    """Everything a batch produced, without ids, times and latencies."""
    drafts = {}
    for row in svc.store.query("SELECT * FROM drafts ORDER BY customer_id, step, channel"):
        calls = svc.store.query(
            "SELECT purpose, attempt, model, request, response, outcome, violations, error,"
            " prompt_tokens, completion_tokens, customer_id, step"
            " FROM llm_calls WHERE draft_id = ? ORDER BY attempt",
            (row["id"],),
        )
        keep = {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}
        drafts[(row["customer_id"], row["step"], row["channel"])] = {**keep, "calls": calls}
    events = svc.store.query("SELECT kind, COUNT(*) AS n FROM events GROUP BY kind ORDER BY kind")
    orphans = svc.store.scalar("SELECT COUNT(*) FROM llm_calls WHERE draft_id IS NULL")
    return {"drafts": drafts, "events": events, "orphan_calls": orphans}


def run_batch(home: Path, *, phased: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    with monkeypatch.context() as patched:  # undone after the batch (the test's store stays)
        if phased:
            pipelined = Service._rewriter
            patched.setattr(
                Service,
                "_rewriter",
                lambda self, adjustment=None: Phased(pipelined(self, adjustment)),
            )
        with StubLLM(choose=choose, hang_s=2.0) as stub:
            svc = Service.open(
                llm_settings(home, stub.base_url, RELANCE_LLM_CONCURRENCY=4),
                clock=lambda: FIXED_NOW,
            )
            report = svc.draft(AS_OF).as_json()
    return report, snapshot(svc)


def test_the_pipeline_makes_the_drafts_of_the_three_phase_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    other = another_database_url(request)  # two homes: on PostgreSQL, two databases
    kinds = mixed_home(tmp_path / "pipelined")
    report, got = run_batch(tmp_path / "pipelined", phased=False, monkeypatch=monkeypatch)
    with monkeypatch.context() as second:
        if other:
            second.setenv("RELANCE_DATABASE_URL", other)
        mixed_home(tmp_path / "phased")
        before, expected = run_batch(tmp_path / "phased", phased=True, monkeypatch=monkeypatch)

    report.pop("draft_ids"), before.pop("draft_ids")  # numbered in order of arrival
    assert report == before
    assert got == expected

    # and that batch is the expected one, kind by kind
    assert report["created"] == len(kinds) == 15 and report["llm"] == 10
    assert report["fallback_reasons"] == {
        "réponse refusée par les contrôles": 2,
        "LLM indisponible (HTTP 429)": 1,
        "LLM indisponible (HTTP 500)": 1,
        "LLM indisponible (timeout)": 1,
    }
    for (cid, _, _), draft in got["drafts"].items():
        outcomes = [c["outcome"] for c in draft["calls"]]
        first, _ = MODES[kinds[cid]]
        if first == "ok":
            assert draft["source"] == "llm" and outcomes == ["accepted"]
            assert draft["body"].startswith("Madame, Monsieur,")
        elif first == "change_amount":  # re-asked, then accepted
            assert draft["source"] == "llm" and outcomes == ["violations", "accepted"]
        elif first == "invalid_json":
            assert draft["source"] == "template" and outcomes == ["invalid", "invalid"]
            assert draft["body"] == draft["template_body"]
        else:
            assert draft["source"] == "template" and outcomes == ["error"]
            assert draft["body"] == draft["template_body"]
            assert json.loads(draft["violations"])[0].startswith("LLM indisponible")
    assert got["orphan_calls"] == 0


def count_drafts(home: Path) -> int:
    return count(home, "drafts")  # a connection of its own, as another reader's


def plain_home(home: Path, n: int) -> None:
    write_company(home)
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    for i in range(n):
        add_customer(svc.store, f"C{i:02}", customer_since=date(2020, 1, 1))
        add_invoice(svc.store, f"F{i:02}", AS_OF - timedelta(days=5), cid=f"C{i:02}")
    svc.close()


def test_an_outage_mid_batch_keeps_the_drafts_already_rewritten(tmp_path: Path) -> None:
    """The provider answers four requests, then fails: the four rewrites were already stored
    while the failing requests were made, and the breaker spares the rest of the batch."""
    home = tmp_path / "home"
    plain_home(home, 12)
    stored_when_asked: list[int] = []

    def observe(messages: list[dict[str, str]]) -> None:
        stored_when_asked.append(count_drafts(home))  # another connection, as a reader would
        return None

    with StubLLM("500", script=["ok"] * 4, choose=observe) as stub:
        svc = Service.open(
            llm_settings(home, stub.base_url, RELANCE_LLM_CONCURRENCY=2, RELANCE_LLM_RETRIES=0),
            clock=lambda: FIXED_NOW,
        )
        report = svc.draft(AS_OF)
    # `choose` is asked after the script: the first failing request saw the rewrites stored
    assert stored_when_asked and stored_when_asked[0] >= 2
    assert stored_when_asked == sorted(stored_when_asked)
    assert len(report.created) == 12 and report.llm == 4 and report.fallbacks == 8
    asked = report.fallback_reasons["LLM indisponible (HTTP 500)"]
    suspended = report.fallback_reasons["LLM indisponible (HTTP 500), appels suspendus"]
    assert 5 <= asked <= 6 and asked + suspended == 8  # the breaker, as before
    assert len(stub.requests) == 4 + asked


def test_a_failure_while_storing_keeps_whole_drafts_and_stops_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    plain_home(home, 10)
    link = drafts_repo.link_llm_calls
    linked: list[int] = []

    def failing_link(store: Any, draft_id: int, call_ids: list[int]) -> None:
        if len(linked) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        link(store, draft_id, call_ids)
        linked.append(draft_id)

    monkeypatch.setattr(drafts_repo, "link_llm_calls", failing_link)
    with StubLLM("ok", latency_s=0.05) as stub:
        svc = Service.open(
            llm_settings(home, stub.base_url, RELANCE_LLM_CONCURRENCY=2), clock=lambda: FIXED_NOW
        )
        with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
            svc.draft(AS_OF)
        asked = len(stub.requests)
    assert asked < 10  # the batch stopped: the rest was never asked
    drafts = svc.drafts()
    assert sorted(d.id for d in drafts) == sorted(linked)  # the fourth was rolled back whole
    for d in drafts:
        assert d.source == "llm" and d.body.startswith("Madame, Monsieur,")
        calls = svc.store.query("SELECT outcome FROM llm_calls WHERE draft_id = ?", (d.id,))
        assert [c["outcome"] for c in calls] == ["accepted"]
    created = svc.store.query("SELECT draft_id FROM events WHERE kind = 'draft.created'")
    assert sorted(e["draft_id"] for e in created) == sorted(linked)

    # the next run drafts the rest, and only the rest (only the link restored: `undo()` would
    # also undo the test's store, RELANCE_DATABASE_URL on PostgreSQL)
    monkeypatch.setattr(drafts_repo, "link_llm_calls", link)
    with StubLLM("ok") as stub:
        svc = Service.open(llm_settings(home, stub.base_url), clock=lambda: FIXED_NOW)
        report = svc.draft(AS_OF)
    assert len(report.created) == 7 and report.unchanged == 3 and len(stub.requests) == 7
