"""Pilot tests of each flow, driven by keys as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Label, Select, TextArea

from assistant.config import Settings
from assistant.labels import segment_label, step_label
from assistant.money import format_money
from assistant.service import Service
from tests.conftest import FIXED_NOW, write_company
from tests.support.llm_stub import StubLLM
from tests.support.pg_neutral import cluster_if_postgresql, fresh_database, policy_in_effect
from tests.tui.conftest import DEMO_DAY, finish_workers, settle
from tui.app import make_app
from tui.screens.draft import DraftScreen
from tui.screens.queue import QueueScreen
from tui.widgets.modals import ConfirmModal

SIZE = (140, 40)


def first_row_id(app: object) -> int:
    table = app.screen.query_one("#drafts", DataTable)  # type: ignore[attr-defined]
    return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


async def test_queue_lists_pending_drafts_and_approves(demo_service: Service) -> None:
    pending = demo_service.drafts("pending")
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#drafts", DataTable)
        assert table.row_count == len(pending) > 0
        draft_id = first_row_id(app)
        await pilot.press("a")
        await pilot.pause()
        assert demo_service.get_draft(draft_id).status == "approved"
        assert table.row_count == len(pending) - 1


async def test_reject_needs_a_reason(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        draft_id = first_row_id(app)
        await pilot.press("r")
        await pilot.press("enter")  # empty reason: nothing happens
        await pilot.press(*"client en litige")
        await pilot.press("enter")
        await pilot.pause()
        draft = demo_service.get_draft(draft_id)
        assert draft.status == "rejected" and draft.reject_reason == "client en litige"


async def test_edit_then_approve_and_next(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        draft_id = first_row_id(app)
        await pilot.press("enter")
        assert isinstance(app.screen, DraftScreen)
        area = app.screen.query_one("#body", TextArea)
        area.focus()
        area.move_cursor((0, 0))
        await pilot.press(*"Cher client, ")
        await pilot.press("ctrl+a")
        await pilot.pause()
        draft = demo_service.get_draft(draft_id)
        assert draft.status == "approved" and draft.edited
        assert draft.body.startswith("Cher client, ")
        assert isinstance(app.screen, DraftScreen) and app.screen.draft_id != draft_id


async def test_bulk_approve_only_takes_drafts_that_passed_checks(demo_service: Service) -> None:
    demo_service.store.conn.execute(
        "UPDATE drafts SET checks = '[\"montant absent des factures : 1,00 €\"]' WHERE id = "
        "(SELECT MIN(id) FROM drafts WHERE status = 'pending' AND channel = 'email')"
    )
    flagged = demo_service.store.scalar(
        "SELECT id FROM drafts WHERE checks != '[]' AND status = 'pending'"
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        clean = {d.id for d in screen.drafts if not d.checks and d.channel != "sms"}
        clean = set(sorted(clean)[:3])
        screen.selected = clean | {flagged}
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)  # count and total first
        question = str(app.screen.query_one("#question", Label).render())
        total = sum(d.total_cents for d in screen.drafts if d.id in clean)
        assert "Approuver 3 brouillon(s)" in question and "1 écarté(s)" in question
        assert format_money(total, "EUR", "fr_FR") in question
        await pilot.click("#yes")
        await pilot.pause()
    statuses = {d.id: d.status for d in demo_service.drafts()}
    assert statuses[flagged] == "pending"
    assert {i for i, s in statuses.items() if s == "approved"} == clean


async def test_filters_and_search(demo_service: Service) -> None:
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        screen.query_one("#step", Select).value = "reminder_2"
        await pilot.pause()
        assert {d.step for d in screen.visible()} == {"reminder_2"}
        customer = screen.visible()[0].customer_name
        await pilot.press("slash", *customer[:6])
        await pilot.pause()
        assert all(customer[:6].casefold() in d.customer_name.casefold() for d in screen.visible())


async def test_regenerate_softer_against_the_stub(tmp_path: Path, demo_service: Service) -> None:
    home = demo_service.home
    demo_service.close()
    with StubLLM("ok") as stub:
        settings = Settings(
            RELANCE_HOME=home, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=stub.base_url
        )
        service = Service.open(settings, clock=lambda: FIXED_NOW)
        email = next(d for d in service.drafts("pending") if d.channel == "email")
        app = make_app(service, DEMO_DAY)
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(DraftScreen(email.id, [email.id]))
            await pilot.pause()
            await pilot.press("ctrl+g")
            await pilot.press("enter")  # first choice: softer
            await finish_workers(app)
            await pilot.pause()
            new_id = app.screen.draft_id  # type: ignore[attr-defined]
        new = service.get_draft(new_id)
        assert new.id != email.id and new.source == "llm" and new.tone_adjustment == "softer"
        assert service.get_draft(email.id).status == "superseded"
        assert "softer" in stub.requests[0]["messages"][1]["content"]
        service.close()


async def test_log_a_call_from_the_calls_screen(demo_service: Service) -> None:
    tasks = demo_service.call_tasks(DEMO_DAY)
    assert tasks
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await finish_workers(app)
        customer = tasks[0].customer_id
        await pilot.press("l")
        await pilot.pause()
        app.screen.query_one("#date", Input).value = "2026-12-04"
        app.screen.query_one("#note", Input).value = "paiement promis par la DAF"
        await pilot.click("#ok")
        await pilot.pause()
    promises = demo_service.store.query(
        "SELECT customer_id, promised_date FROM promises WHERE note = ?",
        ("paiement promis par la DAF",),
    )
    assert promises == [{"customer_id": customer, "promised_date": "2026-12-04"}]
    assert customer not in {t.customer_id for t in demo_service.call_tasks(DEMO_DAY)}


async def test_policy_editor_refuses_invalid_and_saves_valid(demo_service: Service) -> None:
    home = demo_service.home
    before = policy_in_effect(home, "tone.yaml")
    seen = demo_service.policy_file("templates/fr/reminder_1.j2").version
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        screen.open_file("tone.yaml")  # type: ignore[attr-defined]
        area = screen.query_one("#policy-text", TextArea)
        area.text = before.replace("short: [0.4, 1.1]", "short: [1.5, 1.1]")
        await pilot.pause(0.6)  # the edit's debounced preview (0.4 s) runs and says ✗ first
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Refusé" in str(screen.query_one("#policy-status").render())
        assert policy_in_effect(home, "tone.yaml") == before  # nothing written

        name = "templates/fr/reminder_1.j2"
        screen.open_file(name)  # type: ignore[attr-defined]
        await settle(app, pilot)
        preview_before = str(screen.query_one("#preview").render())
        area.text = area.text.replace("Bonjour,", "Madame, Monsieur,")
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        preview_after = str(screen.query_one("#preview").render())
        assert "Madame, Monsieur," in preview_after and preview_after != preview_before
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert "Madame, Monsieur," in policy_in_effect(home, name)
    if demo_service.store.kind == "sqlite":  # the home's folder keeps the replaced file
        versions = list((home / "policies" / ".versions").iterdir())
        assert len(versions) == 1 and "Bonjour," in versions[0].read_text()
    else:  # the database counts one more version of the row (compare-and-set)
        assert demo_service.policy_file(name).version == (seen or 0) + 1


async def test_results_screen_shows_the_kpis(demo_service: Service) -> None:
    expected = demo_service.stats(DEMO_DAY).as_json()
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        headline = str(app.screen.query_one("#headline").render())
        assert f"DSO {expected['dso_days']}" in headline
        shown = app.export_screenshot()  # what the terminal displays (SVG text)
        first = expected["after_step"][0]
        shown = shown.replace("&#160;", " ")
        assert step_label(first["step"]) in shown and f">{first['sent']}" in shown


async def test_results_switch_dimension_and_an_empty_home_shows_dashes(
    demo_service: Service, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    expected = demo_service.stats(DEMO_DAY).as_json()["after_step_by"]["segment"]
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "d")  # tone -> segment
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Par segment" in shown and "Par ton" not in shown
        assert all(segment_label(row["segment"]) in shown for row in expected)  # in words
        assert "strategic" not in shown
    with fresh_database(cluster_if_postgresql(request)):  # not the demo's, on PostgreSQL
        write_company(tmp_path / "empty")
        service = Service.open(Settings(RELANCE_HOME=tmp_path / "empty"), clock=lambda: FIXED_NOW)
        try:
            app = make_app(service, DEMO_DAY)  # nothing imported yet
            async with app.run_test(size=SIZE) as pilot:
                await pilot.press("f5")
                await pilot.pause()
                headline = str(app.screen.query_one("#headline").render())
                assert "DSO —" in headline and "None" not in headline
        finally:
            service.close()


async def test_a_failed_send_shows_the_server_words(demo_service: Service) -> None:
    draft = next(d for d in demo_service.drafts("pending") if d.channel == "email")
    demo_service.approve([draft.id], on=DEMO_DAY)
    demo_service.store.conn.execute(
        "UPDATE drafts SET status = 'failed', error = '550 5.1.1 utilisateur inconnu' WHERE id = ?",
        (draft.id,),
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 envoi(s) en échec" in str(app.screen.query_one("#counts").render())
        app.screen.query_one("#status", Select).value = "failed"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        facts = str(app.screen.query_one("#facts").render())
        assert "échec : 550 5.1.1 utilisateur inconnu" in facts


async def test_a_stuck_send_is_surfaced_in_the_queue(demo_service: Service) -> None:
    draft = next(d for d in demo_service.drafts("pending") if d.channel == "email")
    demo_service.approve([draft.id], on=DEMO_DAY)
    demo_service.store.conn.execute(
        "UPDATE drafts SET status = 'sending' WHERE id = ?", (draft.id,)
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        counts = str(app.screen.query_one("#counts").render())
        assert f"envoi interrompu à vérifier : {draft.id}" in counts
        app.screen.query_one("#status", Select).value = "sending"
        await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("down", "enter")  # second choice: it did not leave
        await pilot.pause()
    assert demo_service.get_draft(draft.id).status == "approved"  # will go with the next send


async def test_english_interface_reaches_worker_threads(demo_service: Service) -> None:
    from assistant.i18n import set_language

    set_language("en")
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        shown = ""
        for _ in range(100):  # the brief's worker starts once the table is highlighted
            await pilot.pause(0.1)
            await finish_workers(app)
            shown = app.export_screenshot().replace("&#160;", " ")
            if "Call brief" in shown or "Fiche d" in shown:
                break
        assert "Call brief" in shown and "Fiche d" not in shown  # rendered in a worker thread


async def test_palette_commands_draft_and_send_in_workers(demo_service: Service) -> None:
    demo_service.store.conn.execute(
        "UPDATE drafts SET status = 'superseded' WHERE status = 'pending'"
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one("#drafts", DataTable).row_count == 0
        app.create_drafts()
        await finish_workers(app)
        await pilot.pause()
        pending = demo_service.drafts("pending")
        assert pending and app.screen.query_one("#drafts", DataTable).row_count == len(pending)
        email = next(d for d in pending if d.channel == "email")
        demo_service.approve([email.id], on=DEMO_DAY)
        app.send_approved()
        await finish_workers(app)
        await pilot.pause()
    assert demo_service.get_draft(email.id).status == "sent"
    assert (demo_service.home / "outbox" / f"draft-{email.id}.eml").is_file()


async def test_palette_speaks_french_and_runs_a_command_typed_by_a_person(
    demo_service: Service,
) -> None:
    demo_service.store.conn.execute(
        "UPDATE drafts SET status = 'superseded' WHERE status = 'pending'"
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        titles = [c.title for c in app.get_system_commands(app.screen_stack[0])]
        assert "Quitter" in titles and "Quit" not in titles and "Theme" not in titles
        await pilot.press(*"Créer les brouillons")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await finish_workers(app)
        await pilot.pause()
        pending = demo_service.drafts("pending")
        assert pending
        assert app.screen.query_one("#drafts", DataTable).row_count == len(pending)


async def test_sending_with_bad_smtp_settings_is_a_notice_not_a_crash(
    demo_service: Service,
) -> None:
    email = next(d for d in demo_service.drafts("pending") if d.channel == "email")
    demo_service.approve([email.id], on=DEMO_DAY)
    demo_service.settings = demo_service.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_user": "compta"}  # no password
    )
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=SIZE) as pilot:
        app.send_approved()
        await finish_workers(app)
        await pilot.pause()
        assert app.is_running
        notices = [n.message for n in app._notifications]
        assert any("RELANCE_SMTP_PASSWORD" in m for m in notices), notices
    assert demo_service.get_draft(email.id).status == "approved"


async def test_every_screen_shows_its_title_on_the_header_line(demo_service: Service) -> None:
    from textual.widgets._header import HeaderTitle

    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        for key, title in [
            ("f2", "File de validation"),
            ("f3", "Appels du jour"),
            ("f4", "Politiques et modèles"),
            ("f5", "Résultats"),
        ]:
            await pilot.press(key)
            await pilot.pause()
            header = app.screen.query_one(HeaderTitle)
            assert header.region.y == 0 and header.region.height == 1  # not pushed off its line
            assert title in str(header.render())


async def test_call_form_fits_80x24_and_submits_with_enter(demo_service: Service) -> None:
    task = demo_service.call_tasks(DEMO_DAY)[0]
    app = make_app(demo_service, DEMO_DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await finish_workers(app)
        await pilot.press("l")
        await pilot.pause()
        save = app.screen.query_one("#ok")
        assert save.region.bottom <= 24 and save.region.height >= 1  # reachable, not clipped
        app.screen.query_one("#outcome", Select).value = "paid"
        app.screen.query_one("#note", Input).focus()
        await pilot.press(*"virement hier", "enter")
        await pilot.pause()
    claims = demo_service.store.query(
        "SELECT customer_id, note FROM promises WHERE source = 'payment_claimed'"
    )
    assert claims == [{"customer_id": task.customer_id, "note": "virement hier"}]
