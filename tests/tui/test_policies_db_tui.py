"""The policy editor (F4) on PostgreSQL (docs/policies-db.md): it saves through the database
with a compare-and-set on the file's version; another desk's save since it opened the file
refuses its save with the line naming who saved, and reopening the file shows their text."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from assistant.config import Settings
from assistant.service import Service
from assistant.storage.pg.move import move_home
from tests.conftest import FIXED_NOW
from tests.support.stores import query
from tests.tui.conftest import DEMO_DAY, settle
from tui.app import make_app

SIZE = (140, 40)
NAME = "tone.yaml"


def desk(home: Path, user: str) -> Service:
    settings = Settings(RELANCE_HOME=home, RELANCE_USER=user)  # type: ignore[call-arg]
    return Service.open(settings, clock=lambda: FIXED_NOW)


# sqlite_only: the test builds the real demo (a SQLite home) and moves it to its own PostgreSQL
# database itself; `--store=postgresql` would have moved it already. It runs on PostgreSQL always.
@pytest.mark.sqlite_only
async def test_a_stale_save_in_the_editor_is_refused_naming_who_saved(
    tmp_path: Path, pg_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = Service.demo(
        Settings(RELANCE_HOME=tmp_path / "demo"), as_of=DEMO_DAY, clock=lambda: FIXED_NOW
    )
    built.service.close()
    move_home(tmp_path / "demo" / "relance.db", pg_empty_url)
    monkeypatch.setenv("RELANCE_DATABASE_URL", pg_empty_url)
    boot = desk(tmp_path / "admin", "alice")
    boot.add_user("alice", "admin")
    boot.add_user("mia", "manager")
    boot.close()
    mine = desk(tmp_path / "desk1", "mia")
    other = desk(tmp_path / "desk2", "alice")
    try:
        app = make_app(mine, DEMO_DAY)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f4")
            await pilot.pause()
            screen = app.screen
            screen.open_file(NAME)  # type: ignore[attr-defined]
            await settle(app, pilot)
            shipped = screen.query_one("#policy-text", TextArea).text
            # another desk saves the same file meanwhile
            theirs = shipped + "\n# revu par alice\n"
            other.save_policy(NAME, theirs, seen=other.policy_file(NAME).version)
            area = screen.query_one("#policy-text", TextArea)
            area.text = shipped + "\n# revu par mia\n"
            await pilot.pause(0.6)
            await settle(app, pilot)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            status = str(screen.query_one("#policy-status").render())
            assert "Refusé" in status and "modifié entre-temps par alice" in status
            assert other.read_policy(NAME) == theirs  # nothing of mine written
            # reopened, the editor shows their text; my save then goes through
            screen.open_file(NAME)  # type: ignore[attr-defined]
            await settle(app, pilot)
            assert area.text == theirs
            area.text = theirs + "# et par mia\n"
            await pilot.pause(0.6)  # the edit's debounced preview runs first
            await settle(app, pilot)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert "Enregistré" in str(screen.query_one("#policy-status").render())
        assert other.read_policy(NAME) == theirs + "# et par mia\n"
    finally:
        mine.close()
        other.close()
    saved = query(
        tmp_path / "desk1",
        "SELECT actor FROM events WHERE kind = 'policy.saved' ORDER BY id",
    )
    assert [a for (a,) in saved] == ["alice", "mia"]
    assert not (tmp_path / "desk1" / "policies").exists()  # nothing in the desk's folder
