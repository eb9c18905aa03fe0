"""Importing statements: all-or-nothing, idempotent, dry runs, reversals, a person's decisions
(apply, reassign, reject, undo) with their history, and the holds they set or lift."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from schwifty import IBAN

from assistant.errors import UserError
from assistant.service import Service
from assistant.storage.db import Store
from tests.unit.bank_builders import ACCOUNT, statement
from tests.unit.rules_builders import add_customer, add_invoice

DAY = date(2026, 11, 20)
DUE = date(2026, 11, 1)
TABLES = (
    "bank_statements", "bank_lines", "payment_matches", "match_candidates", "match_allocations",
    "payments", "events", "invoices", "customer_bank_accounts",
)  # fmt: skip


def dump(store: Store) -> dict[str, list]:  # type: ignore[type-arg]
    return {t: store.query(f"SELECT * FROM {t} ORDER BY rowid") for t in TABLES}


@pytest.fixture
def books(service: Service) -> Service:
    add_customer(service.store, "C1", name="Dupont & Fils SARL")
    add_customer(service.store, "C2", name="Martin SAS")
    add_invoice(service.store, "FA-1", DUE, 1_250_00, cid="C1")
    add_invoice(service.store, "FA-2", DUE, 500_00, cid="C1")
    add_invoice(service.store, "FA-3", DUE, 800_00, cid="C2")
    return service


ROWS = [
    (DAY, "1 250,00", "DUPONT ET FILS", "FACT FA-1"),
    (DAY, "300,00", "MARTIN", "acompte FA-3"),
    (DAY + timedelta(days=1), "-80,00", "EDF", "PRLV"),
]


def test_the_same_statement_twice_adds_nothing(books: Service, tmp_path: Path) -> None:
    path = statement(tmp_path / "r.csv", ROWS)
    first = books.import_bank(path)
    assert (first.added, first.applied, first.proposed) == (3, 1, 1)
    before = dump(books.store)
    again = books.import_bank(path)
    assert (again.added, again.unchanged, again.applied) == (0, 3, 0)
    after = dump(books.store)
    assert {t: v for t, v in after.items() if t != "events"} == {
        t: v for t, v in before.items() if t != "events"
    }
    # the same lines in another export of the period (new file) are recognised too
    other = statement(tmp_path / "r2.csv", [*ROWS, (DAY + timedelta(days=2), "10,00", "X", "")])
    third = books.import_bank(other)
    assert (third.added, third.unchanged) == (1, 3)
    assert books.store.scalar("SELECT count(*) FROM payments") == 1


def test_a_dry_run_writes_nothing(books: Service, tmp_path: Path) -> None:
    before = dump(books.store)
    report = books.import_bank(statement(tmp_path / "r.csv", ROWS), dry_run=True)
    assert report.dry_run and (report.added, report.applied) == (3, 1)
    assert dump(books.store) == before


def test_a_refused_file_leaves_the_database_unchanged(books: Service, tmp_path: Path) -> None:
    path = statement(tmp_path / "r.csv", ROWS)
    path.write_text(path.read_text() + "21/11/2026;VIR;12,5,0;X;;FA-2\n")
    before = dump(books.store)
    with pytest.raises(UserError, match=r"r\.csv:7: Montant"):
        books.import_bank(path)
    assert dump(books.store) == before


def test_a_returned_transfer_reopens_what_it_paid(books: Service, tmp_path: Path) -> None:
    books.import_bank(statement(tmp_path / "r.csv", ROWS[:1]))
    assert books.invoice("FA-1").status.value == "paid"
    back = [(DAY + timedelta(days=3), "-1 250,00", "DUPONT ET FILS", "RETOUR VIR IMPAYE FA-1")]
    path = statement(tmp_path / "retour.csv", back)
    csv = path.read_text().replace("VIR SEPA DUPONT", "RETOUR VIREMENT REJET DUPONT")
    path.write_text(csv)
    report = books.import_bank(path)
    assert report.reversals == 0  # a CSV says nothing of returns: a debit is a debit
    # a CAMT statement flags it (RvslInd): the credit is taken back
    camt = tmp_path / "retour.xml"
    camt.write_text(_camt_reversal(1_250_00, DAY + timedelta(days=3)))
    report = books.import_bank(camt)
    assert report.reversals == 1 and report.reopened == ["FA-1"]
    invoice = books.invoice("FA-1")
    assert invoice.status.value == "open" and invoice.outstanding_cents == 1_250_00
    assert books.matches("reversed")[0].shown.customer_id == "C1"
    kinds = [e["kind"] for e in books.store.events(invoice_number="FA-1")]
    assert kinds.count("payment.recorded") == 1 and "payment.removed" in kinds


def _camt_reversal(cents: int, day: date) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>R1</Id><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">{cents // 100}.{cents % 100:02d}</Amt><CdtDbtInd>DBIT</CdtDbtInd>
<RvslInd>true</RvslInd><Sts>BOOK</Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>
<AcctSvcrRef>RET-1</AcctSvcrRef><AddtlNtryInf>RETOUR VIREMENT</AddtlNtryInf></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_a_person_reassigns_rejects_and_undoes_with_history_kept(
    books: Service, tmp_path: Path
) -> None:
    books.import_bank(statement(tmp_path / "r.csv", ROWS))
    proposed = books.matches("proposed")[0]
    assert proposed.shown.allocations == [("FA-3", 300_00)]
    with pytest.raises(UserError, match="un seul client"):
        books.apply_match(proposed.id, ["FA-3", "FA-2"])
    view = books.apply_match(proposed.id, ["FA-2"])
    assert view.status.value == "applied" and view.shown.allocations == [("FA-2", 300_00)]
    assert {e["code"] for e in view.shown.evidence} == {"chosen_by_person"}
    assert books.invoice("FA-2").outstanding_cents == 200_00
    undone = books.undo_match(proposed.id)
    assert undone.status.value == "proposed"
    assert books.invoice("FA-2").outstanding_cents == 500_00
    rejected = books.reject_match(proposed.id, "virement d'un autre client")
    assert rejected.status.value == "rejected" and rejected.reason == "virement d'un autre client"
    kinds = [e["kind"] for e in books.store.events(kinds=("match.applied", "match.undone",
             "match.rejected", "payment.removed"))]  # fmt: skip
    assert kinds.count("match.applied") == 2  # the automatic one and the person's
    assert {"match.undone", "match.rejected", "payment.removed"} <= set(kinds)
    with pytest.raises(UserError, match="rapprochement inconnu"):
        books.apply_match(999)


def test_a_decided_match_lifts_the_hold(books: Service, tmp_path: Path) -> None:
    books.import_bank(statement(tmp_path / "r.csv", ROWS))
    day = DAY + timedelta(days=4)
    held = [a for a in books.plan(day).actions if a.step == "payment_match"]
    assert [(a.customer_id, a.invoices, a.requires_human) for a in held] == [
        ("C2", ("FA-3",), True)
    ]
    assert not [a for a in books.plan(day).actions if "FA-3" in a.invoices and not
                a.requires_human]  # fmt: skip
    books.reject_match(books.matches("proposed")[0].id)
    assert not [a for a in books.plan(day).actions if a.step == "payment_match"]


def test_the_payers_iban_is_learned_and_then_identifies_the_customer(
    books: Service, tmp_path: Path
) -> None:
    iban = IBAN.generate("FR", bank_code="3000400821", account_code="00000000001").compact
    books.import_bank(statement(tmp_path / "a.csv", ROWS[:1], iban=iban))
    assert books.store.query("SELECT customer_id FROM customer_bank_accounts") == [
        {"customer_id": "C1"}
    ]
    rows = [(DAY + timedelta(days=5), "500,00", "SOCIETE X", "paiement")]
    books.import_bank(statement(tmp_path / "b.csv", rows, iban=iban))
    m = books.matches("proposed")[-1]
    assert m.shown.customer_id == "C1" and "iban_known" in {e["code"] for e in m.shown.evidence}
