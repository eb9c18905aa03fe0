"""Rules engine: scenario policy, business calendar, snapshot loading and the pure planner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.rules.calendar import BusinessCalendar
from assistant.rules.engine import Action, Plan, Planner, Skip, step_label
from assistant.rules.policy import ScenarioPolicy, load_scenario
from assistant.rules.snapshot import Snapshot, load_snapshot
from assistant.storage.db import Store

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


def make_plan(store: Store, home: Path | None, as_of: date, *, explain: bool = False) -> Plan:
    """Load the policy (refusing a bad one), snapshot the store, and plan. No writes.
    `explain` also accounts for every open invoice the plan does not mention."""
    from assistant.statutory.limitation import limitation_warnings

    policy = load_scenario(home)
    planner = Planner(policy)
    snap = load_snapshot(store, policy, as_of)
    plan = planner.plan(snap)
    plan.warnings.extend(limitation_warnings(store, home, as_of))
    if explain:
        from assistant.rules.explain import explain as explain_open

        plan.skipped.extend(explain_open(store, planner, snap, plan))
    return plan
