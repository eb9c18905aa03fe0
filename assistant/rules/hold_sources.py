"""The hold sources the planner and the send-time re-check consult (see `holds.py`).

Add a capability's source to `SOURCES`; each is `(store, as_of) -> Iterable[Hold]` and only reads.
"""

from __future__ import annotations

from assistant.rules.balance import collective_holds, unallocated_credit_holds
from assistant.rules.holds import HoldSource

SOURCES: tuple[HoldSource, ...] = (unallocated_credit_holds, collective_holds)
