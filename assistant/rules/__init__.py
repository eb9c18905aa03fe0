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


def make_plan(store: Store, home: Path | None, as_of: date) -> Plan:
    """Load the policy (refusing a bad one), snapshot the store, and plan. No writes."""
    from assistant.statutory.limitation import limitation_warnings

    policy = load_scenario(home)
    plan = Planner(policy).plan(load_snapshot(store, policy, as_of))
    plan.warnings.extend(limitation_warnings(store, home, as_of))
    return plan
