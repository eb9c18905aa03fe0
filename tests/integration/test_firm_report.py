"""`relance company stats`: an accounting firm's figures across its client companies
(docs/companies.md), on the session's real PostgreSQL cluster, and on a SQLite home (one
company). Each company's row is checked against that company's own `stats --json`; the totals
against the sum of the rows, per currency."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_COMPANY
from tests.support.in_process import run_as

pytestmark = pytest.mark.sqlite_only  # each test chooses its store itself

TODAY = "2026-11-24"
HEADER = "invoice_number,customer_id,customer_name,issue_date,due_date,amount,currency\n"
FILES = {
    # the firm's own company: one invoice, overdue
    "default": 'K-1,K1,Client du cabinet,2026-09-01,2026-10-01,"900,00",EUR\n',
    # alpha: one overdue, one not due yet, one in Swiss francs
    "alpha": (
        'A-1,C1,Client Un,2026-09-15,2026-10-15,"1200,00",EUR\n'
        'A-2,C2,Client Deux,2026-11-10,2026-12-10,"340,50",EUR\n'
        'A-3,C3,Client Trois,2026-09-01,2026-10-01,"500,00",CHF\n'
    ),
    # beta: one overdue
    "beta": 'B-1,D1,Client Quatre,2026-10-01,2026-10-31,"75,25",EUR\n',
}

Run = Any


@pytest.fixture
def relance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    monkeypatch.setenv("RELANCE_TODAY", TODAY)
    monkeypatch.setenv("RELANCE_LLM", "off")
    home = tmp_path / "desk"

    def run(person: str, *args: str) -> tuple[int, str, str]:
        return run_as(monkeypatch, capsys, person, ["--home", str(home), *args])

    yield run


def ok(run: Run, person: str, *args: str) -> str:
    code, out, err = run(person, *args)
    assert code == 0, (args, err)
    return out


def invoices(tmp_path: Path, company: str) -> str:
    path = tmp_path / f"{company}.csv"
    path.write_text(HEADER + FILES[company], encoding="utf-8")
    return str(path)


@pytest.fixture
def firm(pg_empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relance: Run) -> Run:
    """The firm's database: its own company (`boss` its admin), alpha and beta, each with its
    invoices; carol an accountant of alpha only."""
    monkeypatch.setenv("RELANCE_DATABASE_URL", pg_empty_url)
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "company.yaml").write_text(TEST_COMPANY, encoding="utf-8")
    ok(relance, "boss", "init")
    ok(relance, "boss", "policy", "import", str(facts))
    ok(relance, "boss", "user", "add", "boss", "--role", "admin")
    ok(relance, "boss", "import", "invoices", invoices(tmp_path, "default"))
    for code, name in (("alpha", "Alpha SARL"), ("beta", "Beta SAS")):
        ok(relance, "boss", "company", "add", code, "--name", name)
        ok(relance, "boss", "--company", code, "import", "invoices", invoices(tmp_path, code))
    ok(relance, "boss", "user", "grant", "carol", "--company", "alpha", "--role", "accountant")
    return relance


def stats_of(run: Run, company: str) -> dict[str, Any]:
    return json.loads(ok(run, "boss", "--company", company, "stats", "--json"))  # type: ignore[no-any-return]


def test_each_company_shows_its_own_stats_and_the_firm_its_totals_per_currency(
    firm: Run,
) -> None:
    report = json.loads(ok(firm, "boss", "company", "stats", "--json"))
    assert report["as_of"] == TODAY
    rows = {c["code"]: c for c in report["companies"]}
    assert list(rows) == ["default", "alpha", "beta"]  # the firm's own first
    assert {c: rows[c]["role"] for c in rows} == {"default": "admin", "alpha": "admin",
                                                  "beta": "admin"}  # fmt: skip
    for code, row in rows.items():
        own = stats_of(firm, code)
        for money in row["currencies"]:
            theirs = own["by_currency"][money["currency"]]
            for key in ("receivables", "overdue", "overdue_by_age", "dso_days",
                        "sales_last_90_days"):  # fmt: skip
                assert money[key] == theirs[key], (code, money["currency"], key)
        assert row["promises_open"] == own["promises"]["open"]
    # the figures themselves, from the files above
    alpha = {m["currency"]: m for m in rows["alpha"]["currencies"]}
    assert (alpha["EUR"]["receivables"], alpha["EUR"]["overdue"]) == ("1540.50", "1200.00")
    assert (alpha["CHF"]["receivables"], alpha["CHF"]["overdue"]) == ("500.00", "500.00")
    # totals per currency, never across currencies
    totals = {t["currency"]: t for t in report["totals"]}
    assert list(totals) == ["EUR", "CHF"]  # the currency of most companies first
    eur = [m for r in rows.values() for m in r["currencies"] if m["currency"] == "EUR"]
    for key in ("receivables", "overdue", "sales_last_90_days"):
        assert Decimal(totals["EUR"][key]) == sum(Decimal(m[key]) for m in eur)
    assert totals["EUR"]["receivables"] == "2515.75"  # 900.00 + 1540.50 + 75.25
    assert totals["CHF"]["receivables"] == "500.00"
    ages = totals["EUR"]["overdue_by_age"]
    assert sum(Decimal(v) for v in ages.values()) == Decimal(totals["EUR"]["overdue"])


def test_a_person_sees_only_the_companies_granted_to_them(firm: Run) -> None:
    report = json.loads(ok(firm, "carol", "company", "stats", "--json"))
    assert [(c["code"], c["role"]) for c in report["companies"]] == [("alpha", "accountant")]
    assert {t["currency"]: t["receivables"] for t in report["totals"]} == {
        "EUR": "1540.50",
        "CHF": "500.00",
    }
    code, out, err = firm("zed", "company", "stats")
    assert (code, out) == (1, "") and "« zed » n'est pas une personne active" in err


def test_the_text_report_names_each_company_and_the_totals(firm: Run) -> None:
    text = ok(firm, "boss", "company", "stats").replace("\u202f", " ").replace("\xa0", " ")
    lines = text.splitlines()
    assert lines[0] == f"Sociétés au {TODAY}"
    alpha = next(line for line in lines if line.startswith("Alpha SARL (alpha)"))
    assert "1 540,50" in alpha and "1 200,00" in alpha
    chf = lines[lines.index(alpha) + 1]  # alpha's francs, on the next line, unlabelled
    assert chf.startswith(" ") and "CHF" in chf and "500,00" in chf
    assert any(line.startswith("Total EUR") and "2 515,75" in line for line in lines)
    assert any(line.startswith("Total CHF") for line in lines)
    english = ok(firm, "boss", "--lang", "en", "company", "stats").splitlines()
    assert english[0] == f"Companies as of {TODAY}"


def test_on_sqlite_the_home_is_the_one_company(relance: Run, tmp_path: Path) -> None:
    ok(relance, "boss", "init")
    ok(relance, "boss", "import", "invoices", invoices(tmp_path, "alpha"))
    report = json.loads(ok(relance, "boss", "company", "stats", "--json"))
    assert [(c["code"], c["role"]) for c in report["companies"]] == [("default", None)]
    own = json.loads(ok(relance, "boss", "stats", "--json"))
    money = {m["currency"]: m for m in report["companies"][0]["currencies"]}
    assert money["EUR"]["receivables"] == own["by_currency"]["EUR"]["receivables"] == "1540.50"
    assert [t["currency"] for t in report["totals"]] == ["EUR", "CHF"]
