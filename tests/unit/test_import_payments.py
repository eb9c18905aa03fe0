"""Payments import: lowers outstanding, marks paid, idempotent, rejects impossible payments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.errors import ImportRejected
from assistant.models import InvoiceStatus
from assistant.service import Service
from assistant.storage import repo


def write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def invoiced(service: Service, tmp_path: Path) -> Service:
    write(
        tmp_path / "factures.csv",
        [["N° facture", "Code client", "Raison sociale", "Date facture", "Échéance", "Montant"],
         ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "100,00"],
         ["F2", "C1", "Dupont", "05/01/2026", "04/02/2026", "200,00"]],
    )  # fmt: skip
    service.import_file("invoices", tmp_path / "factures.csv")
    return service


PAYMENTS = [
    ["N° facture", "Date de règlement", "Montant réglé", "Mode"],
    ["F1", "01/02/2026", "40,00", "virement"],
    ["F1", "05/02/2026", "60,00", "chèque"],
    ["F2", "03/02/2026", "50,00", "virement"],
    ["F2", "10/02/2026", "25,00", "virement"],
    ["F2", "10/02/2026", "25,00", "virement"],  # a second, identical payment is a real one
]  # fmt: skip


def test_payments_lower_outstanding_and_mark_paid(invoiced: Service, tmp_path: Path) -> None:
    report = invoiced.import_file("payments", write(tmp_path / "r.csv", PAYMENTS))
    assert (report.rows_read, report.added, report.unchanged, report.invoices_paid) == (5, 5, 0, 1)
    assert report.ignored_columns == ["Mode"]
    paid = repo.get_invoice(invoiced.store, "F1")
    assert paid is not None
    assert (paid.outstanding_cents, paid.status, paid.paid_date) == (
        0, InvoiceStatus.PAID, date(2026, 2, 5)
    )  # fmt: skip
    partial = repo.get_invoice(invoiced.store, "F2")
    assert partial is not None
    assert (partial.outstanding_cents, partial.status) == (10000, InvoiceStatus.OPEN)
    assert invoiced.store.scalar("SELECT COUNT(*) FROM payments") == 5


def test_reimporting_payments_changes_nothing(invoiced: Service, tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", PAYMENTS)
    invoiced.import_file("payments", path)
    recorded = len(invoiced.store.events(kinds=("payment.recorded", "invoice.paid")))
    again = invoiced.import_file("payments", path)
    assert (again.added, again.unchanged, again.invoices_paid) == (0, 5, 0)
    assert invoiced.store.scalar("SELECT COUNT(*) FROM payments") == 5
    assert len(invoiced.store.events(kinds=("payment.recorded", "invoice.paid"))) == recorded
    partial = repo.get_invoice(invoiced.store, "F2")
    assert partial is not None and partial.outstanding_cents == 10000
    # the same file plus one new line: only that line is recorded
    more = write(tmp_path / "r2.csv", [*PAYMENTS, ["F2", "20/02/2026", "100,00", ""]])
    report = invoiced.import_file("payments", more)
    assert (report.added, report.unchanged, report.invoices_paid) == (1, 5, 1)


def test_unknown_invoice_and_overpayment_reject_the_file(invoiced: Service, tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        [PAYMENTS[0],
         ["F1", "01/02/2026", "60,00", ""],
         ["F404", "01/02/2026", "10,00", ""],
         ["F1", "02/02/2026", "50,00", ""],  # 60 + 50 > 100
         ["F2", "02/02/2026", "0", ""],
         ["F2", "", "10", ""]],
    )  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        invoiced.import_file("payments", path)
    problems = [p.replace("\xa0", " ").replace("\u202f", " ") for p in caught.value.problems]
    assert problems == [
        "r.csv:3: N° facture: facture inconnue : F404",
        "r.csv:4: Montant réglé: règlement de 50,00 € supérieur au reste à payer de la facture F1"
        " (40,00 €)",
        "r.csv:5: Montant réglé: montant 0,00 € : doit être positif",
        "r.csv:6: Date de règlement: valeur obligatoire manquante",
    ]
    assert invoiced.store.scalar("SELECT COUNT(*) FROM payments") == 0
    f1 = repo.get_invoice(invoiced.store, "F1")
    assert f1 is not None and f1.outstanding_cents == 10000


def test_settled_invoice_other_currency_and_a_bank_total_line(
    invoiced: Service, tmp_path: Path
) -> None:
    invoiced.import_file("payments", write(tmp_path / "a.csv", [PAYMENTS[0], PAYMENTS[1],
                                                                PAYMENTS[2]]))  # fmt: skip
    path = write(
        tmp_path / "b.csv",
        [PAYMENTS[0],
         ["F1", "06/02/2026", "10,00", "virement"],  # F1 is paid: a duplicate payment?
         ["F2", "07/02/2026", "20,00 CHF", "virement"],  # F2 is in euros
         ["Total", "", "30,00", ""]],
    )  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        invoiced.import_file("payments", path)
    assert caught.value.problems == [
        "b.csv:2: N° facture: facture F1 déjà soldée (paid) : règlement en double ou mauvaise"
        " facture ?",
        "b.csv:3: Montant réglé: règlement en CHF pour la facture F2 en EUR",
    ]
    ok = write(tmp_path / "c.csv", [PAYMENTS[0], ["F2", "07/02/2026", "20,00 €", "virement"],
                                    ["Total", "", "20,00", ""]])  # fmt: skip
    report = invoiced.import_file("payments", ok)
    assert (report.rows_read, report.added, report.total_lines) == (1, 1, [3])
    f2 = repo.get_invoice(invoiced.store, "F2")
    assert f2 is not None and f2.outstanding_cents == 20000 - 2000


def test_a_payment_from_another_customer_than_the_invoice_s_is_refused(
    invoiced: Service, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "r.csv",
        [["N° facture", "Code client", "Date de règlement", "Montant réglé"],
         ["F1", "C1", "01/02/2026", "10,00"],
         ["F2", "C7", "01/02/2026", "10,00"]],  # a typo in the invoice number, probably
    )  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        invoiced.import_file("payments", path)
    assert caught.value.problems == [
        "r.csv:3: Code client: la facture F2 est celle du client C1, pas de C7"
    ]
    assert invoiced.store.scalar("SELECT COUNT(*) FROM payments") == 0
