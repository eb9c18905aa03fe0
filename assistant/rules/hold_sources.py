"""The hold sources the planner and the send-time re-check consult (see `holds.py`).

Add a capability's source to `SOURCES`; each is `(store, as_of) -> Iterable[Hold]` and only reads.
"""

from __future__ import annotations

from assistant.bank.holds import payment_match_holds
from assistant.replies.holds import invalid_address, reply_pending, reply_question
from assistant.rules.balance import collective_holds, unallocated_credit_holds
from assistant.rules.holds import HoldSource
from assistant.statutory.holds import decision_holds, proceedings_holds

SOURCES: tuple[HoldSource, ...] = (
    unallocated_credit_holds,
    collective_holds,
    payment_match_holds,
    proceedings_holds,
    decision_holds,
    reply_pending,
    reply_question,
    invalid_address,
)
