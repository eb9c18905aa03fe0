"""How many examples a hypothesis property test draws.

A normal run draws what each test asks for. A mutation run (tools/mutation.sh exports
RELANCE_MUTATION_EXAMPLES) caps every property test at that many examples: each surviving mutant
re-runs every test that reaches its function, and the property tests were ~40 % of that time.
Tests with an explicit `@settings(max_examples=...)` override the profile, so they call
`examples(n)` instead of writing `n`.
"""

from __future__ import annotations

import os

ENV = "RELANCE_MUTATION_EXAMPLES"


def mutation_cap() -> int | None:
    """The cap set by a mutation run, or None on a normal run."""
    raw = os.environ.get(ENV, "").strip()
    return int(raw) if raw else None


def examples(wanted: int) -> int:
    """`wanted` on a normal run; at most the mutation cap during a mutation run."""
    cap = mutation_cap()
    return wanted if cap is None else min(wanted, cap)
