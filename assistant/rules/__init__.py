"""Rules engine: scenario policy, business calendar, snapshot loading and the pure planner."""

from __future__ import annotations

import importlib
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.rules.calendar import BusinessCalendar
    from assistant.rules.engine import Action, Plan, Planner, Skip, step_label
    from assistant.rules.policy import ScenarioPolicy, load_scenario
    from assistant.rules.snapshot import Snapshot, load_snapshot
    from assistant.storage.db import Store

# Loaded at first use (PEP 562): a module that needs only the business calendar (the data
# freshness shown in the TUI's header) does not load the planner.
_WHERE = {
    "BusinessCalendar": "assistant.rules.calendar",
    "Action": "assistant.rules.engine",
    "Plan": "assistant.rules.engine",
    "Planner": "assistant.rules.engine",
    "Skip": "assistant.rules.engine",
    "step_label": "assistant.rules.engine",
    "ScenarioPolicy": "assistant.rules.policy",
    "load_scenario": "assistant.rules.policy",
    "Snapshot": "assistant.rules.snapshot",
    "load_snapshot": "assistant.rules.snapshot",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Action",
    "BusinessCalendar",
    "Plan",
    "Planner",
    "ScenarioPolicy",
    "Skip",
    "Snapshot",
    "load_scenario",
    "load_snapshot",
    "make_plan",
    "step_label",
]


def make_plan(
    store: Store,
    home: Path | None,
    as_of: date,
    *,
    explain: bool = False,
    customer_ids: Collection[str] | None = None,
    policy: ScenarioPolicy | None = None,
) -> Plan:
    """Load the policy (refusing a bad one) unless given, snapshot the store, and plan. No
    writes. `explain` also accounts for every open invoice the plan does not mention.
    `customer_ids`: the plan of those customers only, exactly the full plan's actions, skips
    and warnings for them (tests/unit/test_plan_for.py), reading only their data."""
    from assistant.rules.engine import Planner
    from assistant.rules.policy import load_scenario
    from assistant.rules.snapshot import load_snapshot
    from assistant.statutory.limitation import limitation_warnings

    policy = policy or load_scenario(home)
    planner = Planner(policy)
    snap = load_snapshot(store, policy, as_of, customer_ids)
    plan = planner.plan(snap)
    plan.warnings.extend(limitation_warnings(store, home, as_of, customer_ids))
    if explain:
        from assistant.rules.explain import explain as explain_open

        found = explain_open(store, planner, snap, plan)
        if customer_ids is not None:  # reads every open invoice: `--explain` is not per customer
            found = [s for s in found if s.customer_id in customer_ids]
        plan.skipped.extend(found)
    return plan
