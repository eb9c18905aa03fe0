"""FEC import: open receivables from accounts 411*, using lettering."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.errors import ImportRejected, UserError
from assistant.imports.fec import FEC_COLUMNS
from assistant.models import Customer, InvoiceStatus
from assistant.service import Service
from assistant.storage import repo
from tests.support.pg_neutral import policy_in_effect, put_policy


def line(journal: str, num: str, day: str, account: str, piece: str, label: str,
         debit: str = "0,00", credit: str = "0,00", aux: str = "", aux_name: str = "",
         letter: str = "", date_let: str = "") -> list[str]:  # fmt: skip
    return [journal, journal + " journal", num, day, account, "Compte " + account, aux, aux_name,
            piece, day, label, debit, credit, letter, date_let, day, "", ""]  # fmt: skip


def sale(num: str, day: str, piece: str, aux: str, name: str, ttc: str, ht: str, tva: str,
         letter: str = "", date_let: str = "") -> list[list[str]]:  # fmt: skip
    return [
        line("VT", num, day, "411000", piece, "Facture " + piece, debit=ttc, aux=aux,
             aux_name=name, letter=letter, date_let=date_let),
        line("VT", num, day, "706000", piece, "Facture " + piece, credit=ht),
        line("VT", num, day, "445710", piece, "TVA " + piece, credit=tva),
    ]  # fmt: skip


def receipt(num: str, day: str, piece: str, aux: str, name: str, amount: str,
            letter: str = "", date_let: str = "") -> list[list[str]]:  # fmt: skip
    return [
        line("BQ", num, day, "411000", piece, "Règlement", credit=amount, aux=aux,
             aux_name=name, letter=letter, date_let=date_let),
        line("BQ", num, day, "512000", piece, "Règlement", debit=amount),
    ]  # fmt: skip


DUPONT, MARTIN = ("C001", "Dupont SARL"), ("C002", "Martin SA")
ENTRIES = [
    # F101 fully lettered (A) with its payment
    *sale("1", "20260105", "F101", *DUPONT, "1200,00", "1000,00", "200,00", "A", "20260210"),
    *receipt("7", "20260210", "VIR01", *DUPONT, "1200,00", "A", "20260210"),
    # F102 partially lettered (B): 400 of 1000 paid
    *sale("2", "20260115", "F102", *DUPONT, "1000,00", "833,33", "166,67", "B", "20260220"),
    *receipt("8", "20260220", "VIR02", *DUPONT, "400,00", "B", "20260220"),
    # F103 unlettered, reduced by an unlettered credit note carrying its PieceRef
    *sale("3", "20260120", "F103", *DUPONT, "500,00", "416,67", "83,33"),
    line("VT", "4", "20260125", "411000", "F103", "Avoir sur F103", credit="200,00",
         aux="C001", aux_name="Dupont SARL"),
    line("VT", "4", "20260125", "706000", "F103", "Avoir sur F103", debit="200,00"),
    # F104 unlettered; an unrelated unlettered payment is not applied
    *sale("5", "20260125", "F104", *MARTIN, "300,00", "250,00", "50,00"),
    *receipt("9", "20260301", "VIR99", *MARTIN, "150,00"),
]  # fmt: skip


def write_fec(path: Path, entries: list[list[str]], sep: str = "\t") -> Path:
    lines = [sep.join(FEC_COLUMNS), *(sep.join(e) for e in entries)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


@pytest.fixture
def martin_known(service: Service) -> Service:
    """Martin already exists with 45-day terms (the default for new customers is passed in)."""
    with service.store.transaction():
        repo.upsert_customers(
            service.store, [Customer(id="C002", name="Martin", payment_terms_days=45)], "test"
        )
    return service


def open_amounts(service: Service) -> dict[str, tuple[int, int, str]]:
    rows = service.store.query(
        "SELECT number, amount_cents, outstanding_cents, status FROM invoices ORDER BY number"
    )
    return {r["number"]: (r["amount_cents"], r["outstanding_cents"], r["status"]) for r in rows}


def test_open_receivables_from_lettered_partial_and_unlettered_lines(
    martin_known: Service, tmp_path: Path
) -> None:
    service = martin_known
    report = service.import_fec(write_fec(tmp_path / "FEC.txt", ENTRIES), terms_days=60)
    assert open_amounts(service) == {
        "F101": (120000, 0, "paid"),
        "F102": (100000, 60000, "open"),
        "F103": (50000, 30000, "open"),
        "F104": (30000, 30000, "open"),
    }
    assert (report.added, report.customers_added, report.receivable_lines) == (4, 1, 8)
    assert (report.open_invoices, report.open_cents) == (3, 120000)
    assert [(u.customer_id, u.amount_cents) for u in report.unallocated] == [("C002", 15000)]
    # VIR99's 411 line: the last entry but one, and line 1 is the header
    assert report.unallocated[0].lines == [len(ENTRIES)]
    paid = repo.get_invoice(service.store, "F101")
    assert paid is not None and paid.paid_date == date(2026, 2, 10)
    dupont = repo.get_invoice(service.store, "F102")
    assert dupont is not None and dupont.due_date == date(2026, 3, 16)  # 15/01 + 60 days
    martin = repo.get_invoice(service.store, "F104")
    assert martin is not None and martin.due_date == date(2026, 3, 11)  # 25/01 + 45 days
    customer = repo.get_customer(service.store, "C001")
    assert customer is not None and customer.name == "Dupont SARL"
    assert repo.get_customer(service.store, "C002").name == "Martin"  # type: ignore[union-attr]


def test_fec_reimport_is_idempotent_and_later_lettering_closes_invoices(
    martin_known: Service, tmp_path: Path
) -> None:
    service = martin_known
    path = write_fec(tmp_path / "FEC.txt", ENTRIES)
    service.import_fec(path)
    events = len(service.store.events())
    again = service.import_fec(path)
    assert (again.added, again.updated, again.unchanged, again.customers_added) == (0, 0, 4, 0)
    assert len(service.store.events()) == events + 1  # only import.completed
    # a month later: F102's balance is paid and lettered (B); pipe-separated export
    later = [*ENTRIES, *receipt("10", "20260305", "VIR03", *DUPONT, "600,00", "B", "20260305")]
    report = service.import_fec(write_fec(tmp_path / "FEC2.txt", later, sep="|"))
    assert (report.updated, report.unchanged, report.invoices_paid) == (1, 3, 1)
    f102 = repo.get_invoice(service.store, "F102")
    assert f102 is not None
    assert (f102.outstanding_cents, f102.status, f102.paid_date) == (
        0, InvoiceStatus.PAID, date(2026, 3, 5)
    )  # fmt: skip


def test_bad_fec_header_and_bad_lines(service: Service, tmp_path: Path) -> None:
    bad_header = tmp_path / "bad.txt"
    bad_header.write_text("Journal;Compte;Debit;Credit\nVT;411000;1,00;0,00\n")
    with pytest.raises(UserError) as caught:
        service.import_fec(bad_header)
    assert "EcritureDate" in str(caught.value) and "PieceRef" in str(caught.value)
    entries = [
        line("VT", "1", "20261305", "411000", "F1", "x", debit="10,00", aux="C1"),
        line("VT", "1", "20260105", "706000", "F1", "x", credit="abc"),  # not a 411 line
        line("VT", "2", "20260105", "411000", "F2", "x", debit="1O,00", aux="C1"),
    ]
    with pytest.raises(ImportRejected) as caught_lines:
        service.import_fec(write_fec(tmp_path / "lines.txt", entries))
    assert [p.split(": ")[:2] for p in caught_lines.value.problems] == [
        ["lines.txt:2", "EcritureDate"], ["lines.txt:2", "PieceDate"], ["lines.txt:4", "Debit"],
    ]  # fmt: skip
    assert service.store.scalar("SELECT COUNT(*) FROM invoices") == 0


def test_due_date_uses_end_of_month_terms_and_the_policy_default(
    service: Service, tmp_path: Path
) -> None:
    """No due date in a FEC: the customer's terms ("45 jours fin de mois"), else the policy's
    `default_payment_terms_days` (edited by the manager in the home's copy)."""
    service.init_home()
    text = policy_in_effect(service.home, "scenario.yaml")
    assert "default_payment_terms_days: 30" in text
    edited = text.replace("default_payment_terms_days: 30", "default_payment_terms_days: 60")
    put_policy(service.home, "scenario.yaml", edited)
    with service.store.transaction():
        repo.upsert_customers(
            service.store,
            [Customer(id="C002", name="Martin", payment_terms_days=45,
                      payment_terms_end_of_month=True)],
            "test",
        )  # fmt: skip
    service.import_fec(write_fec(tmp_path / "FEC.txt", ENTRIES))
    dupont, martin = (
        repo.get_invoice(service.store, "F102"),
        repo.get_invoice(service.store, "F104"),
    )
    assert dupont is not None and dupont.due_date == date(2026, 3, 16)  # 15/01 + 60 days
    assert martin is not None and martin.due_date == date(2026, 3, 31)  # 25/01 + 45 d, end of month


def test_terms_from_cash_to_a_year_and_nothing_written_outside(
    service: Service, tmp_path: Path
) -> None:
    entries = sale("1", "20260115", "F1", *DUPONT, "120,00", "100,00", "20,00")
    path = write_fec(tmp_path / "FEC.txt", entries)
    for days in (-1, 366):
        with pytest.raises(UserError, match=f"délai de paiement hors de 0..365 jours : {days}"):
            service.import_fec(path, terms_days=days)
    assert service.store.scalar("SELECT COUNT(*) FROM invoices") == 0
    for days, due in ((0, date(2026, 1, 15)), (365, date(2027, 1, 15))):
        service.import_fec(path, terms_days=days)
        invoice = repo.get_invoice(service.store, "F1")
        assert invoice is not None and invoice.due_date == due


def test_a_double_quote_in_a_label_is_text_the_fec_has_no_quoting(
    service: Service, tmp_path: Path
) -> None:
    entries = sale("1", "20260115", "F1", *DUPONT, "120,00", "100,00", "20,00")
    entries[0][10] = '"Urgent : facture F1'  # EcritureLib opening with a quote never closed
    entries[1][10] = 'Prestation 12" écran'
    report = service.import_fec(write_fec(tmp_path / "FEC.txt", entries), terms_days=30)
    assert report.added == 1 and open_amounts(service) == {"F1": (12000, 12000, "open")}


def test_a_fec_import_tells_its_progress_bar_when_it_is_done(
    service: Service, tmp_path: Path
) -> None:
    """`import fec` shows a progress bar: the FEC reader does not report row by row, but the
    bar is told once the import is written (rows + 1 steps of rows + 1)."""
    calls: list[tuple[int, int]] = []
    path = write_fec(tmp_path / "FEC.txt", ENTRIES)
    service.import_fec(path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(len(ENTRIES) + 1, len(ENTRIES) + 1)]
