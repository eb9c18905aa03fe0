"""Statement formats on real sample files (tests/data/real/SOURCES.md): counts and totals are
computed here independently of the parsers (plain regexes / ElementTree / the CFONB sign table
written out again), and refusals are one clear line naming the file and the line."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.bank.formats import cfonb120, detect, parse_file
from assistant.bank.model import BankFormat
from assistant.errors import UserError

REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "bank"
CAMT = REAL / "genkgo-camt053-v2-multi-statement.xml"
CFONB = REAL / "pennylane-cfonb120-example.txt"
OFX_SGML = REAL / "ofxparse-bank_medium.ofx"
OFX_XML = REAL / "ofxparse-suncorp.ofx"
OFX_REFUSED = REAL / "ofxparse-checking.ofx"


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def test_camt053_sample_counts_and_totals() -> None:
    ns = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}
    root = ET.parse(CAMT).getroot()
    expected = []
    for stmt in root.findall(".//c:Stmt", ns):
        moves = [
            cents(n.find("c:Amt", ns).text)
            * (1 if n.find("c:CdtDbtInd", ns).text == "CRDT" else -1)
            for n in stmt.findall("c:Ntry", ns)
        ]
        expected.append((len(moves), sum(moves)))
    parsed = parse_file(CAMT)
    assert parsed.format is BankFormat.CAMT053
    got = [(len(s.lines), sum(ln.amount_cents for ln in s.lines)) for s in parsed.statements]
    assert got == expected == [(1, 885), (1, -700)]
    for stmt in parsed.statements:  # the bank's own balances agree with the lines we read
        assert stmt.opening_cents + sum(ln.amount_cents for ln in stmt.lines) == stmt.closing_cents
        assert stmt.account == "NL26VAYB8060476890" and stmt.closing_date == date(2014, 12, 31)
    credit = parsed.statements[0].lines[0]
    assert (credit.end_to_end, credit.remittance) == ("000000001", "Transaction Description 1")


_SIGN = {c: (1, d) for d, c in enumerate("{ABCDEFGHI")} | {
    c: (-1, d) for d, c in enumerate("}JKLMNOPQR")
}


def _cfonb_amount(field: str) -> int:
    sign, digit = _SIGN[field[-1]]
    return sign * int(field[:-1].replace(" ", "0") + str(digit))  # 2 decimals in this file


def test_cfonb120_sample_counts_and_totals() -> None:
    records = [line for line in CFONB.read_text().splitlines() if line.strip()]
    accounts: dict[str, dict[str, int]] = {}
    for rec in records:
        acc = accounts.setdefault(rec[21:32], {"moves": 0, "sum": 0})
        if rec.startswith("04"):
            acc["moves"] += 1
            acc["sum"] += _cfonb_amount(rec[90:104])
        elif rec.startswith("01"):
            acc["opening"] = _cfonb_amount(rec[90:104])
        elif rec.startswith("07"):
            acc["closing"] = _cfonb_amount(rec[90:104])
    parsed = parse_file(CFONB)
    assert parsed.format is BankFormat.CFONB120
    assert len(parsed.statements) == len(accounts) == 2
    for stmt, (number, acc) in zip(parsed.statements, accounts.items(), strict=True):
        assert number in stmt.account
        assert len(stmt.lines) == acc["moves"]
        assert sum(ln.amount_cents for ln in stmt.lines) == acc["sum"]
        assert (stmt.opening_cents, stmt.closing_cents) == (acc["opening"], acc["closing"])
    credits = [ln for s in parsed.statements for ln in s.lines if ln.amount_cents > 0]
    assert [(c.amount_cents, c.label) for c in credits] == [(9749, "PRLV SEPA GROUPAMA CEN")]
    first = parsed.statements[0].lines[0]
    assert first.payer == "INTERNET SFR" and "OTHER REFERENCE PURPOSE" in first.remittance


def test_cfonb_account_becomes_an_iban_with_the_rib_key_computed() -> None:
    stmt = parse_file(CFONB).statements[0]
    bank, branch, account = "15589", "00000", "98765432100"
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97  # French RIB key
    assert stmt.account[4:] == f"{bank}{branch}{account}{key:02d}"


@pytest.mark.parametrize("path", [OFX_SGML, OFX_XML])
def test_ofx_samples_counts_and_totals(path: Path) -> None:
    text = path.read_text()
    amounts = [cents(a) for a in re.findall(r"<TRNAMT>\s*([-0-9.]+)", text)]
    fitids = re.findall(r"<FITID>\s*([^<\s]+)", text)
    parsed = parse_file(path)
    assert parsed.format is BankFormat.OFX
    lines = [ln for s in parsed.statements for ln in s.lines]
    assert [ln.amount_cents for ln in lines] == amounts
    assert [ln.bank_ref for ln in lines] == fitids
    balance = re.search(r"<LEDGERBAL>\s*<BALAMT>\s*([-0-9.]+)", text)
    assert parsed.statements[0].closing_cents == cents(balance.group(1))


def test_ofx_refused_by_the_specification_is_one_clear_line() -> None:
    with pytest.raises(UserError) as err:
        parse_file(OFX_REFUSED)
    message = str(err.value)
    assert "\n" not in message and message.startswith("ofxparse-checking.ofx")
    assert "bankid" in message


def test_a_truncated_cfonb_file_is_refused_naming_the_line(tmp_path: Path) -> None:
    lines = CFONB.read_text().splitlines()
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(lines[: lines.index(next(x for x in lines if x.startswith("07")))]))
    with pytest.raises(UserError) as err:
        parse_file(cut)
    assert "cut.txt:1: 07:" in str(err.value) and "tronqué" in str(err.value)


def test_an_altered_cfonb_amount_breaks_the_balance_and_is_refused(tmp_path: Path) -> None:
    text = CFONB.read_text().replace("0000000000107}", "0000000000207}")
    bad = tmp_path / "bad.txt"
    bad.write_text(text)
    with pytest.raises(UserError) as err:
        parse_file(bad)
    assert re.search(r"bad\.txt:\d+: solde: solde final", str(err.value))


def test_cfonb_without_line_breaks_is_cut_every_120_characters(tmp_path: Path) -> None:
    blob = "".join(x for x in CFONB.read_text().splitlines() if x.strip())
    flat = tmp_path / "flat.txt"
    flat.write_text(blob)
    assert [len(s.lines) for s in parse_file(flat).statements] == [3, 3]
    assert len(cfonb120.records(blob)) == len(blob) // 120 == 16


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(CAMT.read_text().replace("</Ntry>", "</Ntri>", 1))
    with pytest.raises(UserError, match=r"broken\.xml:\d+: XML illisible"):
        parse_file(broken)


def test_unknown_and_unsupported_formats_are_one_line(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("bonjour\nceci n'est pas un relevé\n")
    assert detect(other) is None
    with pytest.raises(UserError, match="format de relevé non reconnu"):
        parse_file(other)
    camt054 = tmp_path / "n.xml"
    camt054.write_text('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>')
    with pytest.raises(UserError, match=r"camt\.052/054"):
        parse_file(camt054)


BNP_CSV = (
    "Compte courant;FR76 3000 6000 0112 3456 7890 189\n"
    "\n"
    "Date opération;Libellé;Débit;Crédit;Tiers;Référence\n"
    "20/11/2026;VIR SEPA RECU DUPONT;;1 250,00;DUPONT ET FILS;FACT FA-1\n"
    "21/11/2026;PRLV SEPA EDF;80,50;;EDF;\n"
    "21/11/2026;VIR SEPA RECU MARTIN;;99,99;MARTIN;\n"
)


def test_bank_csv_french_numbers_debit_credit_and_the_account_above_the_header(
    tmp_path: Path,
) -> None:
    path = tmp_path / "releve.csv"
    path.write_bytes(BNP_CSV.encode("cp1252"))
    parsed = parse_file(path)
    assert parsed.format is BankFormat.CSV
    (stmt,) = parsed.statements
    assert stmt.account == "FR7630006000011234567890189"
    assert stmt.closing_date == date(2026, 11, 21)  # its last booking date
    assert [ln.amount_cents for ln in stmt.lines] == [125000, -8050, 9999]
    assert stmt.lines[0].payer == "DUPONT ET FILS" and stmt.lines[0].remittance == "FACT FA-1"


def test_bank_csv_signed_amount_status_and_given_account(tmp_path: Path) -> None:
    path = tmp_path / "qonto.csv"
    path.write_text(
        "Settlement date (UTC),Counterparty name,Amount,Currency,Status,Reference,Transaction ID\n"
        "2026-11-20,Dupont SARL,1250.00,EUR,settled,FA-1,tx-1\n"
        "2026-11-21,Martin,99.00,EUR,pending,FA-2,tx-2\n"
        "2026-11-22,EDF,-80.50,EUR,settled,,tx-3\n"
    )
    with pytest.raises(UserError, match="--account"):
        parse_file(path)
    (stmt,) = parse_file(path, account="FR76 3000 6000 0112 3456 7890 189").statements
    assert [(ln.amount_cents, ln.bank_ref) for ln in stmt.lines] == [
        (125000, "tx-1"),
        (-8050, "tx-3"),
    ]


def test_bank_csv_bad_amount_lists_file_line_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Date;Libellé;Montant\n20/11/2026;VIR;12,5,0\n21/11/2026;VIR;10,00\n")
    with pytest.raises(UserError) as err:
        parse_file(path, account="FR7630006000011234567890189")
    assert "bad.csv:2: Montant: montant invalide" in str(err.value)
