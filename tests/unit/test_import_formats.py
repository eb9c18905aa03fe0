"""Import file formats: header matching, cell parsing, delimiters, encodings, XLSX."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from assistant.errors import ImportRejected, UserError
from assistant.imports import values
from assistant.imports.columns import REQUIRED, map_columns, recognises
from assistant.imports.reader import Row, decode, read_table
from assistant.imports.rows import split_totals
from assistant.models import InvoiceStatus
from assistant.service import Service


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
     (values.day, "31/02/2026"), (values.currency, "ZZZ"), (values.terms, "quatre-vingt"),
     (values.terms, "400 jours"), (values.terms, "30 jours fin de mois le 10"),
     (values.document_type, "bon de livraison")],
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
    assert values.terms("45 jours") == (45, False)
    assert values.terms("45 jours fin de mois") == values.terms("45 j FDM") == (45, True)
    assert values.terms("Comptant") == values.terms("à réception") == (0, False)
    assert values.document_type("Facture") == "invoice"
    assert values.document_type("AVOIR") == values.document_type("Credit note") == "credit"


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


def test_title_lines_above_the_header_and_headers_repeated_on_each_page(tmp_path: Path) -> None:
    path = tmp_path / "echeancier.csv"
    path.write_text(
        "Échéancier clients au 24/11/2026\nSociété Exemple SARL;;;;\n\n"
        f"{HEADER}\nF1;C1;05/01/2026;04/02/2026;1 234,56\n"
        f"{HEADER}\nF2;C1;05/01/2026;04/02/2026;10\n",
        encoding="cp1252",
    )
    table = read_table(path, _recognise)
    assert (table.header_line, table.delimiter) == (4, ";")
    assert table.headers[0] == "N° facture"
    assert [(r.line, r.cells[0]) for r in table.rows] == [(5, "F1"), (7, "F2")]


def test_a_file_with_no_known_column_shows_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Journal;Compte;Libellé\nVT;411;x\n", encoding="utf-8")
    table = read_table(path, _recognise)
    assert (table.header_line, table.headers) == (1, ["Journal", "Compte", "Libellé"])


def test_totals_rows_are_told_apart_from_data() -> None:
    headers = ["N° facture", "Code client", "Raison sociale", "Date facture", "Date d'échéance",
               "Montant TTC"]  # fmt: skip
    columns = map_columns("invoices", headers, "f.csv")
    rows = [
        Row(2, ["F1", "C1", "Total Energies", "05/01/2026", "04/02/2026", "10"]),
        Row(3, ["TOTAL", "C9", "Total Energies", "05/01/2026", "04/02/2026", "10"]),
        Row(4, ["", "", "Sous-total client C1", "", "", "20"]),
        Row(5, ["Total général", "", "", "", "", "20"]),
        Row(6, ["", "", "", "", "TOTAUX", "20"]),
    ]
    data, totals = split_totals(rows, columns, REQUIRED["invoices"])
    assert [r.line for r in data] == [2, 3]  # complete rows are data, whatever they say
    assert totals == [4, 5, 6]


def test_xlsx_header_below_a_title_on_the_sheet_that_has_the_data(tmp_path: Path) -> None:
    book = Workbook()
    cover = book.active
    cover.title = "Couverture"
    cover.append(["Export Sage 100 - Échéancier"])
    data = book.create_sheet("Données")
    data.append(["Échéancier clients"])
    data.append([])
    data.append(["N° facture", "Code client", "Date facture", "Date d'échéance", "Montant TTC"])
    data.append(["F1", "C1", datetime(2026, 1, 5), datetime(2026, 2, 4), 10])
    book.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx", _recognise)
    assert (table.header_line, table.headers[0]) == (3, "N° facture")
    assert [(r.line, r.cells[0]) for r in table.rows] == [(4, "F1")]


def test_xlsx_formula_without_a_computed_value_is_named_on_its_row(
    service: Service, tmp_path: Path
) -> None:
    """openpyxl (and other programs) write formulas without their value; Excel computes it
    on opening. Read as an empty cell, it would be "missing" or, worse, silently empty."""
    book = Workbook()
    sheet = book.active
    sheet.append(["N° facture", "Code client", "Raison sociale", "Date facture",
                  "Date d'échéance", "Montant HT", "Montant TTC", "Reste à payer"])  # fmt: skip
    sheet.append(["F1", "C1", "Dupont", datetime(2026, 1, 5), datetime(2026, 2, 4), 100,
                  "=F2*1.2", 120])  # fmt: skip
    sheet.append(["F2", "C1", "Dupont", datetime(2026, 1, 5), datetime(2026, 2, 4), 100, 120,
                  "=G3-50"])  # fmt: skip
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(ImportRejected) as caught:
        service.import_file("invoices", tmp_path / "f.xlsx")
    assert caught.value.problems == [
        "f.xlsx:2: Montant TTC: formule =F2*1.2 sans valeur calculée (ouvrez et enregistrez"
        " le fichier dans Excel, ou exportez en CSV)",
        "f.xlsx:3: Reste à payer: formule =G3-50 sans valeur calculée (ouvrez et enregistrez"
        " le fichier dans Excel, ou exportez en CSV)",
    ]


def test_other_spreadsheets_and_broken_lines_are_one_clear_error(tmp_path: Path) -> None:
    ods = tmp_path / "f.ods"
    with zipfile.ZipFile(ods, "w") as archive:  # the mimetype entry comes first, stored
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UserError, match=r"OpenDocument \(\.ods\) non pris en charge"):
        read_table(ods, _recognise)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(UserError, match=r"Excel 97-2003 \(\.xls\)"):
        read_table(tmp_path / "old.xls", _recognise)
    unclosed = tmp_path / "q.csv"
    unclosed.write_text(f'{HEADER}\nF1;C1;"05/01/2026;{"x" * 200_000}\n', encoding="utf-8")
    with pytest.raises(UserError, match=r'q\.csv:2: .*guillemet " non refermé'):
        read_table(unclosed, _recognise)
    (tmp_path / "zero.csv").write_bytes(b"")
    with pytest.raises(UserError, match="vide"):
        read_table(tmp_path / "zero.csv", _recognise)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(UserError, match="vide"):
        read_table(tmp_path / "bom.csv", _recognise)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(UserError, match="dossier"):
        read_table(tmp_path / "dir.csv", _recognise)


def test_long_numbers_excel_wrote_in_scientific_notation_are_refused() -> None:
    with pytest.raises(ValueError, match="notation scientifique"):
        values.identifier("2,02601E+11")
    with pytest.raises(ValueError, match="notation scientifique"):
        values.identifier("4.11E+5")
    assert values.identifier("FA-2026-0001") == "FA-2026-0001"
    assert values.identifier(202601000123.0) == "202601000123"  # XLSX keeps every digit
    assert values.identifier("  ") is None


def test_latin9_fec_text_is_told_apart_from_windows_1252() -> None:
    """A FEC may be ISO-8859-15: œ and € there are ½ and ¤ in Windows-1252 ("C½ur")."""
    text = "CompAuxLib\nCœur de Lion SARL 12,00 €\nÉtablissements Noël\n"
    assert decode(text.encode("iso-8859-15"), "f") == (text, "iso-8859-15")
    both = "Nom\nSœur 12 €\nl’Œuvre\n"  # ’ exists only in Windows-1252: the file is cp1252
    assert decode(both.encode("cp1252"), "f") == (both, "cp1252")
    plain = "Nom\nÉtablissements Noël ½ tarif\n"  # ½ after a space: left as Windows-1252
    assert decode(plain.encode("cp1252"), "f") == (plain, "cp1252")


def test_values_under_an_untitled_column_are_listed_as_ignored() -> None:
    headers = ["N° facture", "Date", "Montant", "", ""]
    rows = [["F1", "05/01/2026", "10", "", "chèque n° 123"], ["F2", "05/01/2026", "10", "", ""]]
    mapped = map_columns("payments", headers, "p.csv", rows)
    assert mapped.ignored == ["(colonne 5 sans titre)"]  # column 4 is empty: not listed
    with pytest.raises(ValueError, match="montant invalide"):
        values.amount(True)  # a ticked box in an amount column is not 1,00 €


def test_an_unknown_header_is_reported_as_found_not_a_total_row_below_it(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Inv#;Cust;Due\nA1;C1;05/01/2026\nTotal;;\n", encoding="utf-8")
    table = read_table(path, _recognise)  # "Total" is a known name (amount), alone on its row
    assert (table.header_line, table.headers) == (1, ["Inv#", "Cust", "Due"])


def test_a_nan_number_from_a_spreadsheet_is_a_bad_amount_not_a_crash() -> None:
    # openpyxl reads a numeric cell written as NaN into float("nan"): it was a
    # decimal.InvalidOperation escaping the import (found by mutation testing)
    with pytest.raises(ValueError, match="montant invalide"):
        values.amount(float("nan"))


def test_currency_words_signs_and_codes_whatever_their_case() -> None:
    assert values.currency("Euros") == values.currency("EURO") == values.currency("eur") == "EUR"
    assert values.currency("$") == "USD" and values.currency("£") == "GBP"
    assert values.currency("chf") == "CHF" and values.currency("") is None


def test_payment_terms_up_to_a_year() -> None:
    assert values.terms("365 jours") == (365, False)
    with pytest.raises(ValueError, match="délai de paiement non reconnu"):
        values.terms("366 jours")


def test_spreadsheet_dates_and_excel_serial_numbers_at_their_bounds() -> None:
    assert values.day(date(1900, 1, 1)) == date(1900, 1, 1)
    assert values.day(datetime(2199, 12, 31, 0, 0)) == date(2199, 12, 31)
    for impossible in (datetime(1899, 12, 30), date(2200, 1, 1)):  # Excel's 0, a typo
        with pytest.raises(ValueError, match="date impossible"):
            values.day(impossible)
    assert values.day(10_000) == date(1927, 5, 18)  # the serial numbers read as dates
    assert values.day(100_000) == date(2173, 10, 14)
    assert values.day(46_086.0) == date(2026, 3, 5)
    for number in (9_999, 100_001):  # outside: read as text, which is no date
        with pytest.raises(ValueError, match=f"date invalide : '{number}'"):
            values.day(number)
    assert values.day(20260305) == date(2026, 3, 5)  # yyyymmdd typed as a number


def test_identifiers_with_an_e_are_kept_unless_excel_wrote_them_in_scientific_notation() -> None:
    for kept in ("FE-2026-001", "E12", "2026e", "CLIENT E"):
        assert values.identifier(kept) == kept
    for truncated in ("2,02601E+11", "1.5e12", "3e5"):
        with pytest.raises(ValueError, match="notation scientifique"):
            values.identifier(truncated)
    assert values.identifier("  ") is None


def test_risk_levels_in_french_or_english() -> None:
    assert values.risk(" Élevé ") == values.risk("FORT") == values.risk("high") == "high"
    assert values.risk("faible") == values.risk("bas") == values.risk("Low") == "low"
    assert values.risk("modéré") == values.risk("moyen") == values.risk("medium") == "medium"
    assert values.risk("") is None and values.risk(None) is None
    with pytest.raises(ValueError, match="risque inconnu : 'critique'"):
        values.risk("critique")


def test_a_currency_written_in_an_amount_cell() -> None:
    assert values.currency_marker("1 234,56 €") == "EUR"
    assert values.currency_marker("1 234,56") is None
    assert values.currency_marker(1234.56) is None  # a spreadsheet number carries none
    with pytest.raises(ValueError, match="plusieurs devises dans '12 € USD'"):
        values.currency_marker(" 12 € USD ")
    assert values.optional_text("  ") is None and values.optional_text(" Paie le 10 ") == (
        "Paie le 10"
    )


def test_cells_as_text_from_spreadsheet_types() -> None:
    assert values.text(True) == "1" and values.text(False) == "0"
    assert values.text(datetime(2026, 3, 5)) == "2026-03-05"
    assert values.text(datetime(2026, 3, 5, 14, 30)) == "2026-03-05T14:30:00"
    assert values.text(date(2026, 3, 5)) == "2026-03-05"
    assert values.text(12.5) == "12.5" and values.text(None) == "" and values.text(" a ") == "a"
