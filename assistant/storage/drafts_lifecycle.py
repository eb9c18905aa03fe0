"""A draft's lifecycle, in one place: its statuses, the allowed moves, the one write that moves it.

    pending  -> approved | rejected | superseded | cancelled
    approved -> pending (unapproved) | sending | failed (could not be built) | sent (a posted
                letter) | superseded | cancelled (situation changed)
    sending  -> sent | failed | approved (deferred, or a person checked it did not leave)

`sent`, `failed`, `rejected`, `superseded` and `cancelled` are final. Every status change goes
through `move` (a compare-and-set: `UPDATE ... WHERE id = ? AND status = ?`), which refuses a
move not in `TRANSITIONS`. The SQL CHECK on `drafts.status` (migrations) holds the same values.
Every write here adds one to `drafts.version`; given `seen` (the version the caller read or
showed a person), the write also requires `version = seen` (docs/concurrency.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the enum stays importable without the database layer (labels, the UI)
    from assistant.storage.db import Store


class DraftStatus(StrEnum):
    """What `drafts.status` holds (a StrEnum: equal to its string in the DB and in JSON)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


# Shown, never stored: a sent draft whose message bounced (`drafts.bounced_on` is set).
BOUNCED: Final = "bounced"

# Every status a list may ask for (`relance drafts --status`), the shown one last.
LISTED: Final[tuple[str, ...]] = (*DraftStatus, BOUNCED)

# Drafts that may still leave: at most one per (customer, step, channel) (a unique index).
ACTIVE: Final = (DraftStatus.PENDING, DraftStatus.APPROVED, DraftStatus.SENDING)
# Drafts a person or a re-render may still change before the send starts.
OPEN: Final = (DraftStatus.PENDING, DraftStatus.APPROVED)
# Approved and not left yet: the step is done for the planner, not yet for results.
LEAVING: Final = (DraftStatus.APPROVED, DraftStatus.SENDING)
# A person's yes that stands: approved, leaving or left.
APPROVED_OR_LATER: Final = (DraftStatus.APPROVED, DraftStatus.SENDING, DraftStatus.SENT)

TRANSITIONS: Final[Mapping[DraftStatus, frozenset[DraftStatus]]] = {
    DraftStatus.PENDING: frozenset(
        {
            DraftStatus.APPROVED,
            DraftStatus.REJECTED,
            DraftStatus.SUPERSEDED,
            DraftStatus.CANCELLED,
        }
    ),
    DraftStatus.APPROVED: frozenset(
        {
            DraftStatus.PENDING,
            DraftStatus.SENDING,
            DraftStatus.FAILED,
            DraftStatus.SENT,
            DraftStatus.SUPERSEDED,
            DraftStatus.CANCELLED,
        }
    ),
    DraftStatus.SENDING: frozenset({DraftStatus.SENT, DraftStatus.FAILED, DraftStatus.APPROVED}),
    DraftStatus.SENT: frozenset(),
    DraftStatus.FAILED: frozenset(),
    DraftStatus.REJECTED: frozenset(),
    DraftStatus.SUPERSEDED: frozenset(),
    DraftStatus.CANCELLED: frozenset(),
}


class IllegalTransition(ValueError):
    """A programming error: a move the lifecycle does not allow (nothing was written)."""


def sql(status: DraftStatus) -> str:
    """`'pending'`: a status as a SQL literal (enum values only, never input)."""
    return f"'{DraftStatus(status).value}'"


def sql_in(statuses: tuple[DraftStatus, ...]) -> str:
    """`('pending', 'approved')`: a SQL list of statuses (enum values only, never input)."""
    return "(" + ", ".join(sql(s) for s in statuses) + ")"


def check(old: DraftStatus | str, new: DraftStatus | str) -> tuple[DraftStatus, DraftStatus]:
    """The two statuses, if `old -> new` is allowed; IllegalTransition otherwise."""
    try:
        frm, to = DraftStatus(old), DraftStatus(new)
    except ValueError as exc:
        raise IllegalTransition(f"not a draft status: {exc}") from None
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(sorted(TRANSITIONS[frm])) or "none (final)"
        raise IllegalTransition(
            f"draft status {frm} -> {to} is not allowed (from {frm}: {allowed})"
        )
    return frm, to


def move(
    store: Store,
    draft_id: int,
    old: DraftStatus | str,
    new: DraftStatus | str,
    /,
    *,
    seen: int | None = None,
    **fields: object,
) -> bool:
    """Set the draft to `new` (and `fields`) if it is still `old` (and still at version `seen`,
    when given): False if it is not (another process or thread changed it first). Refuses a
    move not in TRANSITIONS."""
    frm, to = check(old, new)
    if "status" in fields:
        raise IllegalTransition("the new status is `new`, not a field")
    return _update(store, draft_id, frm, {"status": to.value, **fields}, seen)


def update_if(
    store: Store,
    draft_id: int,
    status: DraftStatus | str,
    /,
    *,
    seen: int | None = None,
    **fields: object,
) -> bool:
    """Change other columns (an error note, a text) only while the draft is in `status` (and
    at version `seen`, when given)."""
    if "status" in fields:
        raise IllegalTransition("update_if never changes the status: use move")
    return _update(store, draft_id, DraftStatus(status), fields, seen)


def _update(
    store: Store,
    draft_id: int,
    status: DraftStatus,
    fields: dict[str, object],
    seen: int | None,
) -> bool:
    if "version" in fields:
        raise IllegalTransition("the version is counted here, never set")
    sets = "".join(f"{k} = ?, " for k in fields)
    where, params = "id = ? AND status = ?", [draft_id, status.value]
    if seen is not None:
        where += " AND version = ?"
        params.append(seen)
    cur = store.conn.execute(
        f"UPDATE drafts SET {sets}version = version + 1, updated_at = ? WHERE {where}",
        (*fields.values(), store.now_iso(), *params),
    )
    return cur.rowcount == 1


def current(store: Store, draft_id: int) -> tuple[DraftStatus, int] | None:
    """The draft's status and version now (None: no such draft)."""
    row = store.conn.execute(
        "SELECT status, version FROM drafts WHERE id = ?", (draft_id,)
    ).fetchone()
    return None if row is None else (DraftStatus(row[0]), int(row[1]))
