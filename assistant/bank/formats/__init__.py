"""Recognise a statement file and parse it into `Statement`s (see each module for its rules)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from assistant.bank.formats import camt053, cfonb120, csvbank, ofx
from assistant.bank.model import BankFormat, ParsedFile
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports.reader import decode, file_bytes

_HEAD = 4096


def detect(path: Path, data: bytes | None = None) -> BankFormat | None:
    """The statement format of a file, or None if it is not a bank statement."""
    data = file_bytes(path) if data is None else data
    head = data[:_HEAD]
    if camt053.looks_like(head):
        return BankFormat.CAMT053
    if ofx.looks_like(head):
        return BankFormat.OFX
    if head.lstrip().startswith(b"<"):
        return None
    try:
        text, _ = decode(head + data[_HEAD : _HEAD + 256], path.name)
    except UserError:
        return None
    if cfonb120.looks_like(text):
        return BankFormat.CFONB120
    if csvbank.looks_like(path):
        return BankFormat.CSV
    return None


def parse_file(
    path: Path,
    *,
    account: str | None = None,
    closing: date | None = None,
    expected: BankFormat | None = None,
) -> ParsedFile:
    """Parse a statement (format detected unless `expected`); UserError if unreadable."""
    data = file_bytes(path)
    fmt = expected or detect(path, data)
    if fmt is None:
        if b"camt.052" in data[:_HEAD] or b"camt.054" in data[:_HEAD]:
            raise UserError(
                tr("{f} : camt.052/054 non pris en charge : demandez à la banque un camt.053",
                   "{f}: camt.052/054 not supported: ask the bank for a camt.053", f=path.name)
            )  # fmt: skip
        raise UserError(
            tr(
                "{f} : format de relevé non reconnu (attendu : CAMT.053, CFONB 120, OFX ou CSV"
                " avec colonnes date et montant)",
                "{f}: statement format not recognised (expected CAMT.053, CFONB 120, OFX or a"
                " CSV with date and amount columns)",
                f=path.name,
            )
        )
    if fmt is BankFormat.CAMT053:
        statements = camt053.parse(data, path.name)
    elif fmt is BankFormat.OFX:
        statements = ofx.parse(data, path.name)
    elif fmt is BankFormat.CFONB120:
        statements = cfonb120.parse(decode(data, path.name)[0], path.name)
    else:
        statements = csvbank.parse(path, account, closing)
    if account and fmt is not BankFormat.CSV:
        found = {s.account for s in statements}
        statements = [s for s in statements if s.account == account.replace(" ", "")]
        if not statements:
            raise UserError(
                tr("{f} : pas de relevé du compte {a} (comptes : {c})",
                   "{f}: no statement of account {a} (accounts: {c})",
                   f=path.name, a=account, c=", ".join(sorted(found)))
            )  # fmt: skip
    return ParsedFile(path.name, hashlib.sha256(data).hexdigest(), fmt, statements)
