"""The interface says which company it shows when one is chosen (docs/companies.md), on the
session's real PostgreSQL cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.firm import add_company
from assistant.service import Service
from tests.conftest import FIXED_NOW, write_company
from tests.tui.conftest import DEMO_DAY
from tui.app import make_app

SIZE = (140, 40)


async def test_the_header_names_the_chosen_company(
    tmp_path: Path, pg_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELANCE_DATABASE_URL", pg_empty_url)  # for write_company
    home = tmp_path / "home"
    settings = Settings(RELANCE_HOME=home, RELANCE_DATABASE_URL=pg_empty_url, RELANCE_USER="boss")
    write_company(home)  # the default company (the public schema)
    default = Service.open(settings, clock=lambda: FIXED_NOW)
    try:
        add_company(default, "alpha", "Alpha SARL")
        app = make_app(default, DEMO_DAY)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "Alpha" not in app.title and "alpha" not in app.title
    finally:
        default.close()
    chosen = Service.open(settings.model_copy(update={"company": "alpha"}), clock=lambda: FIXED_NOW)
    try:
        app = make_app(chosen, DEMO_DAY)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.title.startswith("relance — Alpha SARL (alpha)")
            assert "boss (administrateur)" in app.sub_title  # its creator, its admin
    finally:
        chosen.close()
