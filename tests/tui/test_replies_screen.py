"""The Réponses screen (F7): the demo's replies, evidence highlighted, one key to accept, the
correction form (assigning an unmatched reply), and its snapshot."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Select, Static

from assistant.service import Service
from tests.tui.conftest import DEMO_DAY
from tui.app import make_app
from tui.screens.replies import RepliesScreen

SIZE = (140, 40)


def row_of(app: Any, customer_or_address: str) -> int:
    screen = app.screen
    assert isinstance(screen, RepliesScreen)
    return next(
        i
        for i, r in enumerate(screen.items)
        if customer_or_address in (r.customer_id, r.from_address)
    )


async def test_the_screen_lists_replies_to_triage_with_the_evidence_highlighted(
    demo_service: Service,
) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RepliesScreen)
        assert screen.query_one("#replies", DataTable).row_count == 4  # new human replies
        screen.query_one("#replies", DataTable).move_cursor(row=row_of(app, "C012"))
        await pilot.pause()
        content = screen.query_one("#reply-text", Static).render()  # the Text, as Content
        marked = [content.plain[s.start : s.end] for s in content.spans]  # type: ignore[attr-defined]
        assert marked == ["avons réglé", "hier"]
        suggestion = str(screen.query_one("#reply-suggestion", Static).render())
        assert "paiement annoncé" in suggestion and "(règles)" in suggestion
        situation = str(screen.query_one("#situation", Static).render())
        assert "Encours" in situation and "FA-2026-" in situation
        answered = str(screen.query_one("#answered", Static).render())
        assert "dernier envoi (sans lien de fil)" in answered and "envoyé le 2026-11-" in answered
        await pilot.press("t")  # all replies: the out-of-office and the bounce too
        await pilot.pause()
        assert screen.query_one("#replies", DataTable).row_count == 6


async def test_one_key_accepts_the_suggestion(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        app.screen.query_one("#replies", DataTable).move_cursor(row=row_of(app, "C012"))
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#replies", DataTable).row_count == 3
    (reply,) = [r for r in demo_service.replies() if r.customer_id == "C012"]
    assert (reply.status, reply.outcome) == ("triaged", "paid")
    promise = demo_service.store.query_one(
        "SELECT source, made_on FROM promises WHERE customer_id = 'C012' AND source ="
        " 'payment_claimed'"
    )
    assert promise == {"source": "payment_claimed", "made_on": "2026-11-22"}
    steps = {a.step for a in demo_service.plan(DEMO_DAY).actions if a.customer_id == "C012"}
    assert "reply_pending" not in steps


async def test_the_form_assigns_an_unmatched_reply_and_corrects_the_outcome(
    demo_service: Service,
) -> None:
    unknown = "julien.fabre.compta@gmail.com"
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        app.screen.query_one("#replies", DataTable).move_cursor(row=row_of(app, unknown))
        await pilot.pause()
        await pilot.press("a")  # no customer yet: the form opens instead
        await pilot.pause()
        form = app.screen
        form.query_one("#outcome", Select).value = "question"
        form.query_one("#customer", Input).value = "C020"
        form.query_one("#note", Input).value = "nouveau contact comptable"
        await pilot.click("#ok")
        await pilot.pause()
    (reply,) = [r for r in demo_service.replies() if r.from_address == unknown]
    assert (reply.customer_id, reply.match, reply.outcome) == ("C020", "person", "question")
    tasks = {(a.customer_id, a.step) for a in demo_service.plan(DEMO_DAY).actions}
    assert ("C020", "reply_question") in tasks


def test_replies_screen_snapshot(demo_service: Service, snap_compare: Any) -> None:
    assert snap_compare(make_app(demo_service, DEMO_DAY), press=["f7"], terminal_size=(140, 40))


def test_replies_screen_80x24(demo_service: Service, snap_compare: Any) -> None:
    assert snap_compare(make_app(demo_service, DEMO_DAY), press=["f7"], terminal_size=(80, 24))
