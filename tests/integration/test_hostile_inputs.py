"""Minor items of issue 13 through the real CLI: dates and amounts, homes, option order,
addresses, payments, and predictable failures never reported as "Erreur inattendue"."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Service
from assistant.storage.pg.connect import redact
from tests.conftest import FIXED_NOW, REPO_ROOT, run_cli
from tests.support.pg_neutral import database_env, on_pg
from tests.support.stores import open_home
from tests.unit.rules_builders import add_customer, add_invoice

TODAY = date.today()  # the CLI's store clock is the real one


def err(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur : "), result.stderr
    assert "inattendue" not in result.stderr and "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """Two customers with overdue invoices, as of the real today."""
    home = tmp_path / "home"
    svc = Service.open(Settings(RELANCE_HOME=home))
    try:
        svc.init_home()
        add_customer(svc.store, "C1")
        add_invoice(svc.store, "F1", TODAY - timedelta(days=25), cents=100_000)
        add_invoice(svc.store, "F2", TODAY - timedelta(days=25), cents=50_000)
        add_customer(svc.store, "C2")
        add_invoice(svc.store, "F3", TODAY - timedelta(days=25), cid="C2", cents=30_000)
    finally:
        svc.close()
    yield home


def test_dates_and_amounts_are_checked_in_every_command(home: Path) -> None:
    far = (TODAY + timedelta(days=400)).isoformat()
    soon = TODAY + timedelta(days=10)
    assert "horizon de 6 mois" in err(run_cli("promise", "F1", "--date", far, home=home))
    assert "supérieur à zéro" in err(
        run_cli("promise", "F1", "--date", soon.isoformat(), "--amount", "-5", home=home)
    )
    assert "plus que le reste dû" in err(
        run_cli("promise", "F1", "--date", soon.isoformat(), "--amount", "5000", home=home)
    )
    assert "montant invalide" in err(
        run_cli("promise", "F1", "--date", soon.isoformat(), "--amount", "١٢٣", home=home)
    )
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert "date future" in err(
        run_cli("promise", "F1", "--date", soon.isoformat(), "--made-on", tomorrow, home=home)
    )
    for as_of in ("0001-01-01", "2100-01-01", "31/02/2026"):
        assert "--as-of" in err(run_cli("plan", "--as-of", as_of, home=home))
    assert "n'a pas de sens" in err(
        run_cli("log-call", "C1", "--outcome", "no-answer", "--date", tomorrow, home=home)
    )
    assert "date future" in err(
        run_cli("log-call", "C1", "--outcome", "no-answer", "--as-of", tomorrow, home=home)
    )
    assert "plus que le reste dû" in err(
        run_cli("log-call", "C2", "--outcome", "paid", "--amount", "301", home=home)
    )
    # French dates are accepted everywhere a date is taken
    ok = run_cli("promise", "F3", "--date", soon.strftime("%d/%m/%Y"), home=home)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(run_cli("plan", "--as-of", TODAY.strftime("%d/%m/%Y"), "--json",
                              home=home).stdout) is not None  # fmt: skip


def test_a_plan_date_starts_the_schedule(home: Path) -> None:
    start = TODAY + timedelta(days=20)
    result = run_cli(
        "log-call", "C1", "--outcome", "plan", "--instalments", "3",
        "--date", start.isoformat(), home=home,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    svc = Service.open(Settings(RELANCE_HOME=home))
    rows = svc.store.query("SELECT due_date FROM instalments ORDER BY seq")
    dates = [r["due_date"] for r in rows]
    svc.close()
    first = date.fromisoformat(dates[0])
    assert len(dates) == 3 and start <= first <= start + timedelta(days=4)  # next business day


def test_a_home_that_does_not_exist_is_refused_and_not_created(tmp_path: Path) -> None:
    typo = tmp_path / "relance-typo"
    # the line names where no database was found: the home (SQLite) or the database's URL
    looked_in = redact(os.environ["RELANCE_DATABASE_URL"]) if on_pg() else str(typo)
    assert looked_in in err(run_cli("plan", home=typo))
    assert not typo.exists()
    assert "--home est vide" in err(run_cli("--home", "", "plan"))
    assert run_cli("init", home=typo).returncode == 0
    store = open_home(typo)  # the database `init` made: the SQLite file, or the schema on PG
    try:
        assert store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'home.initialised'") == 1
    finally:
        store.close()
    assert (typo / "relance.db").exists() is not on_pg()


def test_global_options_after_the_command(tmp_path: Path) -> None:
    where = tmp_path / "demo-home"
    result = run_cli("demo", "--no-tui", "--as-of", "2026-11-24", "--home", str(where))
    assert result.returncode == 0, result.stderr
    assert (where / ("relance.db.moved" if on_pg() else "relance.db")).exists()  # built there
    english = run_cli("drafts", "--lang", "en", "--home", str(where))
    assert english.returncode == 0 and "draft(s)" in english.stdout
    listed = json.loads(run_cli("drafts", "--status", "pending", "--json", home=where).stdout)
    first = str(listed[0]["id"])
    kept = run_cli("reject", first, "--reason", "--home", "--home", str(where))
    assert kept.returncode == 0, kept.stderr  # "--home" right after --reason is the reason
    shown = json.loads(run_cli("show", first, "--json", home=where).stdout)
    assert shown["reject_reason"] == "--home"


def test_addresses_are_checked_by_a_maintained_library(home: Path, tmp_path: Path) -> None:
    for address in ("a(comment)@b.example", "Bcc: a@b.example", "a@b.example\nBcc: x@y.example"):
        bad = tmp_path / "factures.csv"
        bad.write_text(
            "N° facture;Code client;Raison sociale;Email;Date facture;Date d'échéance;Montant\n"
            f'F9;C9;Neuf;"{address}";15/10/2026;14/11/2026;10,00\n',
            encoding="utf-8",
        )
        result = run_cli("import", "invoices", str(bad), home=home)
        assert result.returncode == 1 and "factures.csv:2:" in result.stderr


def test_future_payments_and_foreign_digits_are_refused(home: Path, tmp_path: Path) -> None:
    tomorrow = (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")
    today = TODAY.strftime("%d/%m/%Y")
    cases = [(tomorrow, "10,00", "dans le futur"), (today, "١٠", "montant invalide"),
             (today, "１０", "montant invalide")]  # fmt: skip
    for day, amount, problem in cases:
        payments = tmp_path / "reglements.csv"
        payments.write_text(f"N° facture;Date;Montant\nF1;{day};{amount}\n", encoding="utf-8")
        result = run_cli("import", "payments", str(payments), home=home)
        assert result.returncode == 1 and problem in result.stderr, result.stderr
    svc = Service.open(Settings(RELANCE_HOME=home))
    assert svc.invoice("F1").outstanding_cents == 100_000
    svc.close()


# -- predictable failures: never "Erreur inattendue" -----------------------------------------
def test_a_second_draft_run_waits_for_the_first(home: Path) -> None:
    tuesday = TODAY + timedelta(days=(1 - TODAY.weekday()) % 7)  # a business day
    svc = Service.open(Settings(RELANCE_HOME=home))
    for n in (1, 2):
        add_customer(svc.store, f"R{n}")
        add_invoice(svc.store, f"R{n}", tuesday - timedelta(days=5), cid=f"R{n}")  # J+5
    svc.close()
    with (home / ".draft.lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a first run is in progress
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RELANCE_", "OPENAI_"))}
        env |= database_env()  # on PostgreSQL, the test's database (as `run_cli` passes it)
        second = subprocess.Popen(
            [sys.executable, "-m", "assistant", "--home", str(home), "draft", "--json",
             "--as-of", tuesday.isoformat()],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env | {"PYTHONPATH": str(REPO_ROOT)},
        )  # fmt: skip
        with pytest.raises(subprocess.TimeoutExpired):
            second.wait(timeout=5)  # it waits...
        fcntl.flock(held, fcntl.LOCK_UN)
    out, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors
    # R1, R2 at J+5 (reminder_1) and C1, C2 at J+25 (the written reminder_2 comes before a call)
    assert "attente" in errors and json.loads(out)["created"] == 4


def test_drafts_stored_meanwhile_by_another_run_are_not_an_error(tmp_path: Path) -> None:
    from assistant.company import load_company
    from assistant.drafting.pipeline import run_drafts
    from assistant.drafting.templates import TemplateStore

    settings = Settings(RELANCE_HOME=tmp_path / "h")
    first = Service.open(settings, clock=lambda: FIXED_NOW)
    add_customer(first.store, "C1")
    add_invoice(first.store, "F1", FIXED_NOW.date() - timedelta(days=5))
    other = open_home(settings.home)  # a second connection to the same database

    def meanwhile(done: int, total: int) -> None:
        if done == 0:  # between planning and storing, another process drafts the same
            other_run = run_drafts(other, first.plan(FIXED_NOW.date()), load_company(None),
                                   TemplateStore(None), rewriter=None, policy_version="x",
                                   actor="other")  # fmt: skip
            assert len(other_run.created) == 1

    report = run_drafts(first.store, first.plan(FIXED_NOW.date()), load_company(None),
                        TemplateStore(None), rewriter=None, policy_version="x", actor="me",
                        progress=meanwhile)  # fmt: skip
    assert report.created == [] and report.unchanged == 1
    assert first.store.scalar("SELECT COUNT(*) FROM drafts") == 1
    other.close()
    first.close()


# The three tests below are about the SQLite file on the home's own filesystem (full, read-only,
# SQLite's page limit): a PostgreSQL server keeps its data elsewhere.
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB filesystem (tmpfs), or a skip where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here: " + done.stderr.decode().strip())
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.sqlite_only
def test_a_full_disk_is_explained_and_nothing_is_half_written(
    small_disk: Path, tmp_path: Path
) -> None:
    home = small_disk / "home"
    assert run_cli("init", home=home).returncode == 0
    rows = "".join(
        f"F{n};C{n % 50};Client {n % 50} {'x' * 60};15/10/2026;14/11/2026;10,00\n"
        for n in range(30_000)
    )
    big = tmp_path / "factures.csv"
    big.write_text("N° facture;Code client;Raison sociale;Date facture;Date d'échéance;"
                   "Montant\n" + rows, encoding="utf-8")  # fmt: skip
    filler = small_disk / "filler"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * max(free - 200_000, 0))  # leave 200 kB: the import needs more
    line = err(run_cli("import", "invoices", str(big), home=home))
    assert "disque plein" in line and "rien n'a été enregistré" in line
    filler.unlink()
    listed = run_cli("drafts", "--json", home=home)
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    svc = Service.open(Settings(RELANCE_HOME=home))
    assert svc.store.scalar("SELECT COUNT(*) FROM invoices") == 0
    svc.close()


@pytest.mark.sqlite_only
def test_a_read_only_home_is_explained_not_called_damaged(small_disk: Path) -> None:
    home = small_disk / "home"
    assert run_cli("init", home=home).returncode == 0
    remount = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
    if remount.returncode != 0:
        pytest.skip("cannot remount read-only here")
    line = err(run_cli("plan", home=home))
    assert "lecture seule" in line and "abîmé" not in line and "sauvegarde" not in line


@pytest.mark.sqlite_only
def test_the_service_maps_a_full_database_to_a_clear_error(tmp_path: Path) -> None:
    from assistant.faults import describe

    svc = Service.open(Settings(RELANCE_HOME=tmp_path / "h"), clock=lambda: FIXED_NOW)
    pages = svc.store.scalar("PRAGMA page_count")
    svc.store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
    add_customer(svc.store, "C1")
    with pytest.raises(Exception) as caught:
        for n in range(2_000):
            add_invoice(svc.store, f"F{n}", FIXED_NOW.date())
    assert "disque plein" in (describe(caught.value) or "")
    svc.close()
