"""`relance import ...` as a user runs it: reports, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import run_cli
from tests.support.pg_neutral import home_digest

HEADER = "N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC;Remise"
ROWS = [
    "F1;C1;Société Dupré;05/01/2026;04/02/2026;1 234,56 €;0",
    "F2;C1;Société Dupré;10/01/2026;09/02/2026;500,00;0",
]


def write(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def initialised(tmp_path: Path) -> Path:
    """A home with its database (commands other than init refuse a home without one)."""
    home = tmp_path / "home"
    Service.open(Settings(RELANCE_HOME=home)).close()
    return home


def test_import_invoices_report_json_and_idempotence(tmp_path: Path) -> None:
    home = initialised(tmp_path)
    path = write(tmp_path / "factures.csv", [HEADER, *ROWS])
    first = run_cli("import", "invoices", str(path), home=home)
    assert first.returncode == 0, first.stderr
    assert "factures.csv (factures) : 2 ligne(s) lue(s)" in first.stdout
    assert "ajoutées : 2 · mises à jour : 0 · inchangées : 0 · rejetées : 0" in first.stdout
    assert "colonnes ignorées : Remise" in first.stdout
    second = run_cli("import", "invoices", str(path), "--json", home=home)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert {k: report[k] for k in ("rows_read", "added", "updated", "unchanged", "rejected")} == {
        "rows_read": 2, "added": 0, "updated": 0, "unchanged": 2, "rejected": 0,
    }  # fmt: skip
    assert report["ignored_columns"] == ["Remise"] and report["dry_run"] is False


def test_rejected_file_exit_1_lists_rows_and_leaves_database_untouched(tmp_path: Path) -> None:
    home = initialised(tmp_path)
    assert run_cli("import", "invoices", str(write(tmp_path / "ok.csv", [HEADER, *ROWS])),
                   home=home).returncode == 0  # fmt: skip
    before = home_digest(home)
    bad = write(tmp_path / "bad.csv", [HEADER, "F3;C1;;32/01/2026;04/02/2026;1;0",
                                       "F4;C9;;05/01/2026;04/02/2026;abc;0"])  # fmt: skip
    result = run_cli("import", "invoices", str(bad), home=home)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "Erreur : bad.csv: 3 problème(s), rien n'a été importé"
    assert [line.split(": ")[:2] for line in lines[1:]] == [
        ["bad.csv:2", "Date facture"], ["bad.csv:3", "Montant TTC"], ["bad.csv:3", "Code client"],
    ]  # fmt: skip
    assert home_digest(home) == before
    as_json = run_cli("import", "invoices", str(bad), "--json", home=home)
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert (data["rejected"], data["rows_read"], len(data["problems"])) == (2, 2, 3)
    assert home_digest(home) == before


def test_missing_column_missing_file_and_dry_run(tmp_path: Path) -> None:
    home = initialised(tmp_path)
    no_due = write(tmp_path / "f.csv", ["N° facture;Code client;Date facture;Montant", "F1;C1;;1"])
    result = run_cli("import", "invoices", str(no_due), home=home)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "due_date" in result.stderr and "'Code client'" in result.stderr
    missing = run_cli("import", "payments", str(tmp_path / "absent.csv"), home=home)
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    assert "introuvable" in missing.stderr
    path = write(tmp_path / "factures.csv", [HEADER, *ROWS])
    run_cli("init", home=home)
    before = home_digest(home)
    dry = run_cli("import", "invoices", str(path), "--dry-run", home=home)
    assert dry.returncode == 0, dry.stderr
    assert "ajoutées : 2" in dry.stdout and "simulation (--dry-run)" in dry.stdout
    assert home_digest(home) == before


def test_payments_customers_and_fec_commands(tmp_path: Path) -> None:
    home = initialised(tmp_path)
    run_cli("import", "invoices", str(write(tmp_path / "f.csv", [HEADER, *ROWS])), home=home)
    customers = write(tmp_path / "c.csv", ["Code client;Raison sociale;Langue;Pays",
                                           "C1;Société Dupré;anglais;Belgique"])  # fmt: skip
    result = run_cli("--lang", "en", "import", "customers", str(customers), home=home)
    assert result.returncode == 0, result.stderr
    assert "added: 0 · updated: 1 · unchanged: 0 · rejected: 0" in result.stdout
    payments = write(tmp_path / "p.csv", ["N° facture;Date de règlement;Montant réglé",
                                          "F2;15/02/2026;500,00"])  # fmt: skip
    paid = run_cli("import", "payments", str(payments), "--json", home=home)
    assert paid.returncode == 0, paid.stderr
    assert json.loads(paid.stdout)["invoices_paid"] == 1
    fec = tmp_path / "FEC.txt"
    columns = ("JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|"
               "CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|"
               "ValidDate|Montantdevise|Idevise")  # fmt: skip
    fec.write_text(
        columns + "\nVT|Ventes|1|20260301|411000|Clients|C7|Garage Morel|F70|20260301|Facture|"
        "240,00|0,00|||20260301||\n",
        encoding="utf-8",
    )
    result = run_cli("import", "fec", str(fec), "--terms-days", "45", "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["added"], report["open_invoices"], report["open_amount"]) == (1, 1, "240.00")
    assert report["customers_added"] == 1


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (command arguments, what the one error line says)."""
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "folder.csv").mkdir()
    (tmp / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (tmp / "broken.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    (tmp / "utf16.txt").write_bytes("N° facture\tCode client\r\n".encode("utf-16-le"))
    write(tmp / "cols.csv", ["Facture;Client;Montant", "F1;Dupont;10"])
    write(tmp / "fec.txt", ["JournalCode\tCompteNum\tDebit", "VT\t411\t1"])
    return {
        "empty": (["invoices", "empty.csv"], "empty.csv : fichier vide"),
        "directory": (["payments", "folder.csv"], "folder.csv est un dossier"),
        "xls": (["invoices", "old.xls"], "Excel 97-2003 (.xls) non pris en charge"),
        "broken xlsx": (["customers", "broken.xlsx"], "classeur Excel illisible"),
        "utf16 no bom": (["invoices", "utf16.txt"], "binaire ou UTF-16 sans BOM"),
        "columns": (["invoices", "cols.csv"], "colonnes trouvées : 'Facture', 'Client'"),
        "fec header": (["fec", "fec.txt"], "en-tête FEC invalide"),
    }


def test_every_bad_input_is_exit_1_and_one_clear_line(tmp_path: Path) -> None:
    home = initialised(tmp_path)
    for name, (args, says) in _bad_inputs(tmp_path).items():
        kind, file = args
        result = run_cli("import", kind, str(tmp_path / file), home=home)
        assert result.returncode == 1, name
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Erreur : "), (name, result.stderr)
        assert says in lines[0], (name, lines[0])
        assert "inattendue" not in lines[0] and "Traceback" not in result.stderr


@pytest.mark.sqlite_only  # a damaged SQLite file in the home; PostgreSQL reads no file there
def test_a_damaged_database_file_is_exit_1_and_one_clear_line(tmp_path: Path) -> None:
    _bad_inputs(tmp_path)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "relance.db").write_bytes(b"not a database at all" * 50)
    result = run_cli("import", "invoices", str(tmp_path / "cols.csv"), home=damaged)
    assert result.returncode == 1
    assert result.stderr.startswith("Erreur : base de données illisible")
    assert len(result.stderr.strip().splitlines()) == 1
