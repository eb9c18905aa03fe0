"""Pacing at send time, whatever was approved: the minimum gap between two messages to one
customer, and never an older step (or the same step twice) for an invoice after a newer one.

Judged on what was actually delivered (`message.sent`), right before each message leaves. The
e-mail and the SMS of one step drafted the same day are one message (sent the same day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from assistant.drafting.queue import DraftView
from assistant.reasons import Code, Reason
from assistant.rules.policy import STEP_IDS
from assistant.storage.review import Delivered

_RANK = {step: i for i, step in enumerate(STEP_IDS)}


@dataclass(frozen=True)
class Pacing:
    cancel: Reason | None = None  # the draft must never leave (a newer step already went)
    hold: Reason | None = None  # not yet: stays approved, sent by a later run


def _companion(message: Delivered, draft: DraftView) -> bool:
    """The other half of the same message (the e-mail beside its SMS): never the same
    channel, which would be the same message twice."""
    return (
        message.step == draft.step
        and message.plan_date == draft.plan_date
        and message.channel != draft.channel
        and message.draft_id != draft.id
    )


def pace(draft: DraftView, history: list[Delivered], today: date, min_gap_days: int) -> Pacing:
    """May this approved customer draft leave today, given what the customer received?
    Reminders are paced; a salesperson notice and a formal notice (a person's escalation
    decision, approved as such) are not."""
    if draft.channel in ("internal", "letter"):
        return Pacing()
    others = [m for m in history if not _companion(m, draft)]
    rank = _RANK.get(draft.step)
    if rank is not None:
        mine = set(draft.invoices)
        for m in others:
            done = _RANK.get(m.step or "")
            common = sorted(mine & set(m.invoices))
            if done is not None and done >= rank and common:
                return Pacing(
                    cancel=Reason.of(
                        Code.ALREADY_SENT,
                        s_step=m.step or "",
                        d=m.on.isoformat(),
                        n=", ".join(common),
                    )
                )
    # the other half sent another day (an SMS delayed) is a second message: the gap applies
    spaced = [m for m in history if m.on != today or not _companion(m, draft)]
    if min_gap_days > 0 and spaced:
        last = max(m.on for m in spaced)
        if (today - last).days < min_gap_days:
            return Pacing(
                hold=Reason.of(
                    Code.PACING_GAP,
                    d=last.isoformat(),
                    n=(last + timedelta(days=min_gap_days)).isoformat(),
                )
            )
    return Pacing()
