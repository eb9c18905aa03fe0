"""One connection per thread (a worker's rollback never undoes another thread's work), and a
cancelled regeneration that never writes."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from assistant.cancel import Cancellation, Cancelled
from assistant.llm.backend import LangChainBackend
from assistant.service import Service
from assistant.storage.db import Store, open_store
from tests.unit.rules_builders import add_customer, add_invoice
from tests.unit.test_llm_rewriter import EchoRewriter

AS_OF = date(2026, 11, 24)


def one_pending_draft(service: Service) -> int:
    add_customer(service.store, "C1")
    add_invoice(service.store, "F1", AS_OF - timedelta(days=5))
    (draft_id,) = service.draft(AS_OF, offline=True).created
    return draft_id


def test_a_worker_rolling_back_never_undoes_an_approval_made_meanwhile(service: Service) -> None:
    """The TUI's interleaving: a worker's transaction is open; the person approves a draft on
    the UI thread; then the worker fails and rolls back. The approval stays (on one shared
    connection it was a savepoint inside the worker's transaction and reverted to pending)."""
    draft_id = one_pending_draft(service)
    opened, approved = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with service.store.transaction():
                service.store.record_event("worker.step", actor="worker")
                opened.set()
                approved.wait(timeout=0.5)  # the UI thread is waiting for the write lock
                raise RuntimeError("the worker fails")
        except RuntimeError:
            pass
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    assert opened.wait(timeout=10)
    service.approve([draft_id])
    approved.set()
    thread.join(timeout=30)
    assert not thread.is_alive() and failures == []
    assert service.get_draft(draft_id).status == "approved"
    kinds = [e["kind"] for e in service.store.events()]
    assert "draft.approved" in kinds and "worker.step" not in kinds


def test_each_thread_gets_its_own_connection_closed_with_the_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "t.db")
    mine = store.conn
    seen: list[sqlite3.Connection] = []
    thread = threading.Thread(target=lambda: seen.append(store.conn))
    thread.start()
    thread.join()
    (theirs,) = seen
    assert theirs is not mine and store.conn is mine
    # same pragmas and schema on the other thread's connection
    assert theirs.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert theirs.execute("PRAGMA busy_timeout").fetchone() == (30000,)
    assert theirs.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    # a finished thread's connection is closed when the next thread opens one
    later = threading.Thread(target=lambda: seen.append(store.conn))
    later.start()
    later.join()
    with pytest.raises(sqlite3.ProgrammingError):
        theirs.execute("SELECT 1")
    store.close()
    for conn in (mine, seen[-1]):
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")


def test_a_memory_store_is_one_database_for_every_thread() -> None:
    store: Store = open_store(":memory:")
    store.record_event("from.main")
    counted: list[int] = []
    thread = threading.Thread(
        target=lambda: counted.append(store.scalar("SELECT COUNT(*) FROM events"))
    )
    thread.start()
    thread.join()
    assert counted == [1]
    store.close()


def test_a_cancelled_regeneration_writes_nothing(service: Service) -> None:
    draft_id = one_pending_draft(service)
    before = service.store.scalar("SELECT COUNT(*) FROM events")
    cancel = Cancellation()
    assert cancel.cancel()
    with pytest.raises(Cancelled):
        service.regenerate(draft_id, language="en", cancel=cancel)
    assert [d.id for d in service.drafts("pending")] == [draft_id]
    assert service.store.scalar("SELECT COUNT(*) FROM drafts") == 1
    assert service.store.scalar("SELECT COUNT(*) FROM events") == before


class CancelledWhileAnswering(EchoRewriter):
    """A model that answers well, but the person presses Escape while it is answering."""

    cancel: Any = None

    def _generate(self, messages: list[BaseMessage], *a: Any, **kw: Any) -> ChatResult:
        assert self.cancel.cancel()  # not too late: nothing is being stored yet
        return super()._generate(messages, *a, **kw)


def test_cancelled_while_the_model_answers_the_answer_is_not_stored(service: Service) -> None:
    draft_id = one_pending_draft(service)
    model = CancelledWhileAnswering()
    model.cancel = Cancellation()
    service.chat_backend = LangChainBackend(model)
    with pytest.raises(Cancelled):
        service.regenerate(draft_id, adjustment="softer", cancel=model.cancel)
    assert service.get_draft(draft_id).status == "pending"
    assert service.store.scalar("SELECT COUNT(*) FROM drafts") == 1
    assert service.store.scalar("SELECT COUNT(*) FROM llm_calls") == 1  # the call is logged
    assert service.store.scalar("SELECT draft_id FROM llm_calls") is None


def test_cancelling_after_the_write_is_too_late_and_says_so(service: Service) -> None:
    draft_id = one_pending_draft(service)
    cancel = Cancellation()
    new = service.regenerate(draft_id, language="en", cancel=cancel)
    assert not cancel.cancel() and not cancel.cancelled
    assert [d.id for d in service.drafts("pending")] == [new.id]
