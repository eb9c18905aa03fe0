"""A new version of a draft must not overtake a person's decision on the old one.

`store_draft` supersedes the old version with a compare-and-set on `pending`: when a person
approved (or rejected) it while the new text was being written (the model answering), the new
version is refused with a clear line and nothing is stored. The person acts on a second
connection (another thread, as the TUI's UI thread beside a worker), exactly between the read
of the old version and its supersede: inside the model's answer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from assistant.drafting.pipeline import DraftChangedError
from assistant.errors import UserError
from assistant.i18n import set_language
from assistant.llm.backend import LangChainBackend
from assistant.service import Service
from tests.unit.rules_builders import add_invoice
from tests.unit.test_llm_rewriter import EchoRewriter
from tests.unit.test_store_threads import AS_OF, one_pending_draft


class PersonActsWhileAnswering(EchoRewriter):
    """A good model; while it answers, a person acts on the draft from another thread."""

    act: Any = None

    def _generate(self, messages: list[BaseMessage], *a: Any, **kw: Any) -> ChatResult:
        if self.act is not None:
            act, self.act = self.act, None  # once
            errors: list[BaseException] = []

            def run() -> None:
                try:
                    act()
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

            person = threading.Thread(target=run)
            person.start()
            person.join(timeout=30)
            assert not person.is_alive() and errors == []
        return super()._generate(messages, *a, **kw)


def with_model(service: Service, act: Callable[[], object]) -> None:
    model = PersonActsWhileAnswering()
    model.act = act
    service.chat_backend = LangChainBackend(model)


def counts(service: Service) -> tuple[int, int]:
    store = service.store
    return store.scalar("SELECT COUNT(*) FROM drafts"), store.scalar(
        "SELECT COUNT(*) FROM events WHERE kind IN ('draft.created', 'draft.superseded')"
    )


def test_a_regeneration_refuses_when_the_draft_was_approved_meanwhile(service: Service) -> None:
    draft_id = one_pending_draft(service)
    before = counts(service)
    with_model(service, lambda: service.approve([draft_id]))
    with pytest.raises(DraftChangedError) as caught:  # French: the tests' language
        service.regenerate(draft_id, adjustment="softer")
    assert isinstance(caught.value, UserError)
    message = str(caught.value)
    assert message == (
        f"brouillon {draft_id} : modifié entre-temps par user (version 1 → 2, désormais"
        " approuvé), rechargez-le ; rien n'a été enregistré"
    )
    assert "\n" not in message
    assert service.get_draft(draft_id).status == "approved"  # the person's yes stands
    assert counts(service) == before  # no new version, no supersede event
    assert service.store.scalar("SELECT draft_id FROM llm_calls") is None  # logged, unlinked


def test_the_refusal_reads_in_english_too(service: Service) -> None:
    draft_id = one_pending_draft(service)
    with_model(service, lambda: service.reject([draft_id], "pas maintenant"))
    set_language("en")
    try:
        refused = r"changed meanwhile by user \(version 1 → 2, now rejected\), reload it"
        with pytest.raises(DraftChangedError, match=refused):
            service.regenerate(draft_id, adjustment="softer")
    finally:
        set_language("fr")
    assert service.get_draft(draft_id).status == "rejected"
    assert [d.status for d in service.drafts()] == ["rejected"]


def test_a_regeneration_refuses_when_the_draft_was_edited_meanwhile(service: Service) -> None:
    """Still pending, but a person edited the text while the model answered: the new version
    would silently drop the edit; the supersede is a compare-and-set on the version."""
    draft_id = one_pending_draft(service)
    before = counts(service)
    with_model(service, lambda: service.edit_draft(draft_id, "Texte revu à la main."))
    with pytest.raises(DraftChangedError, match=r"version 1 → 2\), rechargez-le"):
        service.regenerate(draft_id, adjustment="softer")
    kept = service.get_draft(draft_id)
    assert (kept.status, kept.body, kept.version) == ("pending", "Texte revu à la main.", 2)
    assert counts(service) == before


def test_without_a_person_acting_the_new_version_supersedes_the_old(service: Service) -> None:
    """The control: the same flow with nobody acting stores the new version."""
    draft_id = one_pending_draft(service)
    with_model(service, lambda: None)
    new = service.regenerate(draft_id, adjustment="softer")
    assert new.status == "pending" and new.parent_id == draft_id
    assert service.get_draft(draft_id).status == "superseded"


def test_a_draft_run_leaves_a_draft_rejected_meanwhile_alone(service: Service) -> None:
    """`relance draft` supersedes a pending draft whose invoices changed; a person rejects it
    while the model writes the new one: the run stores nothing for it (before the fix, a new
    version was stored beside the person's fresh refusal)."""
    draft_id = one_pending_draft(service)
    add_invoice(service.store, "F2", AS_OF - timedelta(days=6))  # the subject changes
    with_model(service, lambda: service.reject([draft_id], "déjà réglé au téléphone"))
    report = service.draft(AS_OF)
    assert report.created == [] and report.superseded == 0 and report.unchanged >= 1
    assert service.get_draft(draft_id).status == "rejected"
    assert [d.id for d in service.drafts()] == [draft_id]
