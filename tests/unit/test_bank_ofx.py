"""OFX statements read through ofxparse: a French OFX 1.x SGML file in its declared character
sets, an OFX 2.x XML file, declared entities never expanded nor fetched, and every broken file
refused on one line naming the file and, where known, the line."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import pytest
from schwifty import IBAN

from assistant.bank.formats import parse_file
from assistant.bank.model import BankFormat
from assistant.errors import UserError

HEADER = (
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n"
    "CHARSET:{charset}\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
)
# Lines 11-19 once the 10 header lines are above: the second STMTTRN is on line 18.
SGML = """<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20250131120000<LANGUAGE>FRA</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>EUR
<BANKACCTFROM><BANKID>30004<BRANCHID>00001<ACCTID>00012345678<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250101<DTEND>20250131
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250110<DTAVAIL>20250111<TRNAMT>1234,56<FITID>FR0001<REFNUM>F-2025-001<NAME>SARL Dupré &amp; Fils<MEMO>VIR SEPA FACTURE réglée</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250120<TRNAMT>-250.00<FITID>FR0002<NAME>BOULANGERIE<MEMO>RETOUR PRLV IMPAYE<CURRENCY><CURRATE>1.0<CURSYM>USD</CURRENCY></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>5984.56<DTASOF>20250131</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""  # noqa: E501
XML = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
{doctype}<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>20250131120000</DTSERVER><LANGUAGE>FRA</LANGUAGE></SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>30004</BANKID><BRANCHID>00001</BRANCHID><ACCTID>00012345678</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250101</DTSTART><DTEND>20250131</DTEND>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20250110120000[+1:CET]</DTPOSTED><TRNAMT>1234.56</TRNAMT><FITID>X1</FITID><NAME>Société Générale{use}</NAME><MEMO><![CDATA[Facture n° F-2025-002 & co]]></MEMO></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>1234.56</BALAMT><DTASOF>20250131</DTASOF></LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""  # noqa: E501
FR_IBAN = "FR7630004000010001234567830"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def sgml(charset: str = "1252", codec: str = "cp1252", body: str = SGML) -> bytes:
    return (HEADER.format(charset=charset) + body).encode(codec)


@pytest.mark.parametrize(
    ("charset", "codec"), [("1252", "cp1252"), ("ISO-8859-1", "latin-1"), ("NONE", "utf-8")]
)
def test_french_ofx1_sgml_in_its_declared_charset(tmp_path: Path, charset: str, codec: str) -> None:
    parsed = parse_file(write(tmp_path, "releve.ofx", sgml(charset, codec)))
    assert parsed.format is BankFormat.OFX
    (stmt,) = parsed.statements
    assert stmt.account == FR_IBAN and IBAN(FR_IBAN).bank_code == "30004"  # RIB -> valid IBAN
    assert (stmt.currency, stmt.opening_date, stmt.closing_date) == (
        "EUR",
        date(2025, 1, 1),
        date(2025, 1, 31),
    )
    assert stmt.closing_cents == 598456
    credit, debit = stmt.lines
    assert (credit.amount_cents, credit.payer, credit.bank_ref) == (
        123456,
        "SARL Dupré & Fils",
        "FR0001",
    )
    assert credit.remittance == "VIR SEPA FACTURE réglée F-2025-001"  # MEMO + REFNUM
    assert (credit.booking_date, credit.value_date) == (date(2025, 1, 10), date(2025, 1, 11))
    assert (credit.kind_code, credit.currency, credit.reversal) == ("CREDIT", "EUR", False)
    assert (debit.amount_cents, debit.currency, debit.reversal) == (-25000, "USD", True)


def test_ofx2_xml_utf8_with_cdata_and_time_zone(tmp_path: Path) -> None:
    data = XML.format(doctype="", use="").encode("utf-8")
    (stmt,) = parse_file(write(tmp_path, "releve.ofx", data)).statements
    assert stmt.account == FR_IBAN and stmt.closing_cents == 123456
    (line,) = stmt.lines
    assert (line.payer, line.remittance) == ("Société Générale", "Facture n° F-2025-002 & co")
    assert (line.booking_date, line.amount_cents, line.bank_ref) == (
        date(2025, 1, 10),
        123456,
        "X1",
    )


@pytest.mark.parametrize(
    ("posted", "end", "day"),
    [
        ("20250110000000[+1:CET]", "20250131235959[+1:CET]", date(2025, 1, 10)),  # UTC: the 9th
        ("20250110233000.000[-5:EST]", "20250131[-5:EST]", date(2025, 1, 10)),  # UTC: the 11th
        ("20250110000000[+5.75:NPT]", "20250131", date(2025, 1, 10)),  # a non-integer offset
    ],
)
def test_a_line_is_booked_on_the_banks_own_day_not_the_utc_day(
    tmp_path: Path, posted: str, end: str, day: date
) -> None:
    body = XML.format(doctype="", use="").replace("20250110120000[+1:CET]", posted)
    body = body.replace("<DTEND>20250131</DTEND>", f"<DTEND>{end}</DTEND>")
    (stmt,) = parse_file(write(tmp_path, "releve.ofx", body.encode("utf-8"))).statements
    (line,) = stmt.lines
    assert line.booking_date == day
    assert stmt.closing_date == date(2025, 1, 31)


def test_declared_entities_are_neither_expanded_nor_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    doctype = (
        f'<!DOCTYPE OFX [<!ENTITY file SYSTEM "file://{secret}">'
        f'<!ENTITY web SYSTEM "http://127.0.0.1:{port}/x">'
        '<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n'
    )
    data = XML.format(doctype=doctype, use=" &file;&web;&d;").encode("utf-8")
    try:
        (stmt,) = parse_file(write(tmp_path, "xxe.ofx", data)).statements
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected to the entity's URL
    finally:
        listener.close()
    (line,) = stmt.lines
    assert line.payer is not None and line.payer.startswith("Société Générale")
    assert "TOP-SECRET" not in line.payer and "AAAA" not in line.payer and len(line.payer) < 40


def _replace(old: str, new: str) -> bytes:
    assert old in SGML
    return sgml(body=SGML.replace(old, new))


BROKEN = [
    ("amount", _replace("-250.00", "-25O.00"), "amount.ofx:18: OFX illisible : STMTTRN.trnamt"),
    ("null", _replace("-250.00", "null"), "null.ofx:18: OFX illisible : STMTTRN.trnamt"),
    ("fitid", _replace("<FITID>FR0002", ""), "fitid.ofx:18: OFX illisible : STMTTRN.fitid absent"),
    ("date", _replace("<DTPOSTED>20250120", "<DTPOSTED>20251320"), "date.ofx:18: OFX illisible"),
    ("currency", _replace("<CURDEF>EUR", "<CURDEF>EUROS"), "currency.ofx:14: OFX illisible"),
    ("dtend", _replace("<DTEND>20250131", ""), "dtend.ofx:16: OFX illisible : BANKTRANLIST.dtend"),
    (
        "ledger",
        _replace("<LEDGERBAL><BALAMT>5984.56<DTASOF>20250131</LEDGERBAL>", ""),
        "ledger.ofx:14:",
    ),
    ("cut", sgml()[:-300], "cut.ofx : OFX illisible : OFX : 1 ouvert(s), 0 fermé(s)"),
    ("bytes", sgml("NONE", "cp1252"), "bytes.ofx:17: OFX illisible : octet 0xe9 invalide"),
    ("charset", sgml("KOI8"), "charset.ofx : OFX illisible : CHARSET inconnu : KOI8"),
    ("header", b"OFXHEADER:100\r\nnot an OFX file\r\n", "header.ofx : OFX illisible : en-tête"),
    (
        "xml",
        XML.format(doctype="", use="").replace("</TRNAMT>", "</TRNAMX>").encode(),
        "xml.ofx:7: OFX illisible : XML : Opening and ending tag mismatch",
    ),
]


@pytest.mark.parametrize(("name", "data", "start"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_ofx_is_refused_on_one_line(
    tmp_path: Path, name: str, data: bytes, start: str
) -> None:
    with pytest.raises(UserError) as err:
        parse_file(write(tmp_path, f"{name}.ofx", data))
    message = str(err.value)
    assert "\n" not in message and message.startswith(start), message
