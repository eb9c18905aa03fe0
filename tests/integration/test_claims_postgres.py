"""The SQL of versions and claims is portable: the same repository functions run, unchanged, on
a real PostgreSQL server (tests/support/postgres.py) through a minimal store over psycopg (`?`
placeholders become `%s`; the real PostgreSQL store is another branch of issue 20)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assistant.storage import claims_repo
from assistant.storage.drafts_lifecycle import DraftStatus, current, move, update_if
from assistant.storage.pg.connect import connect
from tests.conftest import FIXED_NOW


class PgStore:
    """Just what `claims_repo` and `drafts_lifecycle` use of a Store, over one connection."""

    def __init__(self, conn: Any) -> None:
        self.now = FIXED_NOW
        self.conn = self
        self._pg = conn

    def clock(self) -> datetime:
        return self.now

    def now_iso(self) -> str:
        return self.now.astimezone(UTC).isoformat(timespec="seconds")

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._pg.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Any) -> None:
        with self._pg.cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), rows)

    @contextmanager
    def transaction(self) -> Iterator[PgStore]:
        with self._pg.transaction():
            yield self


@pytest.fixture
def pg(pg_url: str) -> Iterator[PgStore]:
    with connect(pg_url, autocommit=True) as conn:
        store = PgStore(conn)
        store.execute(
            "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('C1', 'A', 'x', 'x')"
        )
        yield store


def add_draft(store: PgStore, step: str = "s0") -> int:
    row = store.execute(
        "INSERT INTO drafts (customer_id, step, channel, language, body, template_name,"
        " template_body, source, policy_version, plan_date, scheduled_for, created_at,"
        " updated_at, status) VALUES ('C1', ?, 'email', 'fr', 'b', 't', 'tb', 'template', 'v',"
        " '2026-02-04', '2026-02-04', 'then', 'then', 'pending') RETURNING id",
        (step,),
    ).fetchone()
    return int(row[0])


def test_the_version_compare_and_set_on_postgresql(pg: PgStore) -> None:
    draft_id = add_draft(pg)
    assert current(pg, draft_id) == (DraftStatus.PENDING, 1)  # type: ignore[arg-type]
    assert update_if(pg, draft_id, DraftStatus.PENDING, seen=1, body="b2")  # type: ignore[arg-type]
    assert not move(pg, draft_id, DraftStatus.PENDING, DraftStatus.APPROVED, seen=1)  # type: ignore[arg-type]
    assert current(pg, draft_id) == (DraftStatus.PENDING, 2)  # type: ignore[arg-type]
    assert move(pg, draft_id, DraftStatus.PENDING, DraftStatus.APPROVED, seen=2)  # type: ignore[arg-type]
    assert current(pg, draft_id) == (DraftStatus.APPROVED, 3)  # type: ignore[arg-type]


def test_claims_on_postgresql(pg: PgStore) -> None:
    draft_id = add_draft(pg)
    mine = claims_repo.claim(pg, draft_id, "alice", 5)  # type: ignore[arg-type]
    assert mine.person == "alice" and mine.until == FIXED_NOW + timedelta(minutes=5)
    assert claims_repo.claim(pg, draft_id, "bob", 5) == mine  # type: ignore[arg-type]
    pg.now += timedelta(minutes=5)  # expired
    assert claims_repo.holder(pg, draft_id) is None  # type: ignore[arg-type]
    taken = claims_repo.claim(pg, draft_id, "bob", 5)  # type: ignore[arg-type]
    assert taken.person == "bob"
    assert claims_repo.live_claims(pg) == {draft_id: taken}  # type: ignore[arg-type]
    with pg.transaction():
        before = claims_repo.take_over(pg, draft_id, "alice", 5)  # type: ignore[arg-type]
    assert before == taken
    assert not claims_repo.release(pg, draft_id, "bob")  # type: ignore[arg-type]
    assert claims_repo.release(pg, draft_id, "alice")  # type: ignore[arg-type]
    claims_repo.claim(pg, draft_id, "carol", 5)  # type: ignore[arg-type]
    claims_repo.release_all(pg, [draft_id])  # type: ignore[arg-type]
    assert claims_repo.live_claims(pg) == {}  # type: ignore[arg-type]
