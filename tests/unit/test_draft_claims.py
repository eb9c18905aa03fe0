"""Two people on one queue (docs/concurrency.md): every change of a draft is a compare-and-set
on its version, and opening a draft claims it for a few minutes on the store's clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.drafting.conflicts import CLAIM_MINUTES, Claimed, StaleDraft, claim_line
from assistant.i18n import set_language
from assistant.people import add_user
from assistant.service import Service
from assistant.storage import claims_repo
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus, current, move, update_if
from tests.conftest import FIXED_NOW, write_company
from tests.support.pg_neutral import policy_in_effect, put_policy
from tests.unit.test_drafts_lifecycle import _draft, _row
from tests.unit.test_store_threads import one_pending_draft

# -- the repository: a version counted at every write, compared when given ------------------


def test_every_write_counts_a_version(store: Store) -> None:
    draft_id = _draft(store, DraftStatus.PENDING)
    assert current(store, draft_id) == (DraftStatus.PENDING, 1)
    assert update_if(store, draft_id, DraftStatus.PENDING, body="b2")
    assert current(store, draft_id) == (DraftStatus.PENDING, 2)
    assert move(store, draft_id, DraftStatus.PENDING, DraftStatus.APPROVED)
    assert current(store, draft_id) == (DraftStatus.APPROVED, 3)


def test_a_write_naming_a_stale_version_changes_nothing(store: Store) -> None:
    draft_id = _draft(store, DraftStatus.PENDING)
    assert update_if(store, draft_id, DraftStatus.PENDING, seen=1, body="first")
    before = _row(store, draft_id)
    # the other person read version 1 too: both writes are refused, the row is untouched
    assert not update_if(store, draft_id, DraftStatus.PENDING, seen=1, body="second")
    assert not move(store, draft_id, DraftStatus.PENDING, DraftStatus.APPROVED, seen=1)
    assert _row(store, draft_id) == before
    assert move(store, draft_id, DraftStatus.PENDING, DraftStatus.APPROVED, seen=2)
    assert current(store, draft_id) == (DraftStatus.APPROVED, 3)


# -- claims on an injected clock --------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(FIXED_NOW)


@pytest.fixture
def clocked(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    from assistant.storage.db import open_store

    s = open_store(tmp_path / "claims.db", clock=clock)
    yield s
    s.close()


def test_a_claim_holds_for_its_minutes_then_is_free(clocked: Store, clock: Clock) -> None:
    draft_id = _draft(clocked, DraftStatus.PENDING)
    mine = claims_repo.claim(clocked, draft_id, "alice", CLAIM_MINUTES)
    assert (mine.person, mine.until) == ("alice", FIXED_NOW + timedelta(minutes=CLAIM_MINUTES))
    clock.now += timedelta(minutes=CLAIM_MINUTES - 1)
    assert claims_repo.claim(clocked, draft_id, "bob", CLAIM_MINUTES) == mine  # alice's still
    assert claims_repo.holder(clocked, draft_id) == mine
    clock.now += timedelta(minutes=1)  # exactly at `until`: expired
    assert claims_repo.holder(clocked, draft_id) is None
    taken = claims_repo.claim(clocked, draft_id, "bob", CLAIM_MINUTES)
    assert taken.person == "bob" and taken.until == clock.now + timedelta(minutes=CLAIM_MINUTES)
    assert claims_repo.live_claims(clocked) == {draft_id: taken}


def test_the_same_person_renews_and_releases_only_their_own(clocked: Store, clock: Clock) -> None:
    draft_id = _draft(clocked, DraftStatus.PENDING)
    claims_repo.claim(clocked, draft_id, "alice", CLAIM_MINUTES)
    clock.now += timedelta(minutes=3)
    renewed = claims_repo.claim(clocked, draft_id, "alice", CLAIM_MINUTES)
    assert renewed.until == clock.now + timedelta(minutes=CLAIM_MINUTES)
    assert not claims_repo.release(clocked, draft_id, "bob")  # not bob's to release
    assert claims_repo.holder(clocked, draft_id) == renewed
    assert claims_repo.release(clocked, draft_id, "alice")
    assert claims_repo.holder(clocked, draft_id) is None


def test_the_claim_line_names_the_person_and_the_time(clocked: Store) -> None:
    draft_id = _draft(clocked, DraftStatus.PENDING)
    held = claims_repo.claim(clocked, draft_id, "alice", CLAIM_MINUTES)
    hhmm = held.until.astimezone().strftime("%H:%M")
    assert claim_line(held) == f"en cours : alice (jusqu'à {hhmm})"
    set_language("en")
    try:
        assert claim_line(held) == f"in progress: alice (until {hhmm})"
    finally:
        set_language("fr")


# -- the service: two people on one home --------------------------------------------------------


@pytest.fixture
def team(tmp_path: Path, clock: Clock) -> Iterator[tuple[Service, Service]]:
    """alice and bob, two accountants, each with their own service on one home."""
    home = tmp_path / "home"
    write_company(home)
    first = Service.open(Settings(RELANCE_HOME=home), clock=clock)
    one_pending_draft(first)
    for name, role in (("boss", "admin"), ("alice", "accountant"), ("bob", "accountant")):
        add_user(first.store, name, role, None, "test")
    first.close()
    alice = Service.open(Settings(RELANCE_HOME=home, RELANCE_USER="alice"), clock=clock)
    bob = Service.open(Settings(RELANCE_HOME=home, RELANCE_USER="bob"), clock=clock)
    yield alice, bob
    alice.close()
    bob.close()


def state(service: Service, draft_id: int) -> tuple[object, ...]:
    d = service.get_draft(draft_id)
    events = service.store.scalar("SELECT COUNT(*) FROM events")
    return d.status, d.version, d.subject, d.body, events


def test_a_claimed_draft_is_refused_to_the_other_person(team: tuple[Service, Service]) -> None:
    alice, bob = team
    (draft_id,) = [d.id for d in alice.drafts("pending")]
    held = alice.claim_draft(draft_id)
    assert bob.claim_draft(draft_id) == held  # bob opens it: he sees alice's claim
    assert bob.draft_claims() == {draft_id: held} and alice.draft_claims() == {}
    before = state(bob, draft_id)
    line = f"brouillon {draft_id} : {claim_line(held)} ; rien n'a été enregistré"
    for act, hint in (
        (lambda: bob.approve([draft_id]), " (--force pour passer outre)"),
        (lambda: bob.reject([draft_id], "non"), " (--force pour passer outre)"),
        (lambda: bob.edit_draft(draft_id, "Autre texte."), " (--force pour passer outre)"),
        (lambda: bob.regenerate(draft_id, adjustment="softer", offline=True), ""),  # no --force
    ):
        with pytest.raises(Claimed) as caught:
            act()
        assert str(caught.value) == line + hint
        assert state(bob, draft_id) == before
    # alice, who has it open, acts: no conflict; her claim ends with the decision
    assert alice.approve([draft_id])[0].status == DraftStatus.APPROVED
    assert claims_repo.holder(alice.store, draft_id) is None


def test_force_acts_and_records_whom_it_overrode(team: tuple[Service, Service]) -> None:
    alice, bob = team
    (draft_id,) = [d.id for d in alice.drafts("pending")]
    alice.claim_draft(draft_id)
    edited = bob.edit_draft(draft_id, "Texte de Bob.", force=True)
    assert (edited.body, edited.version) == ("Texte de Bob.", 2)
    (event,) = bob.store.events(kinds=("draft.claim_overridden",))
    assert (event["actor"], event["data"]["holder"], event["data"]["operation"]) == (
        "bob",
        "alice",
        "edit",
    )


def test_an_expired_claim_is_free(team: tuple[Service, Service], clock: Clock) -> None:
    alice, bob = team
    (draft_id,) = [d.id for d in alice.drafts("pending")]
    alice.claim_draft(draft_id)
    clock.now += timedelta(minutes=CLAIM_MINUTES, seconds=1)
    assert bob.claim_draft(draft_id).person == "bob"
    assert bob.approve([draft_id])[0].status == DraftStatus.APPROVED


def test_taking_over_is_recorded(team: tuple[Service, Service]) -> None:
    alice, bob = team
    (draft_id,) = [d.id for d in alice.drafts("pending")]
    alice.claim_draft(draft_id)
    assert bob.take_over_draft(draft_id).person == "bob"
    (event,) = bob.store.events(kinds=("draft.claim_taken",))
    assert (event["actor"], event["data"]["from"]) == ("bob", "alice")
    with pytest.raises(Claimed, match="en cours : bob"):
        alice.approve([draft_id])


def test_a_stale_version_is_refused_with_who_changed_it(team: tuple[Service, Service]) -> None:
    alice, bob = team
    (draft_id,) = [d.id for d in alice.drafts("pending")]
    shown = bob.get_draft(draft_id).version  # bob reads version 1
    alice.edit_draft(draft_id, "Texte revu par Alice.", version=shown)
    before = state(bob, draft_id)
    line = (
        f"brouillon {draft_id} : modifié entre-temps par alice (version 1 → 2), rechargez-le ;"
        " rien n'a été enregistré"
    )
    for act in (
        lambda: bob.approve([draft_id], versions={draft_id: shown}),
        lambda: bob.reject([draft_id], "non", versions={draft_id: shown}),
        lambda: bob.edit_draft(draft_id, "Texte de Bob.", version=shown),
        lambda: bob.regenerate(draft_id, adjustment="softer", offline=True, version=shown),
    ):
        with pytest.raises(StaleDraft) as caught:
            act()
        assert str(caught.value) == line
        assert state(bob, draft_id) == before
    assert bob.approve([draft_id], versions={draft_id: 2})[0].version == 3


def test_a_stale_version_names_the_new_status(team: tuple[Service, Service]) -> None:
    alice, bob = team
    (draft_id,) = [d.id for d in alice.drafts("pending")]
    alice.approve([draft_id], versions={draft_id: 1})
    with pytest.raises(StaleDraft, match=r"par alice \(version 1 → 2, désormais approuvé\)"):
        bob.reject([draft_id], "non", versions={draft_id: 1})
    assert bob.get_draft(draft_id).status == DraftStatus.APPROVED


def test_show_json_gives_the_version_and_the_claim(team: tuple[Service, Service]) -> None:
    alice, bob = team
    (draft_id,) = [d.id for d in alice.drafts("pending")]
    assert "claim" not in bob.get_draft(draft_id).as_json()
    held = alice.claim_draft(draft_id)
    shown = bob.get_draft(draft_id).as_json()
    assert shown["version"] == 1
    assert shown["claim"] == {"person": "alice", "until": held.held_until}
    alice.release_draft(draft_id)
    assert "claim" not in bob.get_draft(draft_id).as_json()


def test_a_refresh_leaves_a_draft_edited_meanwhile_for_the_next_one(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy change re-renders the queue; a person edits a draft between the refresh's read
    and its supersede: the edit stands (no new version over it), and the next refresh, which
    reads the edited version, re-renders it."""
    from assistant.drafting import refresh

    draft_id = one_pending_draft(service)
    real = refresh.request_for
    edits = iter(["Texte revu pendant la mise à jour."])

    def person_edits_meanwhile(*args: object, **kw: object) -> object:
        for text in edits:  # once
            service.edit_draft(draft_id, text)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh, "request_for", person_edits_meanwhile)
    company = policy_in_effect(service.home, "company.yaml")
    put_policy(
        service.home, "company.yaml", company.replace("Atelier Test SARL", "Atelier Neuf SARL")
    )
    first = service.refresh_drafts()
    kept = service.get_draft(draft_id)
    assert first.renewed == [] and (kept.status, kept.version) == ("pending", 2)
    assert kept.body == "Texte revu pendant la mise à jour."
    second = service.refresh_drafts()
    assert [old for old, _ in second.renewed] == [draft_id]
    assert service.get_draft(draft_id).status == "superseded"
