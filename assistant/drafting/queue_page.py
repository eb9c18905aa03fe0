"""The review queue one page at a time: what a person filters and sorts on, answered by SQL.

The TUI shows a page of the queue; filtering, sorting and counting are done by the database,
and only the page's drafts become `DraftView`s (a queue of 10,000 drafts paints at once)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.choices import one_of
from assistant.drafting.queue import STATUSES, DraftView, _view
from assistant.search import fold
from assistant.storage import queue_repo
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import BOUNCED, DraftStatus
from assistant.storage.queue_repo import ORDER_BY, QueueFilter

SORTS = tuple(ORDER_BY)  # days late, amount, customer, step


@dataclass(frozen=True)
class QueueView:
    """A person's view of the queue: status (None: all), step, segment, search text, sort."""

    status: str | None = DraftStatus.PENDING
    step: str | None = None
    segment: str | None = None
    search: str = ""
    sort: str = "days"


@dataclass(frozen=True)
class QueuePage:
    drafts: list[DraftView]  # this page's drafts, in the view's order (no texts)
    matching: int  # drafts matching the view, every page
    number: int  # the page shown (from 0): the last one when asked past the end
    pages: int  # at least 1


@dataclass(frozen=True)
class QueueSummary:
    """Under a status filter: the segments present, pending drafts, those failing checks."""

    segments: list[str]
    pending: int
    flagged: int


def _filter(view: QueueView) -> QueueFilter:
    status, bounced = view.status, None
    if status is not None:
        one_of(status, STATUSES, fr="statut inconnu", en="unknown status")
        if status in (DraftStatus.SENT, BOUNCED):
            status, bounced = DraftStatus.SENT, status == BOUNCED
    one_of(view.sort, SORTS, fr="tri inconnu", en="unknown sort")
    # accents and case ignored: `editions` finds « Éditions La Ficelle »
    words = tuple(fold(view.search).split())
    return QueueFilter(status, bounced, view.step, view.segment, words)


def page(store: Store, view: QueueView, number: int, size: int) -> QueuePage:
    found = queue_repo.page(store, _filter(view), view.sort, number, size)
    pages = max((found.matching - 1) // size + 1, 1)
    return QueuePage([_view(r) for r in found.rows], found.matching, found.page, pages)


def ids(store: Store, view: QueueView) -> list[int]:
    """Every draft of the view, in its order (every page)."""
    return queue_repo.matching_ids(store, _filter(view), view.sort)


def summary(store: Store, status: str | None) -> QueueSummary:
    found = queue_repo.summary(store, _filter(QueueView(status=status)))
    return QueueSummary(found.segments, found.pending, found.flagged)


def by_ids(store: Store, draft_ids: Iterable[int]) -> list[DraftView]:
    """Some drafts (no texts) by id; unknown ids are left out."""
    return [_view(r) for r in queue_repo.rows_by_ids(store, sorted(set(draft_ids)))]


def count(store: Store, status: DraftStatus) -> int:
    return queue_repo.count_status(store, status)
