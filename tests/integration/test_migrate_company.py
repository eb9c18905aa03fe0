"""`relance migrate --to URL --new-company CODE --name N`: a client's SQLite home moved into a
new company of an accounting firm's PostgreSQL database (docs/companies.md), on the session's
real PostgreSQL cluster. The firm's own company and data stay untouched; the moved company
plans exactly as its home did; any refusal writes nothing anywhere in the database."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import TEST_COMPANY, run_cli
from tests.support.in_process import run_as

# the source is a SQLite home by definition, whatever --store says
pytestmark = pytest.mark.sqlite_only

AS_OF = "2026-11-24"
FIRM_INVOICES = (
    "invoice_number,customer_id,customer_name,issue_date,due_date,amount\n"
    'CAB-1,K1,Client du cabinet,2026-09-01,2026-10-01,"900,00"\n'
)
FIRM_CUSTOMERS = "customer_id,name,email\nK1,Client du cabinet,compta@cabinet.example\n"

Run = Any  # relance(person, home, *args, url=...) -> (code, stdout, stderr)


@pytest.fixture(scope="module")
def client_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A client company's single-user home: the demo, built once (SQLite, no people)."""
    home = tmp_path_factory.mktemp("client") / "home"
    result = run_cli("demo", "--no-tui", "--as-of", AS_OF, home=home)
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture
def client_home(client_source: Path, tmp_path: Path) -> Path:
    home = tmp_path / "client"
    shutil.copytree(client_source, home)
    return home


@pytest.fixture
def relance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """`relance` in process, as a person, on a home, with or without the firm's database."""
    monkeypatch.setenv("RELANCE_TODAY", AS_OF)
    monkeypatch.setenv("RELANCE_LLM", "off")

    def run(person: str, home: Path, *args: str, url: str | None = None) -> tuple[int, str, str]:
        if url is None:
            monkeypatch.delenv("RELANCE_DATABASE_URL", raising=False)
        else:
            monkeypatch.setenv("RELANCE_DATABASE_URL", url)
        return run_as(monkeypatch, capsys, person, ["--home", str(home), *args])

    yield run


@pytest.fixture
def firm(pg_empty_url: str, tmp_path: Path, relance: Run) -> str:
    """The firm's database: its own company (`relance init`), `boss` its admin, `carl` a
    collector, one invoice of its own."""
    desk = tmp_path / "desk"
    (tmp_path / "inv.csv").write_text(FIRM_INVOICES, encoding="utf-8")
    (tmp_path / "cus.csv").write_text(FIRM_CUSTOMERS, encoding="utf-8")
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "company.yaml").write_text(TEST_COMPANY, encoding="utf-8")
    for person, args in (
        ("boss", ["init"]),
        ("boss", ["policy", "import", str(facts)]),
        ("boss", ["user", "add", "boss", "--role", "admin"]),
        ("boss", ["user", "add", "carl", "--role", "collector"]),
        ("boss", ["import", "customers", str(tmp_path / "cus.csv")]),
        ("boss", ["import", "invoices", str(tmp_path / "inv.csv")]),
    ):
        code, _, err = relance(person, desk, *args, url=pg_empty_url)
        assert code == 0, (args, err)
    return pg_empty_url


def whole_database(url: str) -> list[str]:
    """Every schema, table and row of the database, sorted: to show nothing was written."""
    lines: list[str] = []
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            " ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            rows = conn.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
            lines.append(f"{schema}.{table}")
            lines += sorted(f"{schema}.{table} {tuple(r)!r}" for r in rows)
    return lines


def count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_a_home_moves_into_a_new_company_and_plans_as_it_did(
    firm: str, client_home: Path, relance: Run, tmp_path: Path
) -> None:
    desk = tmp_path / "desk"
    before_firm = [line for line in whole_database(firm) if line.startswith("public.")]
    code, out, err = relance("boss", client_home, "plan", "--as-of", AS_OF, "--json")
    assert code == 0, err
    plan_on_sqlite = json.loads(out)
    source_events = count_sqlite(client_home, "SELECT COUNT(*) FROM events")

    code, out, err = relance(
        "boss", client_home, "migrate", "--to", firm, "--new-company", "acme",
        "--name", "Acme SAS", "--json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["company"] == "acme"
    assert {t["table"]: t["rows"] for t in report["tables"]}["events"] == source_events

    # the firm's own company is untouched (its rows, its people, its invoice)
    assert [line for line in whole_database(firm) if line.startswith("public.")] == before_firm
    # the new company: the home's rows, then its creation and its admin (the home had no people)
    assert count(firm, "SELECT COUNT(*) FROM company_acme.events") == source_events + 2
    assert count(firm, "SELECT COUNT(*) FROM company_acme.users WHERE name = 'boss'") == 1
    assert count(firm, "SELECT COUNT(*) FROM company_acme.invoices WHERE number = 'CAB-1'") == 0

    code, out, err = relance("boss", desk, "company", "list", "--json", url=firm)
    assert code == 0, err
    assert {c["code"]: c["name"] for c in json.loads(out)} == {
        "default": "Atelier Test SARL",
        "acme": "Acme SAS",
    }
    code, out, err = relance(
        "boss", desk, "--company", "acme", "plan", "--as-of", AS_OF, "--json", url=firm
    )
    assert code == 0, err
    assert json.loads(out) == plan_on_sqlite and len(plan_on_sqlite) > 0
    # the collector of the firm's company does not see the client company
    code, out, err = relance("carl", desk, "company", "list", "--json", url=firm)
    assert code == 0, err
    assert [c["code"] for c in json.loads(out)] == ["default"]


def count_sqlite(home: Path, sql: str) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{home / 'relance.db'}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_a_second_move_under_the_same_code_is_refused_and_writes_nothing(
    firm: str, client_home: Path, relance: Run
) -> None:
    args = ("migrate", "--to", firm, "--new-company", "acme", "--name", "Acme SAS")
    assert relance("boss", client_home, *args)[0] == 0
    before = whole_database(firm)
    code, out, err = relance("boss", client_home, *args)
    assert (code, out) == (1, "")
    assert err.strip() == "Erreur : la société acme existe déjà"
    assert whole_database(firm) == before


def test_only_the_firms_admin_may_move_a_home_in(
    firm: str, client_home: Path, relance: Run
) -> None:
    before = whole_database(firm)
    args = ("migrate", "--to", firm, "--new-company", "acme", "--name", "Acme SAS")
    code, out, err = relance("carl", client_home, *args)
    assert (code, out) == (1, "")
    assert "« migrate » demande le rôle" in err and "carl" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = relance("zoe", client_home, *args)  # not a person of the firm at all
    assert code == 1 and "« zoe » n'est pas une personne active" in err
    assert whole_database(firm) == before  # no schema, no registry, no row


def test_a_database_without_the_firms_company_is_refused(
    pg_empty_url: str, client_home: Path, relance: Run
) -> None:
    args = ("migrate", "--to", pg_empty_url, "--new-company", "acme", "--name", "Acme SAS")
    code, out, err = relance("boss", client_home, *args)
    assert (code, out) == (1, "")
    assert "relance init d'abord" in err
    assert whole_database(pg_empty_url) == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (("--new-company", "acme"), "--new-company CODE et --name NOM vont ensemble"),
        (("--name", "Acme SAS"), "--new-company CODE et --name NOM vont ensemble"),
        (("--new-company", "Acme SAS", "--name", "Acme"), "code de société « acme sas » refusé"),
        (("--new-company", "default", "--name", "Acme"), "code de société « default » refusé"),
    ],
)
def test_company_options_are_checked_before_anything_is_written(
    firm: str, client_home: Path, relance: Run, extra: tuple[str, ...], expected: str
) -> None:
    before = whole_database(firm)
    code, out, err = relance("boss", client_home, "migrate", "--to", firm, *extra)
    assert (code, out) == (1, "") and expected in err
    assert whole_database(firm) == before
