"""Two accountants on one queue (docs/concurrency.md): bob opens a draft alice has open; he
sees « en cours : alice (jusqu'à HH:MM) », cannot approve or edit it unknowingly, and may take
it over (recorded). The queue marks it; leaving the view releases the claim."""

from __future__ import annotations

from textual.widgets import DataTable, TextArea

from assistant.drafting.conflicts import claim_line
from assistant.service import Service
from tests.conftest import FIXED_NOW
from tests.tui.conftest import DEMO_DAY
from tests.tui.test_roles import SIZE, act_as, first_row_id
from tui.app import make_app
from tui.screens.draft import DraftScreen
from tui.screens.queue import CLAIMED, QueueScreen


def alice_of(service: Service) -> Service:
    """alice's own service on the same home (another desk), on the same clock."""
    settings = service.settings.model_copy(update={"user": "alice"})
    return Service.open(settings, clock=lambda: FIXED_NOW)


async def test_bob_sees_alice_has_the_draft_open(demo_service: Service) -> None:
    act_as(demo_service, "alice", "accountant")
    act_as(demo_service, "bob", "accountant")  # bob is the one at this screen
    alice = alice_of(demo_service)
    app = make_app(demo_service, DEMO_DAY)
    try:
        async with app.run_test(size=SIZE) as pilot:
            draft_id = first_row_id(app)
            held = alice.claim_draft(draft_id)  # alice opens it at her desk
            line = claim_line(held)
            assert line.startswith("en cours : alice (jusqu'à ")

            await pilot.press("ctrl+r")  # the queue reloads: the draft is marked
            await pilot.pause()
            table = app.screen.query_one("#drafts", DataTable)
            assert str(table.get_row_at(table.cursor_row)[0]) == CLAIMED
            assert f"#{draft_id} {line}" in str(app.screen.query_one("#counts").render())

            await pilot.press("a")  # approving from the queue is refused with the line
            await pilot.pause()
            assert demo_service.get_draft(draft_id).status == "pending"

            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DraftScreen)
            assert line in str(screen.query_one("#facts").render())
            assert screen.query_one("#body", TextArea).read_only
            for action in ("approve", "save", "reject", "regenerate"):
                assert screen.check_action(action, ()) is None  # shown, disabled
            await pilot.press("ctrl+a", "ctrl+r")
            await pilot.pause()
            kept = demo_service.get_draft(draft_id)
            assert (kept.status, kept.version) == ("pending", 1)
            assert alice.draft_claims() == {}  # alice's claim is hers: bob holds none
            assert demo_service.draft_claims() == {draft_id: held}

            await pilot.press("ctrl+t")  # bob takes it over, knowingly
            await pilot.pause()
            assert "en cours" not in str(screen.query_one("#facts").render())
            assert not screen.query_one("#body", TextArea).read_only
            (event,) = demo_service.store.events(kinds=("draft.claim_taken",))
            assert (event["actor"], event["data"]["from"]) == ("bob", "alice")
            assert alice.claim_draft(draft_id).person == "bob"  # now alice sees bob

            await pilot.press("escape")  # leaving the view releases bob's claim
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            assert alice.claim_draft(draft_id).person == "alice"
    finally:
        alice.close()


async def test_a_draft_changed_since_it_was_shown_is_not_approved(
    demo_service: Service,
) -> None:
    """bob's screen shows version 1; alice edits it (version 2) at her desk; bob's approval
    names version 1 and is refused: he never approves a text he has not seen."""
    act_as(demo_service, "alice", "accountant")
    act_as(demo_service, "bob", "accountant")
    alice = alice_of(demo_service)
    app = make_app(demo_service, DEMO_DAY)
    try:
        async with app.run_test(size=SIZE) as pilot:
            draft_id = first_row_id(app)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DraftScreen) and app.screen.shown_version == 1
            alice.edit_draft(draft_id, "Texte revu par Alice.", force=True)
            await pilot.press("ctrl+a")
            await pilot.pause()
            draft = demo_service.get_draft(draft_id)
            assert (draft.status, draft.version) == ("pending", 2)
            assert not demo_service.store.events(kinds=("draft.approved",))
            await pilot.press("ctrl+l")  # reload: bob now sees alice's text
            await pilot.pause()
            assert app.screen.query_one("#body", TextArea).text == "Texte revu par Alice."
            await pilot.press("ctrl+a")
            await pilot.pause()
        assert demo_service.get_draft(draft_id).status == "approved"
    finally:
        alice.close()
