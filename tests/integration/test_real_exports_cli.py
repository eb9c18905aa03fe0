"""The real exports through the real CLI: `import fec --json` reports warnings, repairs, held
customers and unallocated credits; `plan --json` gives each action its net `amount`; `plan
--explain` says why a customer is held."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

REAL = Path(__file__).parent.parent / "data" / "real"


def test_fec_report_and_plan_amounts_through_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0  # the CLI needs an existing home
    result = run_cli(
        "import", "fec", str(REAL / "quadra_style_fec_tab_cp1252.txt"), "--json", home=home
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["open_amount"] == "2038.88" and report["open_by_currency"] == {"EUR": "2038.88"}
    assert len(report["repairs"]) == 3 and len(report["warnings"]) == 1
    assert report["warnings"][0].startswith("quadra_style_fec_tab_cp1252.txt:2: ")
    assert report["unallocated_credits"] == [
        {"customer_id": "C00001", "amount": "1058.88", "lines": [30]}
    ]
    assert {(h["customer_id"], h["code"]) for h in report["held_customers"]} == {
        ("C00001", "unallocated_credit"),
        ("411000", "collective_account"),
    }
    assert report["collective_accounts"][0]["customer_id"] == "411000"

    result = run_cli("import", "fec", str(REAL / "sage_style_fec_montant_sens_pipe.txt"), home=home)
    assert result.returncode == 0, result.stderr
    assert "crédit non affecté (non appliqué, à lettrer) : client 411LEROY" in result.stdout

    plan = run_cli("plan", "--as-of", "2024-04-15", "--json", home=home)
    assert plan.returncode == 0, plan.stderr
    actions = {a["customer_id"]: a for a in json.loads(plan.stdout)}
    assert actions["411LEROY"]["amount"] == "26836.10"  # 65 847,71 of invoices - 39 011,61
    assert actions["411BERTIN"]["amount"] == "1401.00"  # 1 500,00 - a 99,00 credit note
    assert actions["C00002"]["amount"] == "500.00"
    held = actions["C00001"]
    assert (held["step"], held["requires_human"], held["amount"]) == (
        "unallocated_credit", True, "0.00"
    )  # fmt: skip
    assert actions["411000"]["step"] == "collective_account"

    explain = run_cli("plan", "--as-of", "2024-04-15", "--explain", home=home)
    assert explain.returncode == 0, explain.stderr
    text = " ".join(explain.stdout.split())
    assert "C00001" in text and "à lettrer (solde du compte : 0,00 €) : aucune relance" in text
    assert "compte client collectif" in text
