"""CAMT.053 (ISO 20022 BankToCustomerStatement, versions 001.02 to 001.13) with lxml.

No maintained Python parser was sound enough (pycamt turns balances into floats and loses which
statement a line belongs to), so this reads the ISO 20022 elements directly, whatever the
namespace version (`{*}` paths). Only booked entries (`Sts` BOOK, or no status) count; an entry
whose details list several transactions with their own amounts (batch booking) gives one line
per transaction. A `RvslInd` true, or return information (`RtrInf`), marks a reversal.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.bank.accounts import compact_iban
from assistant.bank.model import BankLine, Statement
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports.rows import Problems
from assistant.money import AmountError, parse_amount

if TYPE_CHECKING:
    from lxml import etree

_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)


def looks_like(head: bytes) -> bool:
    return b"BkToCstmrStmt" in head


@lru_cache(maxsize=256)
def _ns(path: str) -> str:
    return "/".join(part if part in (".", "..") else "{*}" + part for part in path.split("/"))


def _text(node: etree._Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(_ns(path))
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _texts(node: etree._Element, path: str) -> list[str]:
    return [e.text.strip() for e in node.iterfind(_ns(path)) if e.text and e.text.strip()]


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _date_of(node: etree._Element | None) -> date | None:
    """`<Dt>` or `<DtTm>` inside a date choice (BookgDt, ValDt, Bal/Dt)."""
    return _day(_text(node, "Dt")) or _day(_text(node, "DtTm"))


def parse(data: bytes, name: str) -> list[Statement]:
    from lxml import etree  # loaded only for an XML statement

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UserError(
            tr(
                "{f}:{n}: XML illisible ({e})",
                "{f}:{n}: unreadable XML ({e})",
                f=name,
                n=exc.lineno or 1,
                e=exc.msg,
            )
        ) from None
    problems = Problems(name)
    statements = [
        _statement(stmt, name, problems) for stmt in root.iterfind(".//{*}BkToCstmrStmt/{*}Stmt")
    ]
    problems.raise_if_any(sum(len(s.lines) for s in statements))
    if not statements:
        raise UserError(
            tr("{f} : aucun relevé (Stmt) dans ce CAMT.053", "{f}: no statement (Stmt)", f=name)
        )
    return statements


def _amount(node: etree._Element, problems: Problems, what: str) -> int | None:
    text = (node.text or "").strip()
    try:
        cents = parse_amount(text)
    except AmountError:
        message = tr("montant illisible : {v!r}", "bad amount: {v!r}", v=text)
        problems.add(node.sourceline or 0, what, message)
        return None
    return cents


def _signed(node: etree._Element, cents: int) -> int:
    return -cents if _text(node, "CdtDbtInd") == "DBIT" else cents


def _statement(stmt: etree._Element, name: str, problems: Problems) -> Statement:
    acct = stmt.find(_ns("Acct"))
    raw_account = _text(acct, "Id/IBAN") or _text(acct, "Id/Othr/Id")
    if raw_account is None:
        problems.add(stmt.sourceline or 0, "Acct", tr("compte absent", "account missing"))
        raw_account = "?"
    account = compact_iban(raw_account) or raw_account.replace(" ", "")
    currency = _text(acct, "Ccy")
    opening = closing = None
    opening_date = closing_date = None
    for bal in stmt.iterfind(_ns("Bal")):
        code = _text(bal, "Tp/CdOrPrtry/Cd")
        amt = bal.find(_ns("Amt"))
        if code not in _OPENING + _CLOSING or amt is None:
            continue
        cents = _amount(amt, problems, "Bal/Amt")
        signed = None if cents is None else _signed(bal, cents)
        currency = currency or amt.get("Ccy")
        if code in _OPENING:
            opening, opening_date = signed, _date_of(bal.find(_ns("Dt")))
        else:
            closing, closing_date = signed, _date_of(bal.find(_ns("Dt")))
    lines: list[BankLine] = []
    for entry in stmt.iterfind(_ns("Ntry")):
        lines.extend(_entry_lines(entry, currency or "EUR", problems))
    to_date = _day(_text(stmt, "FrToDt/ToDtTm")) or _day(_text(stmt, "FrToDt/ToDt"))
    closing_day = (
        closing_date
        or to_date
        or max((ln.booking_date for ln in lines), default=None)
        or _day(_text(stmt, "CreDtTm"))
    )
    if closing_day is None:
        problems.add(stmt.sourceline or 0, "Bal", tr("date de clôture absente", "no closing date"))
        closing_day = date.min
    return Statement(
        account=account,
        currency=currency or "EUR",
        closing_date=closing_day,
        lines=lines,
        opening_date=opening_date,
        opening_cents=opening,
        closing_cents=closing,
        reference=_text(stmt, "Id"),
    )


def _entry_lines(entry: etree._Element, currency: str, problems: Problems) -> list[BankLine]:
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
    if status not in (None, "BOOK"):
        return []  # pending or information only: not booked yet
    where = entry.sourceline or 0
    amt = entry.find(_ns("Amt"))
    booked = _date_of(entry.find(_ns("BookgDt")))
    if amt is None or booked is None:
        problems.add(where, "Ntry", tr("montant ou date de comptabilisation absent",
                                       "amount or booking date missing"))  # fmt: skip
        return []
    cents = _amount(amt, problems, "Ntry/Amt")
    if cents is None:
        return []
    common = {
        "booking_date": booked,
        "value_date": _date_of(entry.find(_ns("ValDt"))),
        "currency": amt.get("Ccy") or currency,
        "label": _text(entry, "AddtlNtryInf") or "",
        "reversal": (_text(entry, "RvslInd") or "").lower() == "true",
        "kind_code": _bank_code(entry),
    }
    entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    details = list(entry.iterfind(_ns("NtryDtls/TxDtls")))
    split = len(details) > 1 and all(_tx_amount(tx) is not None for tx in details)
    if split:
        shares = [_amount(_tx_amount(tx), problems, "TxDtls/Amt") for tx in details]  # type: ignore[arg-type]
        if any(s is None for s in shares) or sum(s or 0 for s in shares) != cents:
            split = False
    if not split:
        tx = details[0] if details else None
        return [_line(where, _signed(entry, cents), entry_ref, tx, common)]
    return [
        _line(
            (tx.sourceline or where),
            _signed(tx if tx.find(_ns("CdtDbtInd")) is not None else entry, share or 0),
            f"{entry_ref}#{i}" if entry_ref else None,
            tx,
            common,
        )
        for i, (tx, share) in enumerate(zip(details, shares, strict=True), 1)
    ]


def _tx_amount(tx: etree._Element) -> etree._Element | None:
    return tx.find(_ns("AmtDtls/TxAmt/Amt")) or tx.find(_ns("Amt"))


def _bank_code(entry: etree._Element) -> str | None:
    domain = _text(entry, "BkTxCd/Domn/Cd")
    if domain:
        family = _text(entry, "BkTxCd/Domn/Fmly/Cd") or ""
        sub = _text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd") or ""
        return "/".join(p for p in (domain, family, sub) if p)
    return _text(entry, "BkTxCd/Prtry/Cd")


def _line(
    where: int, signed: int, ref: str | None, tx: etree._Element | None, common: dict
) -> BankLine:
    credit = signed > 0
    party, account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
    payer = payer_iban = end_to_end = None
    remittance: list[str] = []
    reversal = common["reversal"]
    if tx is not None:
        payer = (
            _text(tx, f"RltdPties/{party}/Nm")
            or _text(tx, f"RltdPties/{party}/Pty/Nm")
            or _text(tx, f"RltdPties/Ultmt{party}/Nm")
        )
        payer_iban = _text(tx, f"RltdPties/{account}/Id/IBAN")
        end_to_end = _text(tx, "Refs/EndToEndId")
        if end_to_end == "NOTPROVIDED":
            end_to_end = None
        remittance += _texts(tx, "RmtInf/Ustrd")
        remittance += _texts(tx, "RmtInf/Strd/CdtrRefInf/Ref")
        remittance += _texts(tx, "RmtInf/Strd/RfrdDocInf/Nb")
        remittance += _texts(tx, "RmtInf/Strd/AddtlRmtInf")
        remittance += _texts(tx, "AddtlTxInf")
        ref = ref or _text(tx, "Refs/AcctSvcrRef")
        reversal = reversal or tx.find(_ns("RtrInf")) is not None
    return BankLine(
        line=where,
        amount_cents=signed,
        payer=payer,
        payer_iban=compact_iban(payer_iban) or payer_iban,
        remittance=" ".join(remittance),
        bank_ref=ref,
        end_to_end=end_to_end,
        **{**common, "reversal": reversal},
    )
