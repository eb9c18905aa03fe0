"""OFX statements (v1 SGML and v2 XML) through ofxparse (MIT), checked against the specification.

ofxparse reads leniently (BeautifulSoup with Python's own `html.parser`: no DTD, no external
entity, no network; an entity a file declares is left as text). What relance relies on is checked
here as strictly as the OFX specification says, so a broken file is refused on one line rather
than half read: the header and its character set, an OFX 2 file well-formed (lxml, entities and
network off), every aggregate closed (a cut file), CURDEF a known currency, ACCTID / BANKID /
BRANCHID / FITID within their lengths, DTSTART/DTEND, LEDGERBAL, and each STMTTRN's TRNTYPE,
DTPOSTED, TRNAMT (a number) and FITID present.

A French account (5-digit BANKID and BRANCHID, 11-character ACCTID) is named by its IBAN; other
accounts by `BANKID-ACCTID`. The statement reaches the end of its transaction list (`DTEND`).
`FITID` is the bank's unique reference of a line; `NAME` the counterparty; `MEMO` the remittance.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from assistant.bank.accounts import iban_from_rib
from assistant.bank.model import BankLine, Statement
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.money import parse_amount

_RETURN_WORDS = re.compile(r"\b(RETOUR|REJET|IMPAYE|RETURN(ED)?|REVERSAL)\b", re.IGNORECASE)
_V1_CODECS = {"ISO-8859-1": "latin_1", "8859-1": "latin_1", "1252": "cp1252", "NONE": "utf_8"}
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([\w.-]+)["']""", re.IGNORECASE)
_OFX_START = re.compile(r"<OFX>", re.IGNORECASE)
_AMOUNT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
# Aggregates relance reads: each must be closed, in SGML too (only elements may be left open).
_AGGREGATES = ("OFX", "STMTRS", "CCSTMTRS", "BANKTRANLIST", "STMTTRN", "LEDGERBAL")
# Maximum lengths of the OFX specification (A-n) for the identifiers relance keeps.
_MAX_LEN = {"bankid": 9, "branchid": 22, "acctid": 22, "fitid": 255, "refnum": 32}


class OfxRefused(Exception):
    """A specification rule the file breaks, with the line of the tag if known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.line = line


def looks_like(head: bytes) -> bool:
    return b"OFXHEADER" in head or b"<OFX>" in head.upper()


_ZONE = re.compile(r"\[[^\]]*\]$")  # `[+1:CET]`: the zone of a date-time


def _day(value: datetime | date | str | None) -> date | None:
    if not value or isinstance(value, str):  # ofxparse leaves "" for an absent date
        return None
    return value.date() if isinstance(value, datetime) else value


def _cents(value: Decimal) -> int:
    return parse_amount(value)


def parse(data: bytes, name: str) -> list[Statement]:
    try:
        body, offset = _body(data)
        accounts = _read(body, offset)
    except OfxRefused as exc:
        reason = " ".join(str(exc).split())[:200]
        if exc.line:
            raise UserError(
                tr("{f}:{n}: OFX illisible : {e}", "{f}:{n}: unreadable OFX: {e}",
                   f=name, n=exc.line, e=reason)
            ) from None  # fmt: skip
        raise UserError(
            tr("{f} : OFX illisible : {e}", "{f}: unreadable OFX: {e}", f=name, e=reason)
        ) from None
    statements = [_statement(account) for account in accounts]
    if not statements:
        raise UserError(tr("{f} : aucun relevé OFX", "{f}: no OFX statement", f=name))
    return statements


def _body(data: bytes) -> tuple[str, int]:
    """The decoded text from `<OFX>` on, and the number of lines before it in the file."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data.lstrip()
    if head.startswith(b"<?xml"):  # OFX 2: XML, UTF-8 unless declared otherwise
        _well_formed(data)
        declared = _XML_ENCODING.match(head)
        codec = declared.group(1).decode("ascii") if declared else "utf_8"
    elif head.upper().startswith(b"OFXHEADER"):
        codec = _v1_codec(head[: head.find(b"<")] if b"<" in head else head)
    else:
        codec = "utf_8"  # no header: UTF-8, as for OFX 2
    try:
        text = data.decode(codec)
    except LookupError:
        raise OfxRefused(tr("encodage inconnu : {c}", "unknown encoding: {c}", c=codec)) from None
    except UnicodeDecodeError as exc:
        raise OfxRefused(
            tr("octet {b} invalide en {c} (encodage de l'en-tête ?)",
               "byte {b} is not valid {c} (the header's encoding?)",
               b=hex(data[exc.start]), c=codec),
            data.count(b"\n", 0, exc.start) + 1,
        ) from None  # fmt: skip
    start = _OFX_START.search(text)
    if start is None:
        raise OfxRefused(tr("balise <OFX> absente", "no <OFX> tag"))
    body = text[start.start() :]
    for tag in _AGGREGATES:
        opened = len(re.findall(rf"<{tag}>", body, re.IGNORECASE))
        closed = len(re.findall(rf"</{tag}>", body, re.IGNORECASE))
        if opened != closed:
            raise OfxRefused(
                tr("{t} : {o} ouvert(s), {c} fermé(s) (fichier tronqué ?)",
                   "{t}: {o} opened, {c} closed (truncated file?)", t=tag, o=opened, c=closed)
            )  # fmt: skip
    return body, text.count("\n", 0, start.start())


def _v1_codec(header: bytes) -> str:
    """OFX 1 header lines `KEY:VALUE`; ENCODING and CHARSET name the body's codec."""
    fields: dict[str, str] = {}
    for raw in header.decode("ascii", "replace").splitlines():
        if not raw.strip():
            continue
        key, sep, value = raw.partition(":")
        if not sep or not key.strip().isalpha():
            raise OfxRefused(tr("en-tête OFX invalide : {l!r}", "bad OFX header: {l!r}", l=raw))
        fields[key.strip().upper()] = value.strip().upper()
    if fields.get("ENCODING", "USASCII") in ("UTF-8", "UNICODE"):
        return "utf_8"
    charset = fields.get("CHARSET", "NONE")
    if charset not in _V1_CODECS:
        raise OfxRefused(tr("CHARSET inconnu : {c}", "unknown CHARSET: {c}", c=charset))
    return _V1_CODECS[charset]


def _well_formed(data: bytes) -> None:
    from lxml import etree  # the same safe settings as CAMT.053

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OfxRefused(tr("XML : {e}", "XML: {e}", e=exc.msg), exc.lineno or 1) from None


def _read(body: str, offset: int) -> list[Any]:
    """ofxparse's bank and card accounts, each with its statement (the checks run as it reads)."""
    parser = _parser(offset)
    # ofxparse reads an OFX 1 header for its codec: hand it the body already decoded, in UTF-8.
    handle = io.BytesIO(("ENCODING:UTF-8\n\n" + body).encode("utf-8"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # ofxparse calls bs4's findAll
            ofx = parser.parse(handle, fail_fast=True)
    except OfxRefused:
        raise
    except Exception as exc:  # ofxparse raises many types; every one means "unreadable"
        raise OfxRefused(" ".join(str(exc).split()) or type(exc).__name__) from None
    return [a for a in ofx.accounts if a.statement is not None]


def _parser(offset: int) -> Any:
    from ofxparse import OfxParser  # loaded only for an OFX file
    from ofxparse.ofxparse import AccountType

    def where(tag: Any) -> int | None:
        line = getattr(tag, "sourceline", None)
        return line - 2 + offset if line else None  # 2: the ENCODING line handed to ofxparse

    def text(agg: Any, tag: str, *, required: bool = False, what: str = "") -> str | None:
        node = agg.find(tag)
        value = node.get_text().strip() if node is not None else ""
        if required and not value:
            raise OfxRefused(
                tr("{w}.{t} absent", "{w}.{t} missing", w=what or agg.name.upper(), t=tag),
                where(node or agg),
            )
        limit = _MAX_LEN.get(tag)
        if limit and len(value) > limit:
            raise OfxRefused(
                tr("{w}.{t} {v!r} : plus de {n} caractères (spécification OFX)",
                   "{w}.{t} {v!r}: longer than {n} characters (OFX specification)",
                   w=what or agg.name.upper(), t=tag, v=value, n=limit),
                where(node),
            )  # fmt: skip
        return value or None

    def moment(agg: Any, tag: str, *, required: bool = True) -> None:
        value = text(agg, tag, required=required)
        try:
            if value:
                _Strict.parseOfxDateTime(value)
        except ValueError:
            raise OfxRefused(
                tr("{w}.{t} n'est pas une date : {v!r}", "{w}.{t} is not a date: {v!r}",
                   w=agg.name.upper(), t=tag, v=value),
                where(agg.find(tag)),
            ) from None  # fmt: skip

    def amount(agg: Any, tag: str) -> None:
        value = text(agg, tag, required=True)
        if not _AMOUNT.fullmatch(value or ""):
            node = agg.find(tag)
            raise OfxRefused(
                tr("{w}.{t} n'est pas un montant : {v!r}", "{w}.{t} is not an amount: {v!r}",
                   w=agg.name.upper(), t=tag, v=value),
                where(node),
            )  # fmt: skip

    class _Strict(OfxParser):  # type: ignore[misc]
        @classmethod
        def parseAcctinfors(cls, acctinfors_ofx: Any, ofx: Any) -> list[Any]:
            return []  # account lists (ACCTINFORS) carry no statement

        @classmethod
        def parseInvstmtrs(cls, invstmtrs_list: Any) -> list[Any]:
            return []  # investment statements carry no bank lines

        @classmethod
        def parseStmtrs(cls, stmtrs_list: Any, account_type: Any) -> list[Any]:
            for stmtrs in stmtrs_list:
                _check_statement(stmtrs, account_type == AccountType.CreditCard)
            accounts = super().parseStmtrs(stmtrs_list, account_type)
            for account, stmtrs in zip(accounts, stmtrs_list, strict=True):
                account.curdef = text(stmtrs, "curdef")
            return accounts

        @classmethod
        def parseOfxDateTime(cls, ofx_date_time: str) -> Any:
            # The bank's own calendar day: ofxparse turns `20261201000000[+1:CET]` into UTC,
            # 2026-11-30 23:00, which would book a payment on the day before.
            return super().parseOfxDateTime(_ZONE.sub("", ofx_date_time.strip()))

        @classmethod
        def parseTransaction(cls, txn_ofx: Any) -> Any:
            text(txn_ofx, "trntype", required=True)
            text(txn_ofx, "fitid", required=True)
            moment(txn_ofx, "dtposted")
            moment(txn_ofx, "dtavail", required=False)
            amount(txn_ofx, "trnamt")
            transaction = super().parseTransaction(txn_ofx)
            available = text(txn_ofx, "dtavail")
            transaction.dtavail = cls.parseOfxDateTime(available) if available else None
            transaction.refnum = text(txn_ofx, "refnum")
            other = txn_ofx.find("currency")  # ORIGCURRENCY: the amount is still in CURDEF
            transaction.cursym = text(other, "cursym") if other is not None else None
            transaction.line = where(txn_ofx)
            return transaction

    def _check_statement(stmtrs: Any, card: bool) -> None:
        from babel.numbers import list_currencies

        currency = text(stmtrs, "curdef", required=True) or ""
        if currency.upper() not in list_currencies():
            raise OfxRefused(
                tr("{w}.curdef {v!r} : devise inconnue", "{w}.curdef {v!r}: unknown currency",
                   w=stmtrs.name.upper(), v=currency),
                where(stmtrs.find("curdef")),
            )  # fmt: skip
        acct = stmtrs.find("ccacctfrom" if card else "bankacctfrom")
        if acct is None:
            raise OfxRefused(tr("compte absent", "account missing"), where(stmtrs))
        what = acct.name.upper()
        if not card:
            text(acct, "bankid", required=True, what=what)
            text(acct, "branchid", what=what)
        text(acct, "acctid", required=True, what=what)
        tranlist = stmtrs.find("banktranlist")
        if tranlist is not None:
            moment(tranlist, "dtstart")
            moment(tranlist, "dtend")
        ledger = stmtrs.find("ledgerbal")
        if ledger is None:
            raise OfxRefused(
                tr("{w}.ledgerbal absent", "{w}.ledgerbal missing", w=stmtrs.name.upper()),
                where(stmtrs),
            )
        amount(ledger, "balamt")
        moment(ledger, "dtasof")

    return _Strict


def _account(account: Any) -> str:
    bank = (account.routing_number or "").strip()
    branch = (account.branch_id or "").strip()
    number = (account.account_id or "").replace(" ", "")
    if len(bank) == 5 and len(branch) == 5 and len(number) in (11, 13):
        iban = iban_from_rib(bank, branch, number[:11])
        if iban:
            return iban
    return f"{bank}-{number}" if bank else number


def _statement(account: Any) -> Statement:
    stmt = account.statement
    currency = (account.curdef or "").upper()
    lines = [_line(i, tx, currency) for i, tx in enumerate(stmt.transactions, 1)]
    balance = getattr(stmt, "balance", None)
    closing_day = (
        _day(stmt.end_date)
        or _day(getattr(stmt, "balance_date", None))
        or max((ln.booking_date for ln in lines), default=None)
    )
    return Statement(
        account=_account(account),
        currency=currency,
        closing_date=closing_day or date.min,
        lines=lines,
        opening_date=_day(stmt.start_date),
        closing_cents=_cents(balance) if balance is not None else None,
    )


def _line(index: int, tx: Any, currency: str) -> BankLine:
    name = (tx.payee or "").strip() or None
    memo = (tx.memo or "").strip()
    cents = _cents(tx.amount)
    return BankLine(
        line=index,
        booking_date=_day(tx.date) or date.min,
        value_date=_day(tx.dtavail),
        amount_cents=cents,
        currency=(tx.cursym or currency).upper(),
        label=name or memo,
        payer=name,
        remittance=" ".join(p for p in (memo, tx.refnum or "") if p),
        bank_ref=tx.id or None,
        reversal=cents < 0 and bool(_RETURN_WORDS.search(f"{name or ''} {memo}")),
        kind_code=(tx.type or "").upper() or None,
    )
