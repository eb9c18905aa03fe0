"""The draft lifecycle: one enum, one table of moves, one compare-and-set write; and no status
spelled as a string literal anywhere else in assistant/ or tui/."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import (
    BOUNCED,
    LISTED,
    TRANSITIONS,
    DraftStatus,
    IllegalTransition,
    move,
    update_if,
)

ROOT = Path(__file__).resolve().parents[2]


def _draft(store: Store, status: DraftStatus) -> int:
    store.conn.execute(
        "INSERT OR IGNORE INTO customers (id, name, created_at, updated_at)"
        " VALUES ('C1', 'A', 'x', 'x')"
    )
    # one active draft per (customer, step, channel): a fresh step for each draft
    step = f"s{store.scalar('SELECT COUNT(*) FROM drafts')}"
    cur = store.conn.execute(
        "INSERT INTO drafts (customer_id, step, channel, language, body, template_name,"
        " template_body, source, policy_version, plan_date, scheduled_for, created_at,"
        " updated_at, status) VALUES ('C1', ?, 'email', 'fr', 'b', 't', 'tb', 'template', 'v',"
        " '2026-02-04', '2026-02-04', 'then', 'then', ?)",
        (step, status.value),
    )
    return int(cur.lastrowid or 0)


def _row(store: Store, draft_id: int) -> tuple[object, ...]:
    return tuple(store.conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone())


def _status(store: Store, draft_id: int) -> str:
    return str(store.scalar("SELECT status FROM drafts WHERE id = ?", (draft_id,)))


def test_the_table_covers_every_status_and_matches_the_database_check(store: Store) -> None:
    assert set(TRANSITIONS) == set(DraftStatus)
    if store.kind == "sqlite":
        sql = str(store.scalar("SELECT sql FROM sqlite_master WHERE name = 'drafts'"))
        check = re.search(r"status IN \(([^)]*)\)", sql)
        assert check is not None
        allowed = set(re.findall(r"'(\w+)'", check.group(1)))
    else:  # the CHECK derived for PostgreSQL: status = ANY (ARRAY['pending'::text, ...])
        checks = store.conn.raw.execute(  # type: ignore[attr-defined]  # PostgreSQL's own SQL
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'drafts'::regclass AND contype = 'c'"
        ).fetchall()
        on_status = [c[0] for c in checks if "(status" in c[0]]
        assert len(on_status) == 1, on_status
        allowed = set(re.findall(r"'(\w+)'", on_status[0]))
    assert allowed == {s.value for s in DraftStatus}
    assert LISTED[-1] == BOUNCED and set(LISTED[:-1]) == set(DraftStatus)


@pytest.mark.parametrize(
    ("old", "new"), list(itertools.product(DraftStatus, DraftStatus)), ids=lambda s: str(s)
)
def test_every_allowed_move_works_and_every_other_is_refused(
    store: Store, old: DraftStatus, new: DraftStatus
) -> None:
    draft_id = _draft(store, old)
    before = _row(store, draft_id)
    if new in TRANSITIONS[old]:
        assert move(store, draft_id, old, new, error="why") is True
        assert _status(store, draft_id) == new
        assert store.scalar("SELECT error FROM drafts WHERE id = ?", (draft_id,)) == "why"
        assert store.scalar("SELECT updated_at FROM drafts WHERE id = ?", (draft_id,)) != "then"
    else:
        with pytest.raises(IllegalTransition, match=f"{old} -> {new} is not allowed"):
            move(store, draft_id, old, new, error="why")
        assert _row(store, draft_id) == before


@pytest.mark.parametrize(
    ("old", "new"), [(o, n) for o, targets in TRANSITIONS.items() for n in sorted(targets)]
)
def test_a_move_from_a_status_the_draft_no_longer_has_writes_nothing(
    store: Store, old: DraftStatus, new: DraftStatus
) -> None:
    """Compare-and-set: another thread moved the draft first; this move changes nothing."""
    actual = next(s for s in DraftStatus if s != old)
    draft_id = _draft(store, actual)
    before = _row(store, draft_id)
    assert move(store, draft_id, old, new, error="late") is False
    assert _row(store, draft_id) == before


def test_update_if_changes_other_columns_only_in_that_status(store: Store) -> None:
    draft_id = _draft(store, DraftStatus.APPROVED)
    assert update_if(store, draft_id, DraftStatus.PENDING, error="no") is False
    assert store.scalar("SELECT error FROM drafts WHERE id = ?", (draft_id,)) is None
    assert update_if(store, draft_id, DraftStatus.APPROVED, error="held") is True
    assert store.scalar("SELECT error FROM drafts WHERE id = ?", (draft_id,)) == "held"
    with pytest.raises(IllegalTransition):
        update_if(store, draft_id, DraftStatus.APPROVED, status="sent")
    assert _status(store, draft_id) == DraftStatus.APPROVED


def test_unknown_statuses_are_refused(store: Store) -> None:
    draft_id = _draft(store, DraftStatus.PENDING)
    with pytest.raises(IllegalTransition, match="not a draft status"):
        move(store, draft_id, "pending", "bounced")
    assert _status(store, draft_id) == DraftStatus.PENDING


def test_the_enum_is_its_string_in_json_and_sql() -> None:
    import json

    assert json.dumps({"s": DraftStatus.SENDING}) == '{"s": "sending"}'
    assert DraftStatus.PENDING == "pending" and {"pending": 1}[DraftStatus.PENDING] == 1


# -- no draft status spelled outside the lifecycle module ------------------------------------
_WORDS = "|".join(s.value for s in DraftStatus) + f"|{BOUNCED}"
# A status compared, assigned, listed or written in SQL: `status = 'sent'`, `.status ==
# "pending"`, `status IN ('pending', 'approved')`, `drafts("approved")`, `value="pending"`.
_PATTERNS = [
    re.compile(rf"status\w*\W{{0,6}}(=|==|!=|\bin\b|\bIN\b)\s*\(?\s*['\"]({_WORDS})['\"]", re.I),
    re.compile(rf"(list_)?drafts\(\s*(self\.\w+,\s*)?['\"]({_WORDS})['\"]"),
    re.compile(rf"\bstatus=['\"]({_WORDS})['\"]"),
    # words only drafts use (not a JSON key: `"superseded": [...]` in a report)
    re.compile(r"['\"](approved|sending|superseded|bounced)['\"](?!\s*:)"),
    re.compile(rf"VALUES \([^)]*'({_WORDS})'"),
]
# Files that name these words for other things (or hold the schema itself).
_ALLOWED = {
    "assistant/storage/drafts_lifecycle.py",  # the one place
    "assistant/storage/migrations.py",  # the schema's CHECK (migrations are never edited)
    "assistant/labels.py",  # the English words shown for each status
}


def _offences(text: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if any(p.search(line) for p in _PATTERNS):
            found.append(f"{number}: {line.strip()}")
    return found


def test_no_draft_status_literal_outside_the_lifecycle_module() -> None:
    offences = []
    for folder in ("assistant", "tui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in _ALLOWED:
                continue
            offences += [f"{rel}:{o}" for o in _offences(path.read_text(encoding="utf-8"))]
    assert offences == []


@pytest.mark.parametrize(
    "line",
    [
        "if view.status == 'pending':",
        'if d.status != "sending":',
        "\"UPDATE drafts SET status = 'superseded' WHERE id = ?\"",
        "\" WHERE d.status IN ('pending', 'approved')\"",
        'service.drafts("failed", texts=False)',
        'queue.list_drafts(self.store, "sent")',
        'data={"was": "approved"}',
        '_set(store, draft_id, status="rejected")',
        "\"VALUES (?, ?, 'email', ?, 'sent', ?,\"",
    ],
)
def test_the_literal_check_sees_each_way_of_spelling_a_status(line: str) -> None:
    assert _offences(line)


def test_an_unknown_status_is_one_line_naming_every_status(store: Store) -> None:
    from assistant.drafting.queue import list_drafts
    from assistant.errors import UserError
    from assistant.i18n import language, set_language

    before = language()
    set_language("en")
    try:
        with pytest.raises(UserError) as caught:
            list_drafts(store, "lost")
    finally:
        set_language(before)
    assert str(caught.value) == (
        "unknown status: lost (expected: pending, approved, rejected, sending, sent, failed,"
        " superseded, cancelled, bounced)"
    )
    assert [d.id for d in list_drafts(store, DraftStatus.PENDING)] == []
