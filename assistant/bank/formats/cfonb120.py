"""CFONB 120 ("relevé AFB120"): French banks' fixed-width statement, read by its specification.

No maintained parser exists on PyPI (python-cfonb's last release is from 2021 and reads some
amounts as floats), so this follows the CFONB layout directly. Records of 120 characters:
`01` previous balance, `04` movement, `05` complement of the movement above (qualifier `NPY`
payer name, `LIB`/`LCC`/`LC2`/`LCS` labels, `RCN` remitter's reference, `REF` end-to-end
reference...), `07` new balance. Amounts: 14 characters, the last one carries the sign and the
last digit (`{`/`A`..`I` positive, `}`/`J`..`R` negative); the number of decimals is in the
record. Blank lines are skipped and files without line breaks are cut every 120 characters.
Each account's opening balance plus its movements must give its closing balance, or the file is
refused (a truncated or altered file).
"""

from __future__ import annotations

import re
from datetime import date

from assistant.bank.accounts import iban_from_rib
from assistant.bank.model import BankLine, Statement
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports.rows import Problems
from assistant.money import display_money

RECORD = 120
_POSITIVE = "{ABCDEFGHI"
_NEGATIVE = "}JKLMNOPQR"
_FIRST = re.compile(r"^01\d{5}")
_RETURN_WORDS = re.compile(r"\b(RETOUR|REJET|IMPAYE|RET VIR|REJ)\b")
_REMITTANCE = ("LIB", "LCC", "LC2", "LCS", "RCN", "REF")


def looks_like(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not _FIRST.match(first):
        return False
    width = len(first.rstrip("\r\n"))
    return 100 <= width <= RECORD + 2 or (width > RECORD and "\n" not in text.strip())


def records(text: str) -> list[tuple[int, str]]:
    """(line number, record padded to 120) for each non-blank record."""
    blob = text.strip("\r\n")
    if "\n" not in blob and len(blob) > RECORD:
        count = -(-len(blob) // RECORD)  # the last record may have lost its trailing spaces
        return [(i + 1, blob[i * RECORD : (i + 1) * RECORD].ljust(RECORD)) for i in range(count)]
    return [
        (n, line.rstrip("\r\n").ljust(RECORD))
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip()
    ]


def amount(field: str, decimals: int) -> int:
    """Signed cents of a CFONB amount field (14 characters, sign in the last one)."""
    last = field[-1]
    if last in _POSITIVE:
        sign, digit = 1, _POSITIVE.index(last)
    elif last in _NEGATIVE:
        sign, digit = -1, _NEGATIVE.index(last)
    else:
        raise ValueError(field)
    digits = field[:-1].replace(" ", "0") + str(digit)
    if not digits.isdigit():
        raise ValueError(field)
    value = int(digits)
    if decimals <= 2:
        return sign * value * 10 ** (2 - decimals)
    scale = 10 ** (decimals - 2)
    if value % scale:
        raise ValueError(field)
    return sign * value // scale


def _day(text: str) -> date:
    day, month, year = int(text[0:2]), int(text[2:4]), int(text[4:6])
    return date(2000 + year if year < 70 else 1900 + year, month, day)


class _Open:
    def __init__(self, line: int, rec: str, problems: Problems) -> None:
        self.line = line
        self.bank, self.branch, self.number = rec[2:7], rec[11:16], rec[21:32].strip()
        self.currency = rec[16:19].strip() or "EUR"
        self.decimals = int(rec[19]) if rec[19].isdigit() else 2
        self.opening_date = _field(problems, line, "date", rec[34:40], _day)
        self.opening = _field(problems, line, "montant", rec[90:104], self.amount)
        self.lines: list[dict] = []

    def amount(self, field: str) -> int:
        return amount(field, self.decimals)


def _field(problems: Problems, line: int, what: str, raw: str, parse):  # type: ignore[no-untyped-def]
    try:
        return parse(raw)
    except ValueError:
        problems.add(line, what, tr("valeur illisible : {v!r}", "unreadable value: {v!r}", v=raw))
        return None


def parse(text: str, name: str) -> list[Statement]:
    problems = Problems(name)
    statements: list[Statement] = []
    current: _Open | None = None
    for line, rec in records(text):
        code = rec[0:2]
        if code == "01":
            if current is not None:
                problems.add(line, "01", tr("relevé précédent non clos (07 manquant)",
                                            "previous statement not closed (no 07)"))  # fmt: skip
            current = _Open(line, rec, problems)
        elif current is None or rec[21:32].strip() != current.number:
            problems.add(line, code, tr("enregistrement hors d'un relevé (01 manquant)",
                                        "record outside a statement (no 01)"))  # fmt: skip
        elif code == "04":
            current.lines.append(_movement(line, rec, current, problems))
        elif code == "05":
            if not current.lines:
                problems.add(line, "05", tr("complément sans opération", "complement alone"))
            else:
                _complement(current.lines[-1], rec)
        elif code == "07":
            statements.append(_close(line, rec, current, problems))
            current = None
        else:
            problems.add(line, tr("code", "code"), tr("enregistrement inconnu : {c!r}",
                                                      "unknown record: {c!r}", c=code))  # fmt: skip
    if current is not None:
        message = tr(
            "relevé sans solde final (fichier tronqué ?)",
            "statement without closing balance (truncated?)",
        )
        problems.add(current.line, "07", message)
    problems.raise_if_any(sum(len(s.lines) for s in statements))
    if not statements:
        raise UserError(tr("{f} : aucun relevé CFONB", "{f}: no CFONB statement", f=name))
    return statements


def _movement(line: int, rec: str, current: _Open, problems: Problems) -> dict:
    label = rec[48:79].strip()
    return {
        "line": line,
        "booking_date": _field(problems, line, "date", rec[34:40], _day),
        "value_date": _field(problems, line, "date de valeur", rec[42:48], _day),
        "amount_cents": _field(problems, line, "montant", rec[90:104], current.amount),
        "label": label,
        "entry": rec[81:88].strip(),
        "reference": rec[104:120].strip(),
        "kind_code": rec[32:34].strip() or None,
        "rejection": rec[40:42].strip(),
        "details": [],
    }


def _complement(move: dict, rec: str) -> None:
    move["details"].append((rec[45:48], " ".join(rec[48:118].split())))


def _close(line: int, rec: str, current: _Open, problems: Problems) -> Statement:
    closing_date = _field(problems, line, "date", rec[34:40], _day)
    closing = _field(problems, line, "montant", rec[90:104], current.amount)
    moves = [_line(m, current.currency) for m in current.lines if m["amount_cents"] is not None]
    total = sum(m.amount_cents for m in moves)
    if None not in (closing, current.opening) and current.opening + total != closing:
        problems.add(
            line,
            tr("solde", "balance"),
            tr(
                "solde final {c} ≠ solde initial {o} + mouvements {m}",
                "closing balance {c} ≠ opening {o} + movements {m}",
                c=display_money(closing),
                o=display_money(current.opening),
                m=display_money(total),
            ),
        )
    account = iban_from_rib(current.bank, current.branch, current.number)
    return Statement(
        account=account or f"{current.bank}{current.branch}{current.number}",
        currency=current.currency,
        closing_date=closing_date or date.min,
        lines=moves,
        opening_date=current.opening_date,
        opening_cents=current.opening,
        closing_cents=closing,
    )


def _line(move: dict, currency: str) -> BankLine:
    details = move["details"]
    payer = next((text for q, text in details if q == "NPY"), None)
    remittance = " ".join(text for q, text in details if q in _REMITTANCE and text)
    end_to_end = next((text for q, text in details if q == "REF"), None)
    label = move["label"]
    words = f"{label} {remittance}".upper()
    return BankLine(
        line=move["line"],
        booking_date=move["booking_date"] or date.min,
        value_date=move["value_date"],
        amount_cents=move["amount_cents"],
        currency=currency,
        label=label,
        payer=payer,
        remittance=" ".join(p for p in (move["reference"], remittance) if p),
        bank_ref=None,  # entry numbers are not unique across statements: a stable hash is used
        end_to_end=end_to_end,
        reversal=bool(move["rejection"]) or bool(_RETURN_WORDS.search(words)),
        kind_code=move["kind_code"],
    )
