"""Rules through the CLI: plan contract, no side effects, dispute/resolve/promise, bad policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.pg_neutral import home_digest, policy_in_effect, put_policy

AS_OF = "2026-11-24"
INVOICES = """invoice_number;customer_id;customer_name;customer_email;issue_date;due_date;amount
F-1;C1;Alpha SARL;alpha@example.com;2026-10-15;2026-11-14;1 200,00
F-2;C2;Beta SAS;beta@example.com;2026-10-22;2026-11-21;800,00
F-3;C3;Gamma SA;gamma@example.com;2026-10-28;2026-11-27;450,50
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    source = tmp_path / "factures.csv"
    source.write_text(INVOICES, encoding="utf-8")
    assert run_cli("init", home=home).returncode == 0
    result = run_cli("import", "invoices", str(source), home=home)
    assert result.returncode == 0, result.stderr
    return home


def plan(home: Path, as_of: str = AS_OF) -> list[dict]:
    result = run_cli("plan", "--as-of", as_of, "--json", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plan_json_contract_and_no_side_effects(home: Path) -> None:
    before = home_digest(home)
    actions = plan(home)
    assert home_digest(home) == before
    keys = {
        "customer_id",
        "step",
        "channel",
        "invoices",
        "scheduled_for",
        "requires_human",
        "reason",
    }
    assert actions and all(keys <= set(a) for a in actions)
    by_customer = {a["customer_id"]: a for a in actions}
    # J+10 reached with nothing sent before: only the most advanced step, no burst
    assert by_customer["C1"]["step"] == "reminder_2"
    assert by_customer["C2"]["step"] == "reminder_1"  # J+3
    assert by_customer["C3"]["step"] == "pre_due"  # due on the 27th, J-3 is today
    assert by_customer["C3"]["scheduled_for"] == AS_OF
    assert by_customer["C2"]["invoices"] == ["F-2"] and not by_customer["C2"]["requires_human"]


def test_dispute_resolve_and_promise(home: Path) -> None:
    assert run_cli("dispute", "F-1", "--reason", "prestation contestée", home=home).returncode == 0
    assert "C1" not in {a["customer_id"] for a in plan(home)}
    assert run_cli("resolve", "F-1", home=home).returncode == 0
    assert "C1" in {a["customer_id"] for a in plan(home)}
    result = run_cli(
        "promise", "F-1", "--date", "2026-11-30", "--amount", "1200", "--made-on", AS_OF, home=home
    )
    assert result.returncode == 0, result.stderr
    assert "C1" not in {a["customer_id"] for a in plan(home)}
    # a broken promise (30 Nov + 3 days grace) escalates to a person
    after = {a["customer_id"]: a for a in plan(home, "2026-12-04")}
    assert after["C1"]["requires_human"] and "non tenue" in after["C1"]["reason"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("dispute", "F-404", "--reason", "x"), "F-404"),
        (("plan", "--as-of", "2026-02-30"), "date"),
        (("promise", "F-1", "--date", "demain"), "date"),
    ],
)
def test_bad_input_is_one_clear_line(home: Path, args: tuple[str, ...], fragment: str) -> None:
    result = run_cli(*args, home=home)
    assert result.returncode == 1
    assert fragment in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda t: t.replace("min_gap_days: 5", "min_gap_days: 5\nsurprise: 1"), "surprise"),
        (lambda t: t.replace("min_gap_days: 5", "min_gap_days: cinq"), "min_gap_days"),
        (lambda t: t.replace("offset_days: -3", "offset_days: -300"), "offset_days"),
        (lambda t: t.replace("steps:", "steps: [oops"), "scenario.yaml"),
    ],
)
def test_a_bad_policy_is_refused_with_file_and_field(home: Path, edit, fragment: str) -> None:
    put_policy(home, "scenario.yaml", edit(policy_in_effect(home, "scenario.yaml")))
    result = run_cli("plan", "--as-of", AS_OF, home=home)
    assert result.returncode == 1
    assert "scenario.yaml" in result.stderr and fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_the_home_policy_wins(home: Path) -> None:
    assert plan(home) and "C2" in {a["customer_id"] for a in plan(home)}
    text = policy_in_effect(home, "scenario.yaml")
    put_policy(home, "scenario.yaml", text.replace("offset_days: 3\n", "offset_days: 5\n"))
    steps = {a["customer_id"]: a["step"] for a in plan(home)}
    assert "C2" not in steps  # J+3 only: the first reminder now waits for J+5
    assert steps["C1"] == "reminder_2" and steps["C3"] == "pre_due"
