"""Escape during a regeneration cancels it: nothing is stored, the draft on screen stays."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import FIXED_NOW
from tests.support.llm_stub import StubLLM
from tests.tui.conftest import DEMO_DAY, finish_workers
from tui.app import make_app
from tui.screens.draft import DraftScreen

SIZE = (140, 40)


async def test_escape_while_the_model_answers_stores_nothing(demo_service: Service) -> None:
    home = demo_service.home
    demo_service.close()
    with StubLLM("ok", latency_s=1.0) as stub:  # a slow model: Escape comes while it answers
        settings = Settings(
            RELANCE_HOME=home, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=stub.base_url
        )
        service = Service.open(settings, clock=lambda: FIXED_NOW)
        email = next(d for d in service.drafts("pending") if d.channel == "email")
        drafts_before = service.store.scalar("SELECT COUNT(*) FROM drafts")
        # Textual's cancel does not stop a thread: wait for the real call to end, however it ends
        finished, outcomes = threading.Event(), []
        regenerate = service.regenerate

        def watched(*args: Any, **kwargs: Any) -> Any:
            try:
                result = regenerate(*args, **kwargs)
                outcomes.append("stored")
                return result
            except BaseException as exc:
                outcomes.append(type(exc).__name__)
                raise
            finally:
                finished.set()

        service.regenerate = watched  # type: ignore[method-assign]
        app = make_app(service, DEMO_DAY)
        async with app.run_test(size=SIZE) as pilot:
            screen = DraftScreen(email.id, [email.id])
            app.push_screen(screen)
            await pilot.pause()
            await pilot.press("ctrl+g")
            await pilot.press("enter")  # first choice: softer
            for _ in range(200):  # until the model has the request
                if stub.in_flight:
                    break
                await asyncio.sleep(0.02)
            assert stub.in_flight == 1
            await pilot.press("escape")
            messages = [n.message for n in app._notifications]
            assert "Régénération annulée" in messages
            assert await asyncio.to_thread(finished.wait, 30)
            await finish_workers(app)
            await pilot.pause()
            assert len(stub.requests) == 1 and outcomes == ["Cancelled"]
            assert app.screen is screen and screen.draft_id == email.id
        assert service.get_draft(email.id).status == "pending"
        assert service.store.scalar("SELECT COUNT(*) FROM drafts") == drafts_before
        assert (
            service.store.scalar("SELECT COUNT(*) FROM drafts WHERE parent_id = ?", (email.id,))
            == 0
        )
        service.close()
