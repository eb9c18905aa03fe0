"""The demo company's bank statement (CAMT.053) for the demo day, imported like a real one.

Five customer transfers, chosen among the demo's open invoices: one that matches exactly (its
number and amount: applied by policy), one paying two invoices of a customer (both numbers, the
exact sum: applied), one partial payment (waits for a person), one with a garbled reference
(the payer's name and the amount point to the invoice: waits for a person), one unrelated
credit (an insurance refund: no invoice); plus two debits (ignored). The file is written to
`<home>/releves/` so a person can open it, then imported with the clock on the demo day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from schwifty import IBAN

from assistant.bank.importer import BankImportReport, import_statement
from assistant.bank.policy import load_bank_policy
from assistant.demo.catalog import COMPANY
from assistant.storage import demo_repo
from assistant.storage.db import Store
from assistant.storage.demo_repo import UntouchedInvoice

FILE = "releves/demo-camt053.xml"


def _payer_iban(seed: int) -> str:
    return IBAN.generate("FR", bank_code="3000400821", account_code=f"{seed:011d}").compact


def _before(as_of: date, business_days: int) -> date:
    day = as_of
    while business_days:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            business_days -= 1
    return day


def _garble(number: str) -> str:
    """`FA-2026-0410` -> `FACT 2026O41` (dash lost, a zero typed as O, the last digit dropped)."""
    digits = "".join(c for c in number if c.isdigit())
    return f"FACT {digits[:4]}{digits[4:-1].replace('0', 'O', 1)}"


def _pick(store: Store, as_of: date) -> list[UntouchedInvoice]:
    """Open, untouched invoices due by the next ten days, of customers one may contact and who
    made no promise: the most recent first."""
    return demo_repo.untouched_invoices(store, as_of + timedelta(days=10))


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def transfers(store: Store, as_of: date) -> list[dict]:
    """The five credits (amount, payer, IBAN, remittance, booking day), from the demo's data."""
    rows = _pick(store, as_of)
    by_customer: dict[str, list[UntouchedInvoice]] = {}
    for row in rows:
        by_customer.setdefault(row.customer_id, []).append(row)
    pairs = [cid for cid, items in by_customer.items() if len(items) >= 2]
    two = pairs[0] if pairs else None
    singles = [by_customer[cid][0] for cid in by_customer if cid != two]
    makers = (
        lambda r: {"cents": r.outstanding_cents, "payer": r.customer_name.upper(),
                   "iban": _payer_iban(1), "text": f"REGLEMENT FACTURE {r.number}", "days": 3},
        lambda r: {"cents": max(r.outstanding_cents * 40 // 10000 * 100, 100),
                   "payer": r.customer_name.upper(), "iban": _payer_iban(3),
                   "text": f"ACOMPTE {r.number}", "days": 2},
        lambda r: {"cents": r.outstanding_cents, "payer": r.customer_name.upper(),
                   "iban": _payer_iban(4), "text": _garble(r.number), "days": 1},
    )  # fmt: skip
    out = [make(row) for make, row in zip(makers, singles, strict=False)]  # fewer if few open
    if two is not None:
        first, second = by_customer[two][:2]
        out.insert(1, {
            "cents": first.outstanding_cents + second.outstanding_cents,
            "payer": first.customer_name.upper(), "iban": _payer_iban(2),
            "text": f"FACTURES {first.number} ET {second.number}", "days": 2,
        })  # fmt: skip
    taken = {r.outstanding_cents for r in rows}
    refund = 187_43
    while refund in taken:
        refund += 1
    out.append({"cents": refund, "payer": "AXA FRANCE IARD", "iban": _payer_iban(5),
                "text": "REMBOURSEMENT SINISTRE 2026-118", "days": 1})  # fmt: skip
    for t in out:
        t["day"] = _before(as_of, t["days"])
    return out


def _entry(n: int, cents: int, credit: bool, day: date, party: str, iban: str, text: str) -> str:
    side, account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{_money(cents)}</Amt>
        <CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>
        <ValDt><Dt>{day.isoformat()}</Dt></ValDt>
        <AcctSvcrRef>DEMO{day:%Y%m%d}{n:04d}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{"RCDT" if credit else "ICDT"}</Cd>
          <SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-DEMO-{n:04d}</EndToEndId></Refs>
          <RltdPties><{side}><Nm>{escape(party)}</Nm></{side}>
            <{account}><Id><IBAN>{iban}</IBAN></Id></{account}></RltdPties>
          <RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def statement_xml(store: Store, as_of: date) -> str:
    credits = transfers(store, as_of)
    debits = [
        (4_90, _before(as_of, 2), "BANQUE", "FRAIS TENUE DE COMPTE"),
        (1_250_00, _before(as_of, 1), "URSSAF RHONE ALPES", "PRLV URSSAF COTISATIONS"),
    ]
    entries = [
        _entry(i, t["cents"], True, t["day"], t["payer"], t["iban"], t["text"])
        for i, t in enumerate(credits, 1)
    ]
    entries += [
        _entry(10 + i, cents, False, day, party, _payer_iban(20 + i), text)
        for i, (cents, day, party, text) in enumerate(debits)
    ]
    total_in = sum(t["cents"] for t in credits)
    total_out = sum(d[0] for d in debits)
    opening = 48_215_37
    closing = opening + total_in - total_out
    iban = IBAN(COMPANY.iban).compact
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>DEMO-{as_of:%Y%m%d}</MsgId><CreDtTm>{as_of.isoformat()}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>DEMO-STMT-{as_of:%Y%m%d}</Id>
      <CreDtTm>{as_of.isoformat()}T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{_money(opening)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{_before(as_of, 3).isoformat()}</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{_money(closing)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{as_of.isoformat()}</Dt></Dt></Bal>{"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def add_demo_statement(store: Store, home: Path, as_of: date) -> BankImportReport:
    path = home / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(statement_xml(store, as_of), encoding="utf-8")
    original = store.clock
    store.clock = lambda: datetime.combine(as_of, time(17, 0, tzinfo=UTC))
    try:
        return import_statement(store, path, load_bank_policy(home), actor="demo")
    finally:
        store.clock = original
