"""What the TUI's first screen loads: the queue's modules, the remembered policy verdict and the
data freshness, without the policy validator (Jinja), the planner or the other screens. Checked
in a fresh interpreter, since anything imported before would hide a regression."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.service import Service
from tests.support.pg_neutral import put_policy

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from datetime import date
from pathlib import Path
from assistant.config import Settings
from assistant.service import Service
import tui.app
service = Service.open(Settings(RELANCE_HOME=Path(sys.argv[1])))
assert service.policy_verdict_known()
assert service.policy_problems() == []
service.freshness(date(2026, 11, 24))
heavy = ["assistant.policy_edit", "jinja2", "assistant.rules.engine", "assistant.rules.snapshot",
         "tui.screens.calls", "tui.screens.policies", "tui.screens.results",
         "tui.screens.replies", "tui.screens.receipts", "tui.screens.draft"]
print(" ".join(m for m in heavy if m in sys.modules))
"""


def test_the_first_screen_loads_neither_the_validator_nor_the_planner_nor_other_screens(
    service: Service,
) -> None:
    if os.environ.get("MUTANT_UNDER_TEST"):
        # a mutation run (docs/mutation.md): mutmut cannot see what a subprocess runs, and its
        # hook there fails; what the first screen loads is no mutant's verdict
        pytest.skip("subprocess probe: not run under mutmut")
    service.policy_problems()  # judged (in this session): the verdict is in the home
    found = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(service.home)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.split() == []


def test_an_unknown_verdict_is_not_known_until_validated(service: Service) -> None:
    put_policy(service.home, "scenario.yaml", "min_gap_days 5\n")
    assert not service.policy_verdict_known()
    problems = service.policy_problems()
    assert problems and problems[0].startswith("scenario.yaml")
    assert service.policy_verdict_known()
