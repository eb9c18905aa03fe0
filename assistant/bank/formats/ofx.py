"""OFX statements (v1 SGML and v2 XML) through ofxtools, the maintained OFX library.

ofxtools validates against the OFX specification (types, lengths); a file it refuses is refused
with its reason on one line. A French account (5-digit BANKID and BRANCHID, 11-character
ACCTID) is named by its IBAN; other accounts by `BANKID-ACCTID`. The statement reaches the
end of its transaction list (`DTEND`), else the ledger balance date. `FITID` is the bank's
unique reference of a line; `NAME` the counterparty; `MEMO` the remittance text.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime
from decimal import Decimal

from assistant.bank.accounts import iban_from_rib
from assistant.bank.model import BankLine, Statement
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.money import parse_amount

_RETURN_WORDS = re.compile(r"\b(RETOUR|REJET|IMPAYE|RETURN(ED)?|REVERSAL)\b", re.IGNORECASE)


def looks_like(head: bytes) -> bool:
    return b"OFXHEADER" in head or b"<OFX>" in head.upper()


def _day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _cents(value: Decimal) -> int:
    return parse_amount(value)


def parse(data: bytes, name: str) -> list[Statement]:
    from ofxtools.Parser import OFXTree  # heavy: loaded only for an OFX file

    tree = OFXTree()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # private tags (<INTU.BID>...) are skipped
            tree.parse(io.BytesIO(data))
            ofx = tree.convert()
    except Exception as exc:  # ofxtools raises many types; every one means "unreadable"
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise UserError(
            tr("{f} : OFX illisible : {e}", "{f}: unreadable OFX: {e}", f=name, e=reason)
        ) from None
    statements = [_statement(stmt) for stmt in ofx.statements]
    if not statements:
        raise UserError(tr("{f} : aucun relevé OFX", "{f}: no OFX statement", f=name))
    return statements


def _account(stmt: object) -> str:
    acct = stmt.account  # type: ignore[attr-defined]
    bank = (getattr(acct, "bankid", None) or "").strip()
    branch = (getattr(acct, "branchid", None) or "").strip()
    number = (acct.acctid or "").replace(" ", "")
    if len(bank) == 5 and len(branch) == 5 and len(number) in (11, 13):
        iban = iban_from_rib(bank, branch, number[:11])
        if iban:
            return iban
    return f"{bank}-{number}" if bank else number


def _statement(stmt: object) -> Statement:
    tranlist = stmt.banktranlist  # type: ignore[attr-defined]
    ledger = getattr(stmt, "ledgerbal", None)
    lines = [_line(i, tx, stmt.curdef) for i, tx in enumerate(tranlist or (), 1)]  # type: ignore[attr-defined]
    closing_day = (
        _day(getattr(tranlist, "dtend", None))
        or _day(getattr(ledger, "dtasof", None))
        or max((ln.booking_date for ln in lines), default=None)
    )
    return Statement(
        account=_account(stmt),
        currency=stmt.curdef,  # type: ignore[attr-defined]
        closing_date=closing_day or date.min,
        lines=lines,
        opening_date=_day(getattr(tranlist, "dtstart", None)),
        closing_cents=_cents(ledger.balamt) if ledger is not None else None,
    )


def _line(index: int, tx: object, currency: str) -> BankLine:
    name = (getattr(tx, "name", None) or "").strip() or None
    memo = (getattr(tx, "memo", None) or "").strip()
    cents = _cents(tx.trnamt)  # type: ignore[attr-defined]
    return BankLine(
        line=index,
        booking_date=_day(tx.dtposted) or date.min,  # type: ignore[attr-defined]
        value_date=_day(getattr(tx, "dtavail", None)),
        amount_cents=cents,
        currency=(getattr(tx, "currency", None) and tx.currency.cursym) or currency,  # type: ignore[attr-defined]
        label=name or memo,
        payer=name,
        remittance=" ".join(p for p in (memo, getattr(tx, "refnum", None) or "") if p),
        bank_ref=getattr(tx, "fitid", None),
        reversal=cents < 0 and bool(_RETURN_WORDS.search(f"{name or ''} {memo}")),
        kind_code=getattr(tx, "trntype", None),
    )
