"""What a bank statement holds once parsed: accounts, closing dates, signed lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class BankFormat(StrEnum):
    CAMT053 = "camt053"
    CFONB120 = "cfonb120"
    OFX = "ofx"
    CSV = "csv"


class MatchStatus(StrEnum):
    """A credit's match: `proposed` waits for a person (and holds the invoices it may pay),
    `applied` became payments, `rejected` by a person, `unmatched` names no invoice,
    `reversed` the bank took the money back (returned transfer, unpaid cheque...)."""

    PROPOSED = "proposed"
    APPLIED = "applied"
    REJECTED = "rejected"
    UNMATCHED = "unmatched"
    REVERSED = "reversed"


# Who may move a match where (a person's decisions and the bank's reversals).
_S = MatchStatus
TRANSITIONS: dict[MatchStatus, frozenset[MatchStatus]] = {
    _S.PROPOSED: frozenset({_S.APPLIED, _S.REJECTED, _S.REVERSED}),
    _S.UNMATCHED: frozenset({_S.APPLIED, _S.REJECTED, _S.REVERSED}),
    _S.REJECTED: frozenset({_S.APPLIED, _S.REVERSED}),
    _S.APPLIED: frozenset({_S.PROPOSED, _S.REVERSED}),  # undo goes back to a person
    _S.REVERSED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class BankLine:
    """One booked line. `amount_cents` is signed (a credit is positive)."""

    line: int  # where it is in the file (line number, or entry number in an XML file)
    booking_date: date
    amount_cents: int
    currency: str
    label: str = ""
    value_date: date | None = None
    payer: str | None = None  # the counterparty's name (the payer of a credit)
    payer_iban: str | None = None
    remittance: str = ""  # remittance information (free text and structured reference)
    bank_ref: str | None = None  # the bank's own unique reference, when it gives one
    end_to_end: str | None = None
    reversal: bool = False  # the bank says it reverses an earlier line
    kind_code: str | None = None  # bank transaction code (CAMT BkTxCd, CFONB, OFX TRNTYPE)

    @property
    def is_credit(self) -> bool:
        return self.amount_cents > 0


@dataclass(frozen=True)
class Statement:
    """One account's statement: its lines and the day up to which it reaches."""

    account: str  # IBAN (compact) when known, else the bank's account id
    currency: str
    closing_date: date
    lines: list[BankLine] = field(default_factory=list)
    opening_date: date | None = None
    opening_cents: int | None = None
    closing_cents: int | None = None
    reference: str | None = None


@dataclass(frozen=True)
class ParsedFile:
    name: str
    sha256: str
    format: BankFormat
    statements: list[Statement]
