"""Import file formats: header matching, cell parsing, delimiters, encodings, XLSX."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from assistant.errors import ImportRejected, UserError
from assistant.imports import values
from assistant.imports.columns import map_columns, recognises
from assistant.imports.reader import decode, read_table
from assistant.models import InvoiceStatus


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("N° facture", "invoice_number"), ("Numéro de facture", "invoice_number"),
        ("NUMERO FACTURE", "invoice_number"), ("invoice_number", "invoice_number"),
        ("Code client", "customer_id"), ("Raison sociale", "customer_name"),
        ("Date facture", "issue_date"), ("Date d'échéance", "due_date"),
        ("date_echeance", "due_date"), ("Échéance", "due_date"), ("Montant TTC", "amount"),
        ("Reste à payer", "outstanding"), ("Solde", "outstanding"), ("Devise", "currency"),
        ("Statut", "status"), ("Référence", "reference"), ("E-mail", "email"),
        ("Langue", "language"),
    ],
)  # fmt: skip
def test_french_invoice_headers_map_whatever_their_case_accents_and_punctuation(
    header: str, field: str
) -> None:
    base = {
        "invoice_number": "N° facture",
        "customer_id": "Code client",
        "issue_date": "Date facture",
        "due_date": "Date d'échéance",
        "amount": "Montant TTC",
    }
    headers = list({**base, field: header}.values())
    assert map_columns("invoices", headers, "f.csv").header(field) == header


def test_customer_and_payment_headers() -> None:
    customers = map_columns(
        "customers",
        ["Code client", "Raison sociale", "Téléphone", "Pays", "Client depuis", "Commercial",
         "Fermé du", "Fermé au", "Ne pas contacter", "Langue"],
        "c.csv",
    )  # fmt: skip
    assert set(customers.positions) == {
        "customer_id", "name", "phone", "country", "customer_since", "salesperson",
        "closed_from", "closed_to", "do_not_contact", "language",
    }  # fmt: skip
    payments = map_columns("payments", ["N° facture", "Date de règlement", "Montant réglé"], "p")
    assert payments.positions == {"invoice_number": 0, "date": 1, "amount": 2}


def test_unknown_columns_are_ignored_and_listed() -> None:
    mapped = map_columns(
        "payments", ["Facture", "Date", "Montant", "Mode de règlement", "Banque"], "p.csv"
    )
    assert mapped.ignored == ["Mode de règlement", "Banque"]


def test_missing_required_columns_are_named_with_the_columns_found() -> None:
    with pytest.raises(UserError) as caught:
        map_columns("invoices", ["N° facture", "Client", "Montant"], "f.csv")
    message = str(caught.value)
    for missing in ("customer_id", "issue_date", "due_date"):
        assert missing in message
    assert "'Client'" in message and "'Montant'" in message
    assert "\n" not in message


def test_two_columns_for_one_field_is_an_error() -> None:
    with pytest.raises(UserError, match="Solde"):
        map_columns(
            "invoices",
            ["Facture", "Code client", "Date", "Echéance", "Montant", "Solde", "Reste à payer"],
            "f.csv",
        )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("oui", True), ("Non", False), ("YES", True), ("no", False), ("1", True), ("0", False),
     ("x", True), ("X", True), ("vrai", True), ("Faux", False), ("", None), (True, True)],
)  # fmt: skip
def test_booleans(cell: object, expected: bool | None) -> None:
    assert values.boolean(cell) is expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("ouverte", InvoiceStatus.OPEN), ("Payée", InvoiceStatus.PAID),
     ("SOLDÉE", InvoiceStatus.PAID), ("litige", InvoiceStatus.DISPUTED),
     ("Contestée", InvoiceStatus.DISPUTED), ("paid", InvoiceStatus.PAID), ("", None)],
)  # fmt: skip
def test_french_statuses(cell: str, expected: InvoiceStatus | None) -> None:
    assert values.status(cell) is expected


@pytest.mark.parametrize(
    ("parser", "cell"),
    [(values.boolean, "peut-être"), (values.status, "perdue"), (values.language, "de"),
     (values.country, "Atlantide"), (values.email, "jean.dupont@"), (values.amount, "12,3,4"),
     (values.day, "31/02/2026"), (values.currency, "ZZZ"), (values.days, "quatre-vingt")],
)  # fmt: skip
def test_bad_cells_raise_value_error(parser: object, cell: str) -> None:
    with pytest.raises(ValueError):
        parser(cell)  # type: ignore[operator]


def test_cells_from_spreadsheets_and_french_text() -> None:
    assert values.amount("1 234,56 €") == 123456
    assert values.amount(1234.5) == 123450
    assert values.day(datetime(2026, 3, 5, 0, 0)) == date(2026, 3, 5)
    assert values.day(46086) == date(2026, 3, 5)  # Excel serial number
    assert values.text(1001.0) == "1001"
    assert values.language("Français") == "fr" and values.language("en-GB") == "en"
    assert values.country("Belgique") == "BE" and values.country("fr") == "FR"
    assert values.currency("€") == "EUR"
    assert values.email("a@x.fr; b@y.com") == "a@x.fr, b@y.com"
    assert values.days("45 jours") == 45


HEADER = "N° facture;Code client;Date facture;Date d'échéance;Montant TTC"


def _recognise(header: str) -> bool:
    return recognises("invoices", header)


def test_delimiter_is_found_even_when_amounts_contain_commas(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(HEADER + "\nF1;C1;05/01/2026;04/02/2026;1 234,56\n", encoding="utf-8")
    table = read_table(path, _recognise)
    assert table.delimiter == ";"
    assert table.rows[0].cells[4] == "1 234,56"
    tabbed = tmp_path / "t.tsv"
    tabbed.write_text(HEADER.replace(";", "\t") + "\nF1\tC1\t05/01/2026\t04/02/2026\t12,5\n")
    assert read_table(tabbed, _recognise).delimiter == "\t"


def test_encodings_utf8_bom_and_cp1252_decode_to_the_same_text() -> None:
    text = "Raison sociale\nSociété Générale d’Éclairage – « Noël » 1 200 €\n"
    assert decode(text.encode("utf-8"), "f") == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "f") == (text, "utf-8")
    assert decode(text.encode("cp1252"), "f") == (text, "cp1252")


def test_excel_unicode_text_utf16_with_bom_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(("\ufeff" + HEADER.replace(";", "\t") + "\r\nF1\tC1\t05/01/2026\t"
                      "04/02/2026\t1 234,56 €\r\n").encode("utf-16-le"))  # fmt: skip
    table = read_table(path, _recognise)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.headers[0] == "N° facture" and table.rows[0].cells[4] == "1 234,56 €"


def test_mojibake_and_mixed_encodings_are_refused_line_by_line() -> None:
    good = "Nom\nSociété\n"
    double = good.encode("utf-8").decode("cp1252").encode("utf-8")  # converted twice
    with pytest.raises(ImportRejected) as caught:
        decode(double, "f.csv")
    assert caught.value.problems[0].startswith("f.csv:2: ")
    mixed = "Nom\nSociété\n".encode() + "Crème brûlée\n".encode("cp1252")
    with pytest.raises(ImportRejected) as caught:
        decode(mixed, "m.csv")
    assert [p.split(" ")[0] for p in caught.value.problems] == ["m.csv:2:"]
    with pytest.raises(ImportRejected):
        decode("Nom\nSoci\ufffdt\ufffd\n".encode(), "r.csv")


def test_bytes_neither_utf8_nor_cp1252_are_refused_with_their_line() -> None:
    with pytest.raises(ImportRejected) as caught:
        decode(b"Nom\nok\nbad \x81 byte\n", "b.csv")
    assert caught.value.problems[0].startswith("b.csv:3: ")
    with pytest.raises(UserError, match="binaire"):
        decode(b"Nom\x00\x01", "z.csv")


def test_xlsx_header_is_the_first_non_empty_row_and_cells_keep_their_types(
    tmp_path: Path,
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(["N° facture", "Code client", "Date facture", "Date d'échéance", "Montant TTC"])
    sheet.append([1001, "C1", datetime(2026, 1, 5), datetime(2026, 2, 4), 1234.56])
    book.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx", _recognise)
    assert table.encoding == "xlsx"
    assert table.headers[0] == "N° facture"
    assert table.rows[0].line == 3
    assert table.rows[0].cells[:2] == [1001, "C1"]
    assert isinstance(table.rows[0].cells[2], datetime)


def test_unreadable_or_empty_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="introuvable"):
        read_table(tmp_path / "absent.csv", _recognise)
    (tmp_path / "empty.csv").write_text("\n\n")
    with pytest.raises(UserError, match="vide"):
        read_table(tmp_path / "empty.csv", _recognise)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(UserError, match="illisible"):
        read_table(tmp_path / "broken.xlsx", _recognise)


def test_cell_messages_say_what_is_wrong_with_a_date_or_an_amount() -> None:
    with pytest.raises(ValueError, match="format américain mm/jj/aaaa"):
        values.day("02/13/2026")
    with pytest.raises(ValueError, match="date impossible : '31/02/2026'"):
        values.day("31/02/2026")
    with pytest.raises(ValueError, match="date impossible : 30/12/1899"):
        values.day(datetime(1899, 12, 30))  # an empty date cell holding 0, as Excel shows it
    assert values.day("01/10/26") == date(2026, 10, 1)
    assert values.day("05/01/2026 00:00") == date(2026, 1, 5)  # Excel's CSV of a date cell
    with pytest.raises(ValueError, match="montant ambigu : '1,234'"):
        values.amount("1,234")
    with pytest.raises(ValueError, match="plus de 2 décimales : '12,3456'"):
        values.amount("12,3456")
    with pytest.raises(ValueError, match=r"montant invalide : '12\.3\.4'"):
        values.amount("12.3.4")
    assert values.amount("1\u202f234,56\u00a0€") == 123456
    assert values.amount("(150,00)") == values.amount("150,00-") == -15000
