"""Pilot tests of the review loop's safety (issue 19): live fact checks and the override, the
confirmations, un-approve, the call dialog, the policy editor's guards, a broken policy."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Label, OptionList, Select, TextArea

from assistant.money import format_money
from assistant.service import Service
from tests.support.pg_neutral import policy_in_effect, put_policy
from tests.tui.conftest import DEMO_DAY, finish_workers
from tui.app import make_app
from tui.screens.draft import DraftScreen
from tui.widgets.modals import CallOutcomeModal, ConfirmModal, ReasonModal

SIZE = (140, 40)


def label(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


async def test_an_edited_amount_is_flagged_as_you_type_and_needs_a_reason(
    demo_service: Service,
) -> None:
    draft = next(d for d in demo_service.drafts("pending") if d.channel == "email")
    total = format_money(draft.total_cents, draft.currency, "fr_FR")
    wrong = format_money(draft.total_cents - 10_000, draft.currency, "fr_FR")
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(DraftScreen(draft.id, [draft.id]))
        await pilot.pause(0.5)
        checks = app.screen.query_one("#violations")
        assert "contrôles passés" in str(checks.render())
        area = app.screen.query_one("#body", TextArea)
        area.text = area.text.replace(total, wrong)  # as if typed
        await pilot.pause(0.6)  # the checks run as the person types (debounced)
        assert f"montant absent des factures : {wrong}" in str(checks.render())
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert isinstance(app.screen, ReasonModal)  # approving needs a reason
        await pilot.press("enter")  # empty: refused with a message, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, ReasonModal)
        assert "Un motif est nécessaire" in label(app, "#reason-error")
        await pilot.press(*"remise accordée")
        await pilot.press("enter")
        await pilot.pause()
    saved = demo_service.get_draft(draft.id)
    assert saved.status == "approved" and saved.override_reason == "remise accordée"
    assert wrong in saved.body and saved.checks


async def test_send_asks_with_the_count_the_total_and_the_destination(
    demo_service: Service,
) -> None:
    drafts = [d for d in demo_service.drafts("pending") if d.channel == "email"][:2]
    demo_service.approve([d.id for d in drafts], on=DEMO_DAY)
    total = format_money(sum(d.total_cents for d in drafts), "EUR", "fr_FR")
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        question = label(app, "#question")
        assert "Envoyer 2 message(s) approuvé(s)" in question and total in question
        assert str(demo_service.home / "outbox") in question
        await pilot.press("enter")  # the focus is on « Annuler »: nothing leaves
        await pilot.pause()
        assert {demo_service.get_draft(d.id).status for d in drafts} == {"approved"}
        await pilot.press("S")
        await pilot.pause()
        await pilot.click("#yes")
        await finish_workers(app)
        await pilot.pause()
    assert {demo_service.get_draft(d.id).status for d in drafts} == {"sent"}


async def test_unapprove_from_the_queue_and_space_keeps_the_cursor(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#drafts", DataTable)
        table.move_cursor(row=1)
        await pilot.press("space")
        await pilot.pause()
        assert table.cursor_row == 1 and len(app.screen.selected) == 1  # type: ignore[attr-defined]
        await pilot.press("a")
        await pilot.pause()
        approved = demo_service.drafts("approved")
        assert len(approved) == 1
        app.screen.query_one("#status", Select).value = "approved"
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
    assert demo_service.get_draft(approved[0].id).status == "pending"


async def test_the_call_dialog_keeps_what_was_typed_and_shows_errors_under_fields(
    demo_service: Service,
) -> None:
    task = demo_service.call_tasks(DEMO_DAY)[0]
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await finish_workers(app)
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, CallOutcomeModal)
        assert app.screen.focused is app.screen.query_one("#outcome", Select)  # first field
        app.screen.query_one("#outcome", Select).value = "plan"
        app.screen.query_one("#instalments", Input).value = "trois"
        app.screen.query_one("#note", Input).value = "accord de la DAF"
        await pilot.click("#ok")
        await pilot.pause()
        assert isinstance(app.screen, CallOutcomeModal)  # still open
        assert "un nombre entier d'échéances" in label(app, "#instalments-error")
        assert app.screen.query_one("#note", Input).value == "accord de la DAF"  # kept
        assert "invalid literal" not in label(app, "#instalments-error")
        app.screen.query_one("#outcome", Select).value = "promise"
        app.screen.query_one("#instalments", Input).value = ""
        app.screen.query_one("#date", Input).value = "01/11/2026"  # in the past
        app.screen.query_one("#date", Input).focus()
        await pilot.press("enter")  # Enter in a field submits (no click on a moving button)
        for _ in range(50):
            await pilot.pause(0.1)
            if label(app, "#error"):
                break
        assert isinstance(app.screen, CallOutcomeModal)  # refused by the service, said here
        assert "passée" in label(app, "#error")
        app.screen.query_one("#outcome", Select).value = "plan"
        app.screen.query_one("#date", Input).value = ""
        app.screen.query_one("#instalments", Input).value = "2"
        app.screen.query_one("#instalments", Input).focus()
        await pilot.press("enter")  # Enter in a field submits the form
        await pilot.pause()
        assert not isinstance(app.screen, CallOutcomeModal), label(app, "#error")
        shown = " ".join(str(n.message) for n in app._notifications)
        assert "Échéancier" in shown and " le " in shown
    plans = demo_service.store.query("SELECT customer_id, note FROM payment_plans")
    assert plans == [{"customer_id": task.customer_id, "note": "accord de la DAF"}]


async def test_the_policy_editor_warns_before_discarding_unsaved_edits(
    demo_service: Service,
) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        editor = app.screen
        area = editor.query_one("#policy-text", TextArea)
        assert area.soft_wrap
        first = editor.file  # type: ignore[attr-defined]
        area.text = area.text + "\n# une note\n"
        files = editor.query_one("#files", OptionList)
        files.highlighted = 1
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#no")
        await pilot.pause()
        assert editor.file == first and "# une note" in area.text  # type: ignore[attr-defined]
        files.highlighted = 1
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert editor.file != first  # type: ignore[attr-defined]
        editor.open_file("templates/fr/salesperson_notice.j2")  # type: ignore[attr-defined]
        await pilot.pause()
        preview = str(editor.query_one("#preview").render())
        assert "Appel de relance à prévoir" in preview  # an internal notice previewed
        assert "reminded_before" in str(editor.query_one("#policy-help").render())


async def test_a_broken_policy_shows_in_the_header_and_calls_do_not_crash(
    demo_service: Service,
) -> None:
    scenario = policy_in_effect(demo_service.home, "scenario.yaml")
    put_policy(
        demo_service.home, "scenario.yaml", scenario.replace("min_gap_days: 5", "min_gap_days 5")
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        # a changed file is validated in a worker: the queue paints first, then the header says
        await finish_workers(app)
        await pilot.pause()
        assert "politique invalide" in app.title and "scenario.yaml" in app.title
        await pilot.press("f3")
        await finish_workers(app)
        await pilot.pause()
        assert "Planification arrêtée" in str(app.screen.query_one("#brief").source)  # type: ignore[attr-defined]
        await pilot.press("f5")
        await pilot.pause()
        assert "DSO" in str(app.screen.query_one("#headline").render())
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen.query_one("#drafts", DataTable).row_count > 0
