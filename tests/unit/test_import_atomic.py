"""All-or-nothing imports: a rejected file or a dry run leaves the database file untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.errors import ImportRejected, UserError
from assistant.service import Service
from tests.support.stores import content_digest

HEADER = "N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC"
GOOD = "F9;C1;Dupont;05/01/2026;04/02/2026;10,00"


def db_digest(service: Service) -> str:
    """What the database holds (the file's bytes on SQLite, every row on PostgreSQL)."""
    return content_digest(service.store, service.settings.db_path)


@pytest.fixture
def seeded(service: Service, tmp_path: Path) -> Service:
    path = tmp_path / "seed.csv"
    path.write_text(f"{HEADER}\nF1;C1;Dupont;05/01/2026;04/02/2026;100,00\n", encoding="utf-8")
    service.import_file("invoices", path)
    return service


BAD_FILES: dict[str, tuple[bytes, list[str]]] = {
    "bad date": (
        f"{HEADER}\n{GOOD}\nF2;C1;Dupont;05/13/2026;04/02/2026;10,00\n".encode(),
        ["f.csv:3: Date facture: date impossible : '05/13/2026' (mois > 12 : format américain"],
    ),
    "bad amount": (
        f"{HEADER}\nF2;C1;Dupont;05/01/2026;04/02/2026;dix euros\n{GOOD}\n".encode(),
        ["f.csv:2: Montant TTC: montant invalide"],
    ),
    "unknown customer": (
        f"{HEADER}\n{GOOD}\nF2;C77;;05/01/2026;04/02/2026;10,00\n".encode(),
        ["f.csv:3: Code client: client inconnu : C77"],
    ),
    "broken encoding": (
        f"{HEADER}\n{GOOD}\n".encode() + "F2;C2;Crème;05/01/2026;04/02/2026;1\n".encode("cp1252")
        + "F3;C3;Brûlée;05/01/2026;04/02/2026;1\n".encode(),
        ["f.csv:1: encodages mélangés", "f.csv:4: encodages mélangés"],
    ),
    "several bad rows": (
        f"{HEADER}\nF2;C1;;31/04/2026;04/02/2026;1\n{GOOD}\nF3;C1;;05/01/2026;;x\n".encode(),
        ["f.csv:2: Date facture: date impossible", "f.csv:4: Date d'échéance: valeur obligatoire",
         "f.csv:4: Montant TTC: montant invalide"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_rejected_file_leaves_database_byte_for_byte_unchanged(
    seeded: Service, tmp_path: Path, case: str
) -> None:
    content, expected = BAD_FILES[case]
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    before = db_digest(seeded)
    with pytest.raises(ImportRejected) as caught:
        seeded.import_file("invoices", path)
    problems = caught.value.problems
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)
    assert db_digest(seeded) == before


def test_missing_column_is_one_clear_error_and_writes_nothing(
    seeded: Service, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("N° facture;Raison sociale;Montant TTC\nF2;Dupont;10\n", encoding="utf-8")
    before = db_digest(seeded)
    with pytest.raises(UserError) as caught:
        seeded.import_file("invoices", path)
    assert "customer_id" in str(caught.value) and "'Raison sociale'" in str(caught.value)
    assert db_digest(seeded) == before


def test_dry_run_reports_what_would_happen_and_writes_nothing(
    seeded: Service, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        f"{HEADER}\nF1;C1;Dupont;05/01/2026;04/02/2026;150,00\n"
        "F2;C2;Martin;05/01/2026;04/02/2026;10,00\n",
        encoding="utf-8",
    )
    before = db_digest(seeded)
    events = seeded.store.events()
    dry = seeded.import_file("invoices", path, dry_run=True)
    assert (dry.dry_run, dry.added, dry.updated, dry.customers_added) == (True, 1, 1, 1)
    assert db_digest(seeded) == before
    assert seeded.store.events() == events
    real = seeded.import_file("invoices", path)
    assert (real.dry_run, real.added, real.updated, real.customers_added) == (False, 1, 1, 1)
    assert db_digest(seeded) != before


def test_dry_run_of_every_kind_writes_nothing_not_even_an_event(
    seeded: Service, tmp_path: Path
) -> None:
    files = {
        "customers": "Code client;Raison sociale;Délai de paiement\nC1;Dupont SA;45 j FDM\n",
        "payments": "N° facture;Date de règlement;Montant réglé\nF1;10/02/2026;60,00\n",
        "fec": "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|"
        "CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|"
        "Montantdevise|Idevise\nVT|Ventes|1|20260301|411000|Clients|C7|Morel|F70|20260301|"
        "Facture|240,00|0,00|||20260301||\n",
    }
    before = db_digest(seeded)
    events = seeded.store.events()
    for kind, text in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        if kind == "fec":
            report = seeded.import_fec(path, dry_run=True)
        else:
            report = seeded.import_file(kind, path, dry_run=True)
        assert report.dry_run and report.added + report.updated == 1, kind
    assert seeded.store.events() == events
    assert db_digest(seeded) == before


def test_an_import_is_logged_with_who_ran_it_and_a_dry_run_is_not(
    settings: object, tmp_path: Path
) -> None:
    from tests.conftest import FIXED_NOW

    svc = Service.open(settings, clock=lambda: FIXED_NOW, actor="marie", create=True)  # type: ignore[arg-type]
    path = tmp_path / "factures.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    svc.import_file("invoices", path, dry_run=True)
    assert svc.store.events() == []
    report = svc.import_file("invoices", path)
    (event,) = svc.store.events(kinds=("import.completed",))
    assert event["actor"] == "marie"
    assert event["data"] == {
        "kind": "invoices",
        "file": report.file,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "counts": report.counts(),
    }
    assert report.file.endswith("factures.csv") and report.counts()["added"] == 1
    assert {e["actor"] for e in svc.store.events()} == {"marie"}
    svc.close()
