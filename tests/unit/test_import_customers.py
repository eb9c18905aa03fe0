"""Customers import: every column of docs/imports.md, French values, merge rules, errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.errors import ImportRejected
from assistant.models import ClosingPeriod
from assistant.service import Service
from assistant.storage import repo

HEADER = [
    "Code client", "Raison sociale", "E-mail", "Téléphone", "Langue", "Pays", "Segment",
    "Stratégique", "Commercial", "Client depuis", "Fermé du", "Fermé au", "Ne pas contacter",
    "Notes",
]  # fmt: skip


def write(path: Path, rows: list[list[str]], encoding: str = "cp1252") -> Path:
    path.write_bytes("\r\n".join(";".join(r) for r in rows).encode(encoding))
    return path


def test_all_columns_in_french(service: Service, tmp_path: Path) -> None:
    path = write(
        tmp_path / "clients.csv",
        [HEADER,
         ["C1", "Boulangerie Lefèvre", "compta@lefevre.fr", "01 23 45 67 89", "Français",
          "France", "PME", "oui", "marie@nous.fr", "15/03/2019", "01/08/2026", "22/08/2026",
          "non", "Paie le 10"],
         ["C2", "Acme Ltd", "ap@acme.co.uk", "", "anglais", "GB", "", "x", "Paul Martin",
          "2025-01-02", "", "", "1", ""]],
    )  # fmt: skip
    report = service.import_file("customers", path)
    assert (report.rows_read, report.added, report.updated, report.unchanged) == (2, 2, 0, 0)
    first = repo.get_customer(service.store, "C1")
    assert first is not None
    assert (first.name, first.email, first.phone) == (
        "Boulangerie Lefèvre", "compta@lefevre.fr", "01 23 45 67 89"
    )  # fmt: skip
    assert (first.language, first.country, first.segment, first.strategic) == (
        "fr", "FR", "PME", True
    )  # fmt: skip
    assert first.salesperson_email == "marie@nous.fr" and first.salesperson_name is None
    assert first.customer_since == date(2019, 3, 15)
    assert first.closing_periods == [ClosingPeriod(start=date(2026, 8, 1), end=date(2026, 8, 22))]
    assert (first.do_not_contact, first.notes) == (False, "Paie le 10")
    second = repo.get_customer(service.store, "C2")
    assert second is not None
    assert (second.language, second.country, second.strategic) == ("en", "GB", True)
    assert (second.salesperson_name, second.do_not_contact) == ("Paul Martin", True)
    assert second.closing_periods == []


def test_reimport_unchanged_then_update_and_absent_columns_kept(
    service: Service, tmp_path: Path
) -> None:
    full = [HEADER, ["C1", "Lefèvre", "a@lefevre.fr", "0102", "fr", "FR", "", "non", "",
                     "", "01/08/2026", "22/08/2026", "", ""]]  # fmt: skip
    service.import_file("customers", write(tmp_path / "a.csv", full))
    again = service.import_file("customers", write(tmp_path / "a.csv", full))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    # a smaller file: only name and e-mail; the phone and closing period stay
    small = [["customer_id", "name", "email"], ["C1", "Lefèvre SA", "b@lefevre.fr"]]
    report = service.import_file("customers", write(tmp_path / "b.csv", small))
    assert report.updated == 1
    customer = repo.get_customer(service.store, "C1")
    assert customer is not None
    assert (customer.name, customer.email, customer.phone) == ("Lefèvre SA", "b@lefevre.fr", "0102")
    assert len(customer.closing_periods or []) == 1
    changed = service.store.events(kinds=("customer.updated",))[-1]["data"]["changed"]
    assert changed == ["email", "name"]


def test_every_bad_row_is_listed_and_nothing_written(service: Service, tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.csv",
        [HEADER,
         ["C1", "Ok", "pas-un-email", "", "de", "Atlantide", "", "peut-être", "", "hier",
          "01/08/2026", "", "", ""],
         ["C2", "", "", "", "", "", "", "", "", "", "22/08/2026", "01/08/2026", "", ""],
         ["C1", "Doublon", "", "", "", "", "", "", "", "", "", "", "", ""]],
    )  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        service.import_file("customers", path)
    columns = [p.split(": ")[:2] for p in caught.value.problems]
    assert columns == [
        ["c.csv:2", "E-mail"], ["c.csv:2", "Langue"], ["c.csv:2", "Pays"],
        ["c.csv:2", "Stratégique"], ["c.csv:2", "Client depuis"], ["c.csv:2", "Fermé au"],
        ["c.csv:3", "Raison sociale"], ["c.csv:3", "Fermé au"], ["c.csv:4", "Code client"],
    ]  # fmt: skip
    assert service.store.scalar("SELECT COUNT(*) FROM customers") == 0


def test_french_payment_terms(service: Service, tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.csv",
        [["Code client", "Raison sociale", "Conditions de règlement"],
         ["C1", "A", "30 jours"], ["C2", "B", "45 jours fin de mois"], ["C3", "C", "Comptant"],
         ["C4", "D", ""]],
    )  # fmt: skip
    service.import_file("customers", path)
    terms = {
        c: (x.payment_terms_days, x.payment_terms_end_of_month)
        for c in ("C1", "C2", "C3", "C4")
        if (x := repo.get_customer(service.store, c)) is not None
    }
    assert terms == {"C1": (30, False), "C2": (45, True), "C3": (0, False), "C4": (None, False)}
    again = service.import_file("customers", path)
    assert again.unchanged == 4
    bad = write(tmp_path / "d.csv", [["Code client", "Raison sociale", "Délai de paiement"],
                                     ["C1", "A", "à convenir"]])  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        service.import_file("customers", bad)
    assert caught.value.problems == [
        "d.csv:2: Délai de paiement: délai de paiement non reconnu : 'à convenir'"
        " (ex. 30 jours, 45 jours fin de mois, comptant)"
    ]


def test_risk_in_french_or_english_and_an_unknown_level_refused(
    service: Service, tmp_path: Path
) -> None:
    rows = [["Code client", "Raison sociale", "Niveau de risque"],
            ["R1", "Un", "Élevé"], ["R2", "Deux", "faible"], ["R3", "Trois", "MODÉRÉ"],
            ["R4", "Quatre", "medium"], ["R5", "Cinq", ""]]  # fmt: skip
    service.import_file("customers", write(tmp_path / "risques.csv", rows))
    risks = {cid: repo.get_customer(service.store, cid).risk for cid in ("R1", "R2", "R3", "R4")}
    assert risks == {"R1": "high", "R2": "low", "R3": "medium", "R4": "medium"}
    assert repo.get_customer(service.store, "R5").risk is None  # type: ignore[union-attr]
    bad = write(tmp_path / "bad.csv", [rows[0], ["R6", "Six", "critique"]])
    with pytest.raises(ImportRejected) as refused:
        service.import_file("customers", bad)
    assert "bad.csv:2: Niveau de risque: risque inconnu : 'critique' (faible, moyen ou élevé)" in (
        str(refused.value)
    )
    assert repo.get_customer(service.store, "R6") is None
