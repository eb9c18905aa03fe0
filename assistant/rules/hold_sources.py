"""The hold sources the planner and the send-time re-check consult (see `holds.py`).

Add a capability's source to `SOURCES`; each is `(store, as_of) -> Iterable[Hold]` and only reads.
"""

from __future__ import annotations

from assistant.bank.holds import payment_match_holds
from assistant.rules.holds import HoldSource

SOURCES: tuple[HoldSource, ...] = (payment_match_holds,)
