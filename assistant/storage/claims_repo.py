"""SQL for draft claims: who has a draft open in the interface, until when (docs/concurrency.md).

One row per claimed draft (`draft_claims`). A claim whose `held_until` has passed is free: it
is never cleaned up on a timer, the next claim simply overwrites it. Times are the store's
clock (`store.now_iso()`, ISO 8601 in UTC: compared as text), never the wall clock.

Portable SQL (PostgreSQL runs it too): an `UPDATE` that takes a free or own claim, else an
`INSERT ... SELECT ... WHERE NOT EXISTS`; a unique-key race on the insert is read back as
"someone else holds it"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from assistant.storage.db import Store
from assistant.storage.errors import IntegrityError


@dataclass(frozen=True, slots=True)
class Claim:
    draft_id: int
    person: str
    claimed_at: str  # ISO 8601, UTC
    held_until: str  # ISO 8601, UTC

    @property
    def until(self) -> datetime:
        return datetime.fromisoformat(self.held_until)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def holder(store: Store, draft_id: int) -> Claim | None:
    """The claim on the draft that has not expired (None: the draft is free)."""
    row = store.conn.execute(
        "SELECT draft_id, person, claimed_at, held_until FROM draft_claims"
        " WHERE draft_id = ? AND held_until > ?",
        (draft_id, store.now_iso()),
    ).fetchone()
    return None if row is None else Claim(int(row[0]), row[1], row[2], row[3])


def live_claims(store: Store) -> dict[int, Claim]:
    """Every claim that has not expired, by draft id."""
    rows = store.conn.execute(
        "SELECT draft_id, person, claimed_at, held_until FROM draft_claims"
        " WHERE held_until > ? ORDER BY draft_id",
        (store.now_iso(),),
    ).fetchall()
    return {int(r[0]): Claim(int(r[0]), r[1], r[2], r[3]) for r in rows}


def claim(store: Store, draft_id: int, person: str, minutes: int) -> Claim:
    """Claim the draft for `person` for `minutes` (or extend their own claim), unless another
    person holds a claim that has not expired: the claim that holds afterwards is returned
    (the caller compares its `person`)."""
    now = store.clock()
    stamp, until = _iso(now), _iso(now + timedelta(minutes=minutes))
    try:
        with store.transaction():
            taken = store.conn.execute(
                "UPDATE draft_claims SET person = ?, claimed_at = ?, held_until = ?"
                " WHERE draft_id = ? AND (person = ? OR held_until <= ?)",
                (person, stamp, until, draft_id, person, stamp),
            ).rowcount
            if not taken:
                store.conn.execute(
                    "INSERT INTO draft_claims (draft_id, person, claimed_at, held_until)"
                    " SELECT ?, ?, ?, ? WHERE NOT EXISTS"
                    " (SELECT 1 FROM draft_claims WHERE draft_id = ?)",
                    (draft_id, person, stamp, until, draft_id),
                )
    except IntegrityError:  # another connection inserted the first claim meanwhile
        pass
    found = holder(store, draft_id)
    assert found is not None, "a claim just written or held by someone else"
    return found


def take_over(store: Store, draft_id: int, person: str, minutes: int) -> Claim | None:
    """The claim goes to `person` whoever held it (inside the caller's transaction); the
    claim it replaced, if it had not expired."""
    before = holder(store, draft_id)
    now = store.clock()
    stamp, until = _iso(now), _iso(now + timedelta(minutes=minutes))
    store.conn.execute("DELETE FROM draft_claims WHERE draft_id = ?", (draft_id,))
    store.conn.execute(
        "INSERT INTO draft_claims (draft_id, person, claimed_at, held_until) VALUES (?, ?, ?, ?)",
        (draft_id, person, stamp, until),
    )
    return before


def release(store: Store, draft_id: int, person: str) -> bool:
    """The person closes the draft: their claim ends (another person's claim stays)."""
    cur = store.conn.execute(
        "DELETE FROM draft_claims WHERE draft_id = ? AND person = ?", (draft_id, person)
    )
    return cur.rowcount > 0


def release_all(store: Store, draft_ids: list[int]) -> None:
    """The drafts were decided (approved, rejected, replaced): nobody holds them any more."""
    store.conn.executemany("DELETE FROM draft_claims WHERE draft_id = ?", [(i,) for i in draft_ids])
