"""The bank feature through the CLI, as a user runs it (real subprocesses; RELANCE_TODAY pins
"today", as documented in docs/bank.md)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_company
from tests.support.stores import dump as db_dump
from tests.support.stores import query

# On SQLite and on PostgreSQL: the payment seen at the bank, and the matches with a person's
# decisions (the others, SQLite only, keep the PostgreSQL part of the suite short).
both_stores = pytest.mark.usefixtures("store_kind")

ACCOUNT = "FR7630006000011234567890189"
INVOICES = (
    "N° facture;Code client;Client;Email;Date facture;Échéance;Montant TTC\n"
    "FA-1;C1;Dupont & Fils SARL;c1@example.com;01/10/2026;31/10/2026;1 250,00\n"
    "FA-2;C2;Martin SAS;c2@example.com;01/10/2026;31/10/2026;800,00\n"
)


def cli(home: Path, today: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=home, env={"RELANCE_TODAY": today})


def ok(home: Path, today: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = cli(home, today, *args)
    assert result.returncode == 0, result.stderr
    return result


def bank_csv(path: Path, *rows: str) -> Path:
    head = f"Compte;{ACCOUNT}\n\nDate;Libellé;Montant;Tiers;Référence\n"
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def books(tmp_path: Path, day: str) -> Path:
    home = tmp_path / "home"
    write_company(home)  # real company facts: placeholders refuse every approval
    (tmp_path / "factures.csv").write_text(INVOICES, encoding="utf-8")
    ok(home, day, "import", "invoices", str(tmp_path / "factures.csv"))
    return home


def approved_reminders(home: Path, day: str) -> list[dict]:
    ok(home, day, "draft", "--as-of", day)
    drafts = json.loads(ok(home, day, "drafts", "--status", "pending", "--json").stdout)
    ok(home, day, "approve", *[str(d["id"]) for d in drafts])
    return drafts


@both_stores
def test_a_payment_seen_at_the_bank_cancels_the_approved_reminder(tmp_path: Path) -> None:
    day = "2026-11-05"
    home = books(tmp_path, day)
    drafts = approved_reminders(home, day)
    assert {tuple(d["invoices"]) for d in drafts} == {("FA-1",), ("FA-2",)}
    # FA-1 paid exactly, its number in the remittance; FA-2: a transfer a person must confirm
    statement = bank_csv(
        tmp_path / "releve.csv",
        "05/11/2026;VIR SEPA DUPONT;1 250,00;DUPONT ET FILS;FACTURE FA-1",
        "05/11/2026;VIR SEPA;300,00;MARTIN SAS;acompte",
    )
    report = json.loads(ok(home, day, "import", "bank", str(statement), "--json").stdout)
    assert (report["applied"], report["proposed"]) == (1, 1)
    sent = json.loads(ok(home, day, "send", "--json").stdout)
    assert (sent["sent"], sent["cancelled"]) == (0, 2)  # nothing leaves for either customer
    after = {d["invoices"][0]: d for d in json.loads(ok(home, day, "drafts", "--json").stdout)}
    assert after["FA-1"]["status"] == "cancelled" and "FA-1" in after["FA-1"]["error"]
    assert "payée" in after["FA-1"]["error"]
    assert after["FA-2"]["status"] == "cancelled"
    assert (
        "virement du 2026-11-05" in after["FA-2"]["error"]
        and "à confirmer" in after["FA-2"]["error"]
    )
    assert not list((home / "outbox").glob("*.eml"))


def test_stale_payment_data_stops_draft_and_send_until_accepted(tmp_path: Path) -> None:
    home = books(tmp_path, "2026-11-03")
    approved_reminders(home, "2026-11-03")
    later = "2026-11-10"  # five business days (11 November is a holiday, the 10th is not)
    before = db_dump(home)
    for command in (("draft", "--as-of", later), ("send",)):
        refused = cli(home, later, *command)
        assert refused.returncode == 1 and refused.stdout == ""
        line = refused.stderr.strip()
        assert "\n" not in line and "invoices" in line and "2026-11-03" in line
        assert "relance import invoices FICHIER" in line and "Traceback" not in line
    assert db_dump(home) == before  # nothing changed
    plan = ok(home, later, "plan", "--as-of", later).stdout
    assert plan.startswith("ATTENTION : données de paiement périmées : invoices")
    assert isinstance(json.loads(ok(home, later, "plan", "--as-of", later, "--json").stdout), list)
    assert cli(home, later, "send", "--accept-stale").returncode == 1  # a reason is required
    sent = json.loads(
        ok(home, later, "send", "--json", "--accept-stale", "--reason", "export en retard").stdout
    )
    assert sent["sent"] == 2
    ((data,),) = query(home, "SELECT data FROM events WHERE kind = 'freshness.overridden'")
    assert json.loads(data)["reason"] == "export en retard"
    sources = json.loads(ok(home, later, "sources", "--json").stdout)
    assert [s["source"] for s in sources] == ["invoices"]
    assert {"source", "last_import_at", "data_as_of", "age_business_days", "required",
            "stale"} <= set(sources[0])  # fmt: skip
    assert (sources[0]["data_as_of"], sources[0]["age_business_days"], sources[0]["stale"]) == (
        "2026-11-03",
        5,
        True,
    )


@both_stores
def test_matches_and_a_persons_decisions(tmp_path: Path) -> None:
    day = "2026-11-05"
    home = books(tmp_path, day)
    statement = bank_csv(tmp_path / "r.csv", "05/11/2026;VIR SEPA;300,00;MARTIN SAS;acompte")
    ok(home, day, "import", "bank", str(statement))
    (match,) = json.loads(ok(home, day, "matches", "--status", "proposed", "--json").stdout)
    assert {"id", "status", "bank_date", "amount", "payer", "remittance", "invoices", "score",
            "evidence"} <= set(match)  # fmt: skip
    assert (match["amount"], match["invoices"], match["bank_date"]) == (
        "300.00",
        ["FA-2"],
        "2026-11-05",
    )
    assert any("Martin" in e or "MARTIN" in e for e in match["evidence"])
    mid = str(match["id"])
    shown = ok(home, day, "match", mid).stdout
    assert "Encaissement" in shown and "FA-2" in shown
    applied = json.loads(ok(home, day, "match", mid, "--apply", "--json").stdout)
    assert applied["status"] == "applied"
    assert cli(home, day, "match", mid, "--apply").returncode == 1  # already applied
    undone = json.loads(ok(home, day, "match", mid, "--undo", "--json").stdout)
    assert undone["status"] == "proposed"
    wrong = cli(home, day, "match", mid, "--apply", "--invoice", "FA-1", "--invoice", "FA-2")
    assert wrong.returncode == 1 and "un seul client" in wrong.stderr
    rejected = json.loads(
        ok(home, day, "match", mid, "--reject", "--reason", "pas ce client", "--json").stdout
    )
    assert rejected["status"] == "rejected" and rejected["reason"] == "pas ce client"
    assert ok(home, day, "matches", "--status", "proposed", "--json").stdout.strip() == "[]"


def test_daily_imports_each_file_once_and_says_what_awaits_a_person(tmp_path: Path) -> None:
    day = "2026-11-05"
    home, inbox = tmp_path / "home", tmp_path / "a-importer"
    inbox.mkdir()
    (inbox / "1-releve.csv").write_text(
        f"Compte;{ACCOUNT}\n\nDate;Libellé;Montant;Tiers;Référence\n"
        "05/11/2026;VIR SEPA;1 250,00;DUPONT;FA-1\n05/11/2026;VIR;300,00;MARTIN SAS;acompte\n",
        encoding="utf-8",
    )
    (inbox / "2-factures.csv").write_text(INVOICES, encoding="utf-8")
    (inbox / "3-notes.txt").write_text("rien à voir\n")
    ok(home, day, "init")  # every command but init and demo needs an existing home
    first = cli(home, day, "daily", "--folder", str(inbox), "--json")
    assert first.returncode == 1  # a file was refused: cron mails the output
    report = json.loads(first.stdout)
    assert [(f["file"], f["kind"], f["outcome"]) for f in report["files"]] == [
        ("2-factures.csv", "invoices", "imported"),  # exports before statements
        ("1-releve.csv", "bank", "imported"),
        ("3-notes.txt", None, "rejected"),
    ]
    assert report["drafted"] == 0  # FA-1 paid, FA-2 held by the receipt to confirm
    assert report["awaiting"]["proposed_matches"] == 1
    assert report["awaiting"]["tasks"] == {"payment_match": 1}
    again = cli(home, day, "daily", "--folder", str(inbox))
    assert again.returncode == 0, again.stdout
    assert "aucun nouveau fichier (3 déjà traité(s))" in again.stdout
    assert "encaissements à confirmer : 1" in again.stdout


def test_import_bank_refuses_a_bad_file_with_one_line_per_problem(tmp_path: Path) -> None:
    home = books(tmp_path, "2026-11-05")
    bad = bank_csv(tmp_path / "bad.csv", "05/11/2026;VIR;12,5,0;X;", "31/02/2026;VIR;10,00;X;")
    result = cli(home, "2026-11-05", "import", "bank", str(bad))
    assert result.returncode == 1
    assert "bad.csv:4: Montant" in result.stderr and "bad.csv:5: Date" in result.stderr
    assert "Traceback" not in result.stderr
    sources = json.loads(ok(home, "2026-11-05", "sources", "--json").stdout)
    assert [s["source"] for s in sources] == ["invoices"]  # nothing of the file was kept
