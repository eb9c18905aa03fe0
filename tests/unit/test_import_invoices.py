"""Invoices import through the service: formats, upsert, statuses, customers."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from assistant.errors import ImportRejected
from assistant.models import InvoiceStatus, Payment
from assistant.service import Service
from assistant.storage import repo

FRENCH_HEADER = [
    "N° facture", "Code client", "Raison sociale", "Date facture", "Date d'échéance",
    "Montant TTC", "Reste à payer", "Statut", "TVA",
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ";",
              encoding: str = "utf-8") -> Path:  # fmt: skip
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def event_kinds(service: Service) -> Counter[str]:
    return Counter(e["kind"] for e in service.store.events())


def test_cp1252_semicolon_file_with_french_headers_and_amounts(
    service: Service, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "factures.csv",
        [FRENCH_HEADER,
         ["F001", "C1", "Société Générale d'Éclairage", "05/01/2026", "04/02/2026", "1 234,56 €",
          "", "ouverte", "20"],
         ["F002", "C1", "Société Générale d'Éclairage", "10/01/2026", "09/02/2026", "500,00",
          "200,00", "", "20"]],
        encoding="cp1252",
    )  # fmt: skip
    report = service.import_file("invoices", path)
    assert (report.rows_read, report.added, report.updated, report.unchanged) == (2, 2, 0, 0)
    assert report.customers_added == 1
    assert report.ignored_columns == ["TVA"]
    first = repo.get_invoice(service.store, "F001")
    assert first is not None
    assert (first.amount_cents, first.outstanding_cents) == (123456, 123456)
    assert (first.issue_date, first.due_date) == (date(2026, 1, 5), date(2026, 2, 4))
    assert first.status is InvoiceStatus.OPEN
    second = repo.get_invoice(service.store, "F002")
    assert second is not None and second.outstanding_cents == 20000
    customer = repo.get_customer(service.store, "C1")
    assert customer is not None and customer.name == "Société Générale d'Éclairage"


def test_utf8_bom_comma_file_and_tab_file(service: Service, tmp_path: Path) -> None:
    header = ["invoice_number", "customer_id", "customer_name", "issue_date", "due_date", "amount"]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(
        b"\xef\xbb\xbf"
        + ",".join(header).encode()
        + "\nF10,C9,Crème & Fils,2026-01-05,2026-02-04,1234.56\n".encode()
    )
    assert service.import_file("invoices", bom).added == 1
    tab = write_csv(
        tmp_path / "tab.txt",
        [["Numéro de facture", "Code client", "Date facture", "Échéance", "Montant"],
         ["F11", "C9", "06/01/2026", "05/02/2026", "99,90"]],
        delimiter="\t",
    )  # fmt: skip
    assert service.import_file("invoices", tab).added == 1
    assert repo.get_customer(service.store, "C9").name == "Crème & Fils"  # type: ignore[union-attr]
    eleven = repo.get_invoice(service.store, "F11")
    assert eleven is not None and eleven.amount_cents == 9990 and eleven.customer_id == "C9"


def test_xlsx_with_typed_cells(service: Service, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(FRENCH_HEADER[:7])
    sheet.append([1001, "C1", "Dupont SARL", datetime(2026, 1, 5), datetime(2026, 2, 4),
                  1234.56, 1000])  # fmt: skip
    sheet.append(["1002", "C1", "Dupont SARL", "10/01/2026", "2026-02-09", "2 000,00", None])
    book.save(tmp_path / "factures.xlsx")
    report = service.import_file("invoices", tmp_path / "factures.xlsx")
    assert report.added == 2
    first = repo.get_invoice(service.store, "1001")
    assert first is not None
    assert (first.amount_cents, first.outstanding_cents) == (123456, 100000)
    assert first.due_date == date(2026, 2, 4)
    second = repo.get_invoice(service.store, "1002")
    assert second is not None and second.outstanding_cents == 200000


def test_reimport_is_idempotent_and_does_not_duplicate_events(
    service: Service, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        [FRENCH_HEADER[:8],
         ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "100,00", "", "ouverte"],
         ["F2", "C1", "Dupont", "05/01/2026", "04/02/2026", "200,00", "0", "payée"],
         ["F3", "C2", "Martin", "05/01/2026", "04/02/2026", "300,00", "", "litige"]],
    )  # fmt: skip
    first = service.import_file("invoices", path)
    assert (first.added, first.disputes_opened) == (3, 1)
    before = event_kinds(service)
    again = service.import_file("invoices", path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert (again.customers_added, again.disputes_opened) == (0, 0)
    after = event_kinds(service)
    assert after - before == Counter({"import.completed": 1})
    completed = service.store.events(kinds=("import.completed",))[-1]["data"]
    assert completed["kind"] == "invoices" and completed["file"] == "f.csv"
    assert len(completed["sha256"]) == 64 and completed["counts"]["unchanged"] == 3


def test_updates_paid_and_disputed_transitions(service: Service, tmp_path: Path) -> None:
    header = FRENCH_HEADER[:8]
    rows = [["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "100,00", "", ""],
            ["F2", "C1", "Dupont", "05/01/2026", "04/02/2026", "200,00", "", ""],
            ["F3", "C1", "Dupont", "05/01/2026", "04/02/2026", "300,00", "", ""]]  # fmt: skip
    service.import_file("invoices", write_csv(tmp_path / "a.csv", [header, *rows]))
    rows[0][6] = "0"  # F1 fully paid
    rows[1][7] = "Contestée"  # F2 disputed
    rows[2][5] = "350,00"  # F3 amended
    report = service.import_file("invoices", write_csv(tmp_path / "b.csv", [header, *rows]))
    assert (report.added, report.updated, report.unchanged) == (0, 3, 0)
    assert (report.invoices_paid, report.disputes_opened) == (1, 1)
    paid = repo.get_invoice(service.store, "F1")
    assert paid is not None and paid.status is InvoiceStatus.PAID
    assert paid.paid_date == service.store.today()  # seen paid by this import
    assert [e["invoice_number"] for e in service.store.events(kinds=("invoice.paid",))] == ["F1"]
    assert [e["invoice_number"] for e in service.store.events(kinds=("dispute.opened",))] == ["F2"]
    amended = repo.get_invoice(service.store, "F3")
    assert amended is not None and amended.amount_cents == 35000
    # F3 had no outstanding column value: amount minus recorded payments (none) -> 350
    assert amended.outstanding_cents == 35000
    # a later file saying "ouverte" does not silently close the dispute
    rows[1][7] = "ouverte"
    service.import_file("invoices", write_csv(tmp_path / "c.csv", [header, *rows]))
    disputed = repo.get_invoice(service.store, "F2")
    assert disputed is not None and disputed.status is InvoiceStatus.DISPUTED


def test_known_invoice_without_outstanding_keeps_amount_minus_payments(
    service: Service, tmp_path: Path
) -> None:
    header = ["Facture", "Code client", "Raison sociale", "Date", "Échéance", "Montant"]
    row = ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "100,00"]
    service.import_file("invoices", write_csv(tmp_path / "a.csv", [header, row]))
    with service.store.transaction():
        repo.apply_payment(
            service.store, Payment(invoice_number="F1", date=date(2026, 2, 1), amount_cents=3000),
            None, "test",
        )  # fmt: skip
    row[5] = "120,00"  # the amount is corrected in the accounting software
    report = service.import_file("invoices", write_csv(tmp_path / "b.csv", [header, row]))
    assert report.updated == 1
    invoice = repo.get_invoice(service.store, "F1")
    assert invoice is not None
    assert (invoice.amount_cents, invoice.outstanding_cents) == (12000, 9000)


def test_columns_absent_from_the_file_keep_stored_values(service: Service, tmp_path: Path) -> None:
    header = ["Facture", "Code client", "Raison sociale", "Date", "Échéance", "Montant",
              "Référence", "E-mail"]  # fmt: skip
    service.import_file(
        "invoices",
        write_csv(tmp_path / "a.csv", [header, ["F1", "C1", "Dupont", "05/01/2026",
                                               "04/02/2026", "100", "BC-77", ""]]),
    )  # fmt: skip
    assert repo.get_customer(service.store, "C1").email is None  # type: ignore[union-attr]
    report = service.import_file(
        "invoices",
        write_csv(tmp_path / "b.csv", [[*header[:6], "E-mail"],
                                       ["F1", "C1", "Autre nom", "05/01/2026", "04/02/2026",
                                        "100", "compta@dupont.fr"]]),
    )  # fmt: skip
    assert report.unchanged == 1 and report.customers_updated == 1
    invoice = repo.get_invoice(service.store, "F1")
    assert invoice is not None and invoice.reference == "BC-77"
    customer = repo.get_customer(service.store, "C1")
    assert customer is not None
    assert (customer.name, customer.email) == ("Dupont", "compta@dupont.fr")


def test_unknown_customer_duplicates_and_bad_values_are_all_listed(
    service: Service, tmp_path: Path
) -> None:
    header = ["N° facture", "Code client", "Raison sociale", "Date facture", "Échéance",
              "Montant TTC", "Statut"]  # fmt: skip
    path = write_csv(
        tmp_path / "f.csv",
        [header,
         ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "100", ""],
         ["F2", "C404", "", "05/01/2026", "04/02/2026", "100", ""],
         ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "120", ""],
         ["F3", "C1", "", "32/01/2026", "04/02/2026", "1,2,3", "perdue"],
         ["F4", "C1", "", "05/01/2026", "04/02/2026", "0,00", "payée"],
         ["F5", "C1", "", "05/01/2026", "04/12/2025", "50,00", ""]],
    )  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        service.import_file("invoices", path)
    problems = caught.value.problems
    assert problems[0].startswith("f.csv:3: Code client: client inconnu : C404")
    assert problems[1] == (
        "f.csv:4: N° facture: facture F1 déjà ligne 2 avec un autre Montant TTC : lignes d'une"
        " même facture en désaccord"
    )
    assert [p.split(": ")[0:2] for p in problems[2:5]] == [
        ["f.csv:5", "Date facture"], ["f.csv:5", "Montant TTC"], ["f.csv:5", "Statut"],
    ]  # fmt: skip
    assert problems[5].startswith("f.csv:6: Montant TTC: montant nul : une facture a un montant")
    assert problems[6].startswith("f.csv:7: Échéance: échéance 2025-12-04 antérieure")
    assert len(problems) == 7
    assert caught.value.rejected == 5  # type: ignore[attr-defined]
    assert service.store.scalar("SELECT COUNT(*) FROM invoices") == 0
    assert service.store.events() == []


CREDIT_HEADER = [
    "Type", "N° facture", "Code client", "Raison sociale", "Date facture", "Date d'échéance",
    "Montant TTC", "Reste à payer", "Facture d'origine",
]  # fmt: skip


def test_credit_notes_are_never_invoices_to_remind(service: Service, tmp_path: Path) -> None:
    """Sage/EBP write a credit note as `Avoir` with a positive amount, others as a negative
    amount. Neither is stored as an invoice; one naming an invoice of the file settles it."""
    path = write_csv(
        tmp_path / "echeancier.csv",
        [CREDIT_HEADER,
         ["Facture", "F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "1 000,00", "1 000,00", ""],
         ["Facture", "F2", "C1", "Dupont", "06/01/2026", "05/02/2026", "300,00", "300,00", ""],
         ["Facture", "F3", "C1", "Dupont", "07/01/2026", "06/02/2026", "200,00", "200,00", ""],
         # a full credit note on F2 (positive, typed), a partial one on F3 (negative)
         ["Avoir", "AV1", "C1", "Dupont", "10/01/2026", "10/01/2026", "300,00", "300,00", "F2"],
         ["", "AV2", "C1", "Dupont", "11/01/2026", "11/01/2026", "-50,00", "-50,00", "F3"],
         # one naming no invoice, one already used (nothing left on it)
         ["Avoir", "AV3", "C1", "Dupont", "12/01/2026", "", "-80,00", "-80,00", ""],
         ["Avoir", "AV4", "C1", "Dupont", "12/01/2026", "", "-99,00", "0,00", "F1"]],
    )  # fmt: skip
    report = service.import_file("invoices", path)
    assert (report.rows_read, report.added, report.credit_notes) == (7, 3, 4)
    assert report.credits_applied == 2
    assert [(u.customer_id, u.amount_cents, u.lines) for u in report.unallocated] == [
        ("C1", 8000, [7])
    ]
    numbers = [r["number"] for r in service.store.query("SELECT number FROM invoices")]
    assert sorted(numbers) == ["F1", "F2", "F3"]
    f2, f3 = repo.get_invoice(service.store, "F2"), repo.get_invoice(service.store, "F3")
    assert f2 is not None and (f2.status, f2.outstanding_cents) == (InvoiceStatus.CREDITED, 0)
    assert f3 is not None and (f3.status, f3.outstanding_cents) == (InvoiceStatus.OPEN, 15000)
    assert [e["invoice_number"] for e in service.store.events(kinds=("invoice.credited",))] == [
        "F2"
    ]
    lines = "\n".join(report.lines()).replace("\u202f", " ").replace("\xa0", " ")
    assert "avoirs : 4 (jamais relancés) · imputés sur leur facture : 2" in lines
    assert "crédit non affecté (non appliqué, à lettrer) : client C1 : 80,00 € (lignes 7)" in lines
    # the same file again: nothing changes, no event but the import itself
    events = len(service.store.events())
    again = service.import_file("invoices", path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert len(service.store.events()) == events + 1
    # the planner never proposes the credited invoice
    assert "F2" not in {n for a in service.plan(date(2026, 6, 1)).actions for n in a.invoices}


def test_a_credit_note_stored_as_an_invoice_by_an_earlier_import_is_cancelled(
    service: Service, tmp_path: Path
) -> None:
    header = CREDIT_HEADER[1:7]
    row = ["AV9", "C1", "Dupont", "10/01/2026", "10/01/2026", "150,00"]
    service.import_file("invoices", write_csv(tmp_path / "a.csv", [header, row]))
    report = service.import_file(
        "invoices", write_csv(tmp_path / "b.csv", [["Type", *header], ["Avoir", *row]])
    )
    assert (report.updated, report.credit_notes) == (1, 1)
    invoice = repo.get_invoice(service.store, "AV9")
    assert invoice is not None
    assert (invoice.status, invoice.outstanding_cents) == (InvoiceStatus.CANCELLED, 0)


def test_unknown_document_type_and_currency_mismatch_are_row_errors(
    service: Service, tmp_path: Path
) -> None:
    header = ["Type", *CREDIT_HEADER[1:7], "Devise"]
    path = write_csv(
        tmp_path / "f.csv",
        [header,
         ["Bon de livraison", "F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "10", "EUR"],
         ["Facture", "F2", "C1", "Dupont", "05/01/2026", "04/02/2026", "10,00 CHF", "EUR"],
         ["Facture", "F3", "C1", "Dupont", "05/01/2026", "04/02/2026", "10,00 CHF", ""]],
    )  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        service.import_file("invoices", path)
    assert caught.value.problems == [
        "f.csv:2: Type: type de pièce inconnu : 'Bon de livraison' (attendu facture ou avoir)",
        "f.csv:3: Montant TTC: montant en CHF mais devise EUR",
    ]
    del header[-1]
    ok = write_csv(tmp_path / "g.csv", [header, ["", "F3", "C1", "D", "05/01/2026",
                                                 "04/02/2026", "1 000,00 CHF"]])  # fmt: skip
    service.import_file("invoices", ok)
    assert repo.get_invoice(service.store, "F3").currency == "CHF"  # type: ignore[union-attr]


def test_accounting_report_export_with_title_page_headers_and_totals(
    service: Service, tmp_path: Path
) -> None:
    """An "échéancier" printed to CSV: title lines, the header repeated on each page,
    a subtotal per customer and a grand total; a customer named "Total Energies" is data."""
    header = ";".join(FRENCH_HEADER[:6])
    text = "\r\n".join([
        "Échéancier clients;;;;;", "Arrêté au 24/11/2026;;;;;", ";;;;;", header,
        "F1;C1;Total Energies;05/01/2026;04/02/2026;1 000,00",
        ";;Sous-total Total Energies;;;1 000,00",
        header,
        "F2;C2;Martin;05/01/2026;04/02/2026;234,56",
        ";;;;;",
        "Total général;;;;;1 234,56",
    ]) + "\r\n"  # fmt: skip
    path = tmp_path / "echeancier.csv"
    path.write_bytes(text.encode("cp1252"))
    report = service.import_file("invoices", path)
    assert (report.rows_read, report.added, report.header_line) == (2, 2, 4)
    assert report.total_lines == [6, 10]
    assert repo.get_customer(service.store, "C1").name == "Total Energies"  # type: ignore[union-attr]
    lines = report.lines()
    assert "  en-tête trouvé ligne 4 (lignes de titre au-dessus ignorées)" in lines
    assert "  lignes de total ignorées : 6, 10" in lines


def test_open_invoices_missing_from_a_later_export_are_reported(
    service: Service, tmp_path: Path
) -> None:
    """An "impayés" export drops the invoices paid since: the store would keep them open (and
    remind them). They are not guessed paid, but the report names them."""
    header = FRENCH_HEADER[:6]
    rows = [[f"F{n}", "C1", "Dupont", "05/01/2026", "04/02/2026", "10,00"] for n in range(1, 8)]
    service.import_file("invoices", write_csv(tmp_path / "a.csv", [header, *rows]))
    report = service.import_file("invoices", write_csv(tmp_path / "b.csv", [header, rows[0]]))
    assert report.absent_open == ["F2", "F3", "F4", "F5", "F6", "F7"]
    assert report.as_json()["absent_open_invoices"] == 6
    line = next(x for x in report.lines() if "absentes de ce fichier" in x)
    assert line.startswith("  factures ouvertes en base absentes de ce fichier : 6 (F2, F3, F4,")
    assert "F5, F6 ..." in line
    assert repo.get_invoice(service.store, "F7").status is InvoiceStatus.OPEN  # type: ignore[union-attr]


def test_created_records_say_who_when_and_what(service: Service, tmp_path: Path) -> None:
    header = FRENCH_HEADER[:7]
    row = ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "100,00", "60,00"]
    service.import_file("invoices", write_csv(tmp_path / "a.csv", [header, row]))
    created = {e["kind"]: e for e in service.store.events()}
    invoice, customer = created["invoice.created"], created["customer.created"]
    assert (invoice["actor"], invoice["at"], invoice["invoice_number"]) == (
        "user", "2026-11-24T09:30:00+00:00", "F1"
    )  # fmt: skip
    assert invoice["data"] == {
        "status": "open", "amount_cents": 10000, "outstanding_cents": 6000,
        "due_date": "2026-02-04",
    }  # fmt: skip
    assert (customer["customer_id"], customer["data"]) == ("C1", {"name": "Dupont"})
