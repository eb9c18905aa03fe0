"""Switching the interface language at run time: the footers' key descriptions follow."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from assistant.i18n import language
from assistant.service import Service
from tests.tui.conftest import DEMO_DAY, settle, wait_until
from tui.app import make_app
from tui.screens.draft import DraftScreen

SIZE = (140, 40)


def _palette_offers(app: object, word: str) -> bool:
    from textual.command import CommandList

    lists = app.screen.query(CommandList)  # type: ignore[attr-defined]
    return any(word in str(option.prompt) for found in lists for option in found._options)


def footer_words(app: object) -> set[str]:
    return {k.description for k in app.screen.query(FooterKey)}  # type: ignore[attr-defined]


async def test_switching_to_english_relabels_the_footer(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert {"Approuver", "Rejeter", "File", "Aide"} <= footer_words(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"English")
        await wait_until(pilot, lambda: _palette_offers(app, "English"))
        await pilot.press("enter")
        await settle(app, pilot)
        await wait_until(pilot, lambda: language() == "en")
        words = footer_words(app)
        assert {"Approve", "Reject", "Queue", "Help"} <= words
        assert not words & {"Approuver", "Rejeter", "File", "Aide"}
        # a screen built after the switch has its keys in English too
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DraftScreen)
        assert {"Approve and next", "Regenerate"} <= footer_words(app)
        # and back: French again, on the screen shown and on the one below
        app.set_ui_language("fr")
        await settle(app, pilot)
        assert {"Approuver et suivant", "Régénérer"} <= footer_words(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert {"Approuver", "Rejeter"} <= footer_words(app)


async def test_an_app_started_in_english_shows_english_keys(demo_service: Service) -> None:
    from assistant.i18n import set_language

    set_language("en")  # e.g. `relance --lang en tui`, after the classes were built in French
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert {"Approve", "Reject", "Queue"} <= footer_words(app)
    set_language("fr")
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert {"Approuver", "Rejeter", "File"} <= footer_words(app)
