"""`relance demo` run as a user would: a real subprocess, a real home directory."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from assistant.demo.home import MARKER_FILE
from assistant.models import Customer
from assistant.money import format_money
from assistant.stats import portfolio_summary
from assistant.storage.db import open_store
from assistant.storage.repo import upsert_customers
from tests.conftest import run_cli

AS_OF = "2026-11-24"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only  # `relance demo` always makes a SQLite home (issue 20): its file checked
def test_demo_no_tui_prints_the_summary_of_what_it_stored(tmp_path: Path) -> None:
    home = tmp_path / "demo-home"
    result = run_cli("demo", "--no-tui", "--as-of", AS_OF, home=home)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Atelier Numérique Lyon" in out and str(home) in out
    store = open_store(home / "relance.db")
    try:
        summary = portfolio_summary(store, date.fromisoformat(AS_OF))
        customers = store.scalar("SELECT count(*) FROM customers")
    finally:
        store.close()
    assert f"Clients           {customers} dont" in out
    assert f"{summary.open_invoices} ouvertes" in out
    assert format_money(summary.outstanding_cents) in out
    assert format_money(summary.overdue_cents) in out
    for bucket, cents in summary.overdue_by_age.items():
        assert bucket in out and format_money(cents) in out
    assert "Litiges" in out and "Promesses" in out
    assert f"relance --home {home} plan --as-of {AS_OF}" in out
    assert (home / MARKER_FILE).is_file()


@pytest.mark.sqlite_only  # `relance demo` always makes a SQLite home (issue 20): its file checked
def test_bare_demo_in_english_uses_a_dedicated_directory(tmp_path: Path) -> None:
    base = tmp_path / "user-home"
    result = run_cli("--lang", "en", "demo", "--as-of", AS_OF, env={"RELANCE_HOME": str(base)})
    assert result.returncode == 0, result.stderr
    assert (base / "demo" / "relance.db").is_file()
    assert not (base / "relance.db").exists()  # never the user's own database
    assert f"Home: {base / 'demo'}" in result.stdout
    assert "Overdue by age" in result.stdout and "Customers" in result.stdout


@pytest.mark.sqlite_only  # `relance demo` always makes a SQLite home (issue 20): its file checked
def test_demo_recreates_a_demo_home_and_refuses_a_real_one(tmp_path: Path) -> None:
    demo_home = tmp_path / "demo"
    assert run_cli("demo", "--no-tui", "--as-of", AS_OF, home=demo_home).returncode == 0
    again = run_cli("demo", "--no-tui", "--as-of", AS_OF, "--seed", "5", home=demo_home)
    assert again.returncode == 0, again.stderr
    assert "démo précédente remplacée" in again.stdout
    assert "graine 5" in again.stdout

    real_home = tmp_path / "real"
    store = open_store(real_home / "relance.db")  # a home holding real data
    with store.transaction():
        upsert_customers(store, [Customer(id="R1", name="Vrai client SARL")], "user")
    store.close()
    db = real_home / "relance.db"
    before = digest(db)
    refused = run_cli("demo", "--no-tui", home=real_home)
    assert refused.returncode == 1
    assert refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "n'est pas une démo" in lines[0]
    assert "Traceback" not in refused.stderr
    assert digest(db) == before
    assert not (real_home / MARKER_FILE).exists()


def test_bad_demo_date_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("demo", "--as-of", "31/02/2026", home=tmp_path / "h")
    assert result.returncode == 1
    assert "AAAA-MM-JJ ou jj/mm/aaaa" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "h" / "relance.db").exists()
