"""Two people on one queue (docs/concurrency.md): the lines that say a draft changed since it
was read (a stale version) or is open on someone else's screen (a claim), and the checks that
refuse to act on it unknowingly. SQL in `storage/claims_repo.py` and `drafts_lifecycle.py`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.labels import status_label
from assistant.storage import claims_repo, drafts_repo
from assistant.storage.claims_repo import Claim
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import current

CLAIM_MINUTES = 5  # opening a draft holds it this long; the interface renews it while open
FORCEABLE = frozenset({"approve", "reject", "edit"})  # the commands with --force


def stale_line(
    draft_id: int,
    by: str | None,
    seen: int | None,
    version: int | None,
    status: str | None,
    *,
    changed: bool = False,
) -> str:
    """« brouillon 12 : modifié entre-temps par carol (version 4 → 5), rechargez-le ; rien
    n'a été enregistré » (`changed`: the status moved too, and is named)."""
    who = by or tr("quelqu'un", "someone")
    now = tr("supprimé", "removed") if status is None else status_label(status)
    moved = f"{seen if seen is not None else '?'} → {version if version is not None else '?'}"
    if changed or status is None:
        moved += tr(", désormais {s}", ", now {s}", s=now)
    return tr(
        "brouillon {i} : modifié entre-temps par {who} (version {v}), rechargez-le ;"
        " rien n'a été enregistré",
        "draft {i}: changed meanwhile by {who} (version {v}), reload it; nothing was saved",
        i=draft_id,
        who=who,
        v=moved,
    )


class StaleDraft(UserError):
    """The draft is no longer the version the person saw: nothing was written."""

    def __init__(self, store: Store, draft_id: int, seen: int | None, seen_status: str) -> None:
        now = current(store, draft_id)
        status, version = (now[0].value, now[1]) if now else (None, None)
        super().__init__(
            stale_line(
                draft_id,
                drafts_repo.last_actor(store, draft_id),
                seen,
                version,
                status,
                changed=status != seen_status,
            )
        )
        self.draft_id, self.seen, self.version = draft_id, seen, version


def clock_time(moment: datetime) -> str:
    """HH:MM in the machine's time zone (the person's)."""
    return moment.astimezone().strftime("%H:%M")


def claim_line(claim: Claim) -> str:
    """« en cours : carol (jusqu'à 10:35) »."""
    return tr(
        "en cours : {p} (jusqu'à {t})",
        "in progress: {p} (until {t})",
        p=claim.person,
        t=clock_time(claim.until),
    )


class Claimed(UserError):
    """Another person has the draft open: a command may not act on it without `--force`."""

    def __init__(self, claim: Claim, *, forceable: bool = True) -> None:
        line = tr(
            "brouillon {i} : {line} ; rien n'a été enregistré",
            "draft {i}: {line}; nothing was saved",
            i=claim.draft_id,
            line=claim_line(claim),
        )
        if forceable:
            line += tr(" (--force pour passer outre)", " (--force to override)")
        super().__init__(line)
        self.claim = claim


def holder(store: Store, draft_id: int) -> Claim | None:
    """Whoever has the draft open now (None: nobody)."""
    return claims_repo.holder(store, draft_id)


def others_claim(store: Store, draft_id: int, person: str) -> Claim | None:
    """The live claim of someone else on the draft (None: free, or the person's own)."""
    found = claims_repo.holder(store, draft_id)
    return None if found is None or found.person == person else found


def check_free(
    store: Store, draft_ids: Iterable[int], person: str, *, force: bool, operation: str
) -> None:
    """Refuse (`Claimed`) when someone else has one of the drafts open; with `force`, go on
    and record who was overridden (an event per draft). Call it inside the write's
    transaction."""
    for draft_id in draft_ids:
        other = others_claim(store, draft_id, person)
        if other is None:
            continue
        if not force:
            raise Claimed(other, forceable=operation in FORCEABLE)
        store.record_event(
            "draft.claim_overridden",
            actor=person,
            draft_id=draft_id,
            data={"holder": other.person, "until": other.held_until, "operation": operation},
        )


def claim(store: Store, draft_id: int, person: str) -> Claim:
    """Open the draft for `person`: their claim (new or renewed), or the other person's."""
    return claims_repo.claim(store, draft_id, person, CLAIM_MINUTES)


def take_over(store: Store, draft_id: int, person: str) -> Claim:
    """The person takes the draft over from whoever has it open (an event says so)."""
    with store.transaction():
        before = claims_repo.take_over(store, draft_id, person, CLAIM_MINUTES)
        if before is not None and before.person != person:
            store.record_event(
                "draft.claim_taken",
                actor=person,
                draft_id=draft_id,
                data={"from": before.person, "until": before.held_until},
            )
    found = claims_repo.holder(store, draft_id)
    assert found is not None
    return found


def release(store: Store, draft_id: int, person: str) -> None:
    with store.transaction():
        claims_repo.release(store, draft_id, person)


def released_after(store: Store, draft_ids: list[int]) -> None:
    """The drafts were decided: their claims end (inside the caller's transaction)."""
    claims_repo.release_all(store, draft_ids)


def others_claims(store: Store, person: str) -> dict[int, Claim]:
    """Live claims of other people, by draft id (the queue's marker)."""
    return {i: c for i, c in claims_repo.live_claims(store).items() if c.person != person}
