"""The review queue paged by SQL gives exactly what the TUI computed in Python over every draft:
same filters, same order (ties by id), same counts, and a search that finds a draft on any page
(accents, case and punctuation ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.drafting.queue import DraftView
from assistant.drafting.queue_page import SORTS, QueueView
from assistant.errors import UserError
from assistant.models import Customer, Invoice, InvoiceStatus
from assistant.search import fold
from assistant.service import Service
from assistant.storage import repo
from assistant.storage.drafts_lifecycle import DraftStatus
from tests.conftest import write_company

AS_OF = date(2026, 11, 24)
NAMES = ["Éditions La Ficelle", "edith piaf sarl", "Zébulon", "Ölund AB", "alpha", "Alpha Bis"]
LATE = [-3, 5, 6, 15, 16, 30, 31, 45]  # days: pre-due, first and second reminders, ties


def open_queue(home: Path) -> Service:
    """40 pending drafts: three steps, two segments, tied days late, accented names."""
    write_company(home)  # drafts may be approved
    service = Service.open(Settings(RELANCE_HOME=home))
    n = 40
    customers = [
        Customer(
            id=f"C{i:03d}",
            name=f"{NAMES[i % len(NAMES)]} {i}",
            email=f"c{i}@example.com",
            strategic=i % 5 == 0,
        )
        for i in range(n)
    ]
    invoices = [
        Invoice(
            number=f"F-{i:03d}/A",
            customer_id=f"C{i:03d}",
            issue_date=AS_OF - timedelta(days=60),
            due_date=AS_OF - timedelta(days=LATE[i % len(LATE)]),
            amount_cents=100_000 + 7919 * i % 5_000_000,
            outstanding_cents=100_000 + 7919 * i % 5_000_000,
            status=InvoiceStatus.OPEN,
        )
        for i in range(n)
    ]
    with service.store.transaction():
        repo.upsert_customers(service.store, customers, actor="test")
        repo.upsert_invoices(service.store, invoices, actor="test")
    assert len(service.draft(AS_OF, offline=True).created) == n
    return service


@pytest.fixture(scope="module")
def queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The queue, read only by the tests that take it (built once)."""
    service = open_queue(tmp_path_factory.mktemp("queue") / "home")
    yield service
    service.close()


@pytest.fixture
def changed_queue(tmp_path: Path) -> Iterator[Service]:
    """A queue of its own for a test that changes drafts."""
    service = open_queue(tmp_path / "home")
    yield service
    service.close()


def python_queue(service: Service, view: QueueView) -> list[DraftView]:
    """The queue as the TUI computed it before: every draft read, filtered and sorted here."""
    drafts = service.drafts(view.status, texts=False)
    words = fold(view.search).split()
    hay = {d.id: fold(" ".join([d.customer_name, d.customer_id, *d.invoices])) for d in drafts}
    rows = [
        d
        for d in drafts
        if (view.step is None or d.step == view.step)
        and (view.segment is None or d.segment == view.segment)
        and all(w in hay[d.id] for w in words)
    ]
    keys = {
        "days": lambda d: (-d.max_days_late, d.id),
        "amount": lambda d: (-d.total_cents, d.id),
        "customer": lambda d: (d.customer_name.casefold(), d.id),
        "step": lambda d: (d.step, d.id),
    }
    return sorted(rows, key=keys[view.sort])


def all_pages(service: Service, view: QueueView, size: int) -> list[int]:
    first = service.queue_page(view, 0, size)
    ids = [d.id for d in first.drafts]
    for number in range(1, first.pages):
        page = service.queue_page(view, number, size)
        assert page.number == number and page.matching == first.matching
        ids += [d.id for d in page.drafts]
    return ids


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize(
    ("step", "segment", "search"),
    [
        (None, None, ""),
        ("reminder_2", None, ""),
        (None, "strategic", ""),
        ("reminder_1", "standard", ""),
        (None, None, "editions"),  # « Éditions La Ficelle »: accents and case ignored
        (None, None, "ED"),  # Éditions and edith
        (None, None, "olund 3"),  # two words, both needed: Ölund 3, 33...
        (None, None, "f 012 a"),  # an invoice number, punctuation ignored
        (None, None, "c00"),  # a customer id
        ("reminder_2", None, "alpha"),
        (None, None, "nobody"),
    ],
)
def test_every_page_in_order_is_the_python_queue(
    queue: Service, sort: str, step: str | None, segment: str | None, search: str
) -> None:
    view = QueueView(step=step, segment=segment, search=search, sort=sort)
    expected = [d.id for d in python_queue(queue, view)]
    page = queue.queue_page(view, 0, 7)
    assert page.matching == len(expected)
    assert page.pages == max((len(expected) - 1) // 7 + 1, 1)
    assert all_pages(queue, view, 7) == expected
    assert queue.queue_ids(view) == expected
    assert all(d.body == "" and d.customer_name for d in page.drafts)  # no texts read


def test_the_fixture_has_ties_and_both_segments(queue: Service) -> None:
    drafts = queue.drafts(DraftStatus.PENDING)
    days = [d.max_days_late for d in drafts]
    assert len(set(days)) < len(days)  # the order of ties (by id) is checked
    assert {d.segment for d in drafts} == {"standard", "strategic"}
    assert {d.step for d in drafts} == {"pre_due", "reminder_1", "reminder_2"}


def test_a_search_finds_a_draft_on_any_page(queue: Service) -> None:
    last = queue.queue_page(QueueView(), 5, 7).drafts[-1]  # the very last draft of the queue
    found = queue.queue_page(QueueView(search=fold(last.customer_name).upper()), 0, 7)
    assert last.id in [d.id for d in found.drafts]


def test_a_page_past_the_end_is_the_last_one(queue: Service) -> None:
    view = QueueView(step="reminder_1")
    expected = [d.id for d in python_queue(queue, view)]
    page = queue.queue_page(view, 99, 4)
    assert page.number == page.pages - 1 == (len(expected) - 1) // 4
    assert [d.id for d in page.drafts] == expected[page.number * 4 :]
    empty = queue.queue_page(QueueView(search="nobody"), 3, 4)
    assert (empty.number, empty.pages, empty.matching, empty.drafts) == (0, 1, 0, [])


def test_the_summary_counts_pending_and_flagged_drafts_and_lists_segments(
    changed_queue: Service,
) -> None:
    queue = changed_queue
    pending = queue.drafts(DraftStatus.PENDING, texts=False)
    flagged = [d.id for d in pending[:3]]
    queue.store.conn.executemany(
        "UPDATE drafts SET checks = '[\"montant absent\"]' WHERE id = ?", [(i,) for i in flagged]
    )
    approved_id = pending[5].id
    queue.approve([approved_id], on=AS_OF)
    summary = queue.queue_summary(DraftStatus.PENDING)
    assert (summary.pending, summary.flagged) == (len(pending) - 1, 3)
    assert summary.segments == ["standard", "strategic"]
    everything = queue.queue_summary(None)
    assert (everything.pending, everything.flagged) == (len(pending) - 1, 3)
    approved = queue.queue_summary(DraftStatus.APPROVED)
    assert (approved.pending, approved.flagged) == (0, 0)  # as before: pending among shown
    assert approved.segments == [pending[5].segment]
    chosen = queue.drafts_by_ids({approved_id, pending[6].id, 10**9})
    assert [(d.id, d.status) for d in chosen] == [
        (approved_id, DraftStatus.APPROVED),
        (pending[6].id, DraftStatus.PENDING),
    ]
    assert queue.draft_count(DraftStatus.APPROVED) == 1
    python = python_queue(queue, QueueView(status=DraftStatus.APPROVED))
    assert [d.id for d in python] == [approved_id]
    assert queue.queue_ids(QueueView(status=None)) == [
        d.id for d in python_queue(queue, QueueView(status=None))
    ]


def test_an_unknown_status_or_sort_is_a_user_error(queue: Service) -> None:
    with pytest.raises(UserError, match="statut inconnu"):
        queue.queue_page(QueueView(status="nope"), 0, 10)
    with pytest.raises(UserError, match="tri inconnu"):
        queue.queue_page(QueueView(sort="nope"), 0, 10)


def test_on_postgresql_every_sort_and_search_is_the_python_queue(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PostgreSQL cannot call the Python fold: the search and the customer sort are applied in
    Python there (docs/postgresql.md); the other sorts and the counts stay SQL."""
    monkeypatch.setenv("RELANCE_DATABASE_URL", request.getfixturevalue("pg_empty_url"))
    service = open_queue(tmp_path / "home")
    try:
        assert service.store.kind == "postgresql"
        for sort in SORTS:
            for step, search in [(None, ""), ("reminder_2", ""), (None, "ED"), (None, "f 012 a")]:
                view = QueueView(step=step, search=search, sort=sort)
                expected = [d.id for d in python_queue(service, view)]
                assert expected or search
                assert all_pages(service, view, 7) == expected
                assert service.queue_ids(view) == expected
        summary = service.queue_summary(DraftStatus.PENDING)
        assert (summary.pending, summary.segments) == (40, ["standard", "strategic"])
    finally:
        service.close()
