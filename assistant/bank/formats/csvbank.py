"""Bank CSV exports (French banks and neobanks): date, label, amount (or debit and credit),
counterparty, reference columns; French numbers and dates.

The file is read like every import (`imports/reader.py`: encodings, delimiter, title lines
above the header, `Total` rows); headers are matched with accents, case and punctuation folded.
Headers known: those of the exports of BNP Paribas, Société Générale, Crédit Agricole, LCL,
Crédit Mutuel / CIC, La Banque Postale, Boursorama, Qonto, Shine and Revolut (see `_COLUMNS`).
The account is the `--account` given, else an account column, else an IBAN written in the
title lines above the header. The statement reaches the `--to` date given, else its last
booking date. Rows whose status says pending, declined or reverted are not booked: skipped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.bank.accounts import compact_iban
from assistant.bank.model import BankLine, Statement
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports import values
from assistant.imports.columns import ColumnMap, header_key
from assistant.imports.reader import Table, decode, file_bytes, read_table
from assistant.imports.rows import Problems, RowView

_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "date", "date operation", "date de l'opération", "date d'opération", "dateop",
        "date comptable", "date de comptabilisation", "booking date", "completed date",
        "settlement date (utc)", "date de règlement (utc)", "date (utc)", "date opé",
        "transaction date",
    ),
    "value_date": ("date de valeur", "date valeur", "dateval", "value date"),
    "label": (
        "libellé", "libellé de l'opération", "libellé opération", "libellé court",
        "label", "description", "détail de l'écriture", "détail", "intitulé", "wording",
        "nature de l'opération", "libellé simplifié",
    ),
    "amount": (
        "montant", "montant (eur)", "montant(euros)", "montant en euros", "montant de l'opération",
        "montant opération", "amount", "amount (eur)", "total amount (incl. vat)",
        "montant total (ttc)",
    ),
    "debit": ("débit", "débit euros", "montant débit", "debit (eur)", "débit (€)", "debit"),
    "credit": ("crédit", "crédit euros", "montant crédit", "credit (eur)", "crédit (€)", "credit"),
    "currency": ("devise", "currency", "monnaie"),
    "payer": (
        "tiers", "contrepartie", "counterparty", "counterparty name", "nom de la contrepartie",
        "nom du tiers", "émetteur", "émetteur / bénéficiaire", "bénéficiaire / émetteur",
        "donneur d'ordre",
    ),
    "payer_iban": ("iban de la contrepartie", "iban contrepartie", "iban tiers",
                   "counterparty iban", "iban émetteur"),
    "reference": (
        "référence", "reference", "ref", "motif", "référence de l'opération", "communication",
        "remittance information", "référence client", "note", "notes",
    ),
    "bank_ref": ("transaction id", "id transaction", "identifiant", "référence bancaire",
                 "numéro d'opération", "n° opération", "fitid", "id"),
    "account": ("compte", "numéro de compte", "n° de compte", "accountnum", "iban du compte",
                "account iban", "account"),
    "status": ("statut", "status", "state", "état"),
}  # fmt: skip
_INDEX = {header_key(alias): name for name, aliases in _COLUMNS.items() for alias in aliases}
_NOT_BOOKED = frozenset(
    {"pending", "declined", "reverted", "failed", "cancelled", "canceled", "en attente",
     "refusé", "refusée", "annulé", "annulée", "rejected"}
)  # fmt: skip


def recognises(header: str) -> bool:
    return header_key(header) in _INDEX


def looks_like(path: Path) -> bool:
    """A CSV whose header has a date and an amount (or debit/credit) column."""
    try:
        table = read_table(path, recognises)
    except UserError:
        return False
    names = {_INDEX.get(header_key(h)) for h in table.headers}
    return "date" in names and bool(names & {"amount", "credit", "debit"})


def _columns(table: Table) -> ColumnMap:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for position, header in enumerate(table.headers):
        name = _INDEX.get(header_key(header))
        if name is None or name in positions:
            if header.strip():
                ignored.append(header.strip())
            continue
        positions[name] = position
    if "date" not in positions or not {"amount", "credit", "debit"} & set(positions):
        found = ", ".join(repr(h) for h in table.headers if h.strip()) or "-"
        raise UserError(
            tr(
                "{f} : colonnes date et montant (ou débit/crédit) attendues ;"
                " colonnes trouvées : {c}",
                "{f}: date and amount (or debit/credit) columns expected; columns found: {c}",
                f=table.name,
                c=found,
            )
        )
    return ColumnMap(positions, list(table.headers), ignored)


def _title_account(path: Path, header_line: int) -> str | None:
    """An IBAN written in the title lines above the header (La Banque Postale, LCL...)."""
    if header_line <= 1:
        return None
    text, _ = decode(file_bytes(path), path.name)
    for line in text.splitlines()[: header_line - 1]:
        for cell in line.replace(";", " ; ").split(";"):
            if iban := compact_iban(cell.strip()):
                return iban
    return None


def parse(path: Path, account: str | None, closing: date | None) -> list[Statement]:
    table = read_table(path, recognises)
    columns = _columns(table)
    problems = Problems(table.name)
    lines: list[BankLine] = []
    accounts: set[str] = set()
    currencies: set[str] = set()
    for row in table.rows:
        view = RowView(row, columns, problems)
        status = (values.optional_text(view.raw("status")) or "").strip().lower()
        if status in _NOT_BOOKED:
            continue
        booked = view.require("date", values.day)
        cents = _amount(view)
        label = values.optional_text(view.raw("label")) or ""
        if label and cents is None and booked is None:
            continue  # a "Total" or balance line
        if not view.ok or booked is None or cents is None:
            continue
        if row_account := values.optional_text(view.raw("account")):
            accounts.add(compact_iban(row_account) or row_account.replace(" ", ""))
        currency = view.get("currency", values.currency) or "EUR"
        currencies.add(currency)
        lines.append(
            BankLine(
                line=row.line,
                booking_date=booked,
                value_date=view.get("value_date", values.day),
                amount_cents=cents,
                currency=currency,
                label=label,
                payer=values.optional_text(view.raw("payer")),
                payer_iban=compact_iban(values.optional_text(view.raw("payer_iban"))),
                remittance=values.optional_text(view.raw("reference")) or "",
                bank_ref=values.optional_text(view.raw("bank_ref")),
            )
        )
    problems.raise_if_any(len(table.rows))
    chosen = _account(account, accounts, path, table)
    if len(currencies) > 1:
        raise UserError(
            tr("{f} : plusieurs devises ({c}) : un fichier par compte",
               "{f}: several currencies ({c}): one file per account",
               f=table.name, c=", ".join(sorted(currencies)))
        )  # fmt: skip
    last = max((ln.booking_date for ln in lines), default=None)
    closing_day = closing or last
    if closing_day is None:
        raise UserError(tr("{f} : aucune opération", "{f}: no transaction", f=table.name))
    return [
        Statement(
            account=chosen,
            currency=currencies.pop() if currencies else "EUR",
            closing_date=closing_day,
            lines=lines,
        )
    ]


def _amount(view: RowView) -> int | None:
    if view.has("amount"):
        return view.require("amount", values.amount)
    debit = view.get("debit", values.amount)
    credit = view.get("credit", values.amount)
    if debit is None and credit is None:
        view.fail("credit", tr("ni débit ni crédit", "neither debit nor credit"))
        return None
    return abs(credit or 0) - abs(debit or 0)


def _account(given: str | None, found: set[str], path: Path, table: Table) -> str:
    if given:
        return compact_iban(given) or given.replace(" ", "")
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise UserError(
            tr("{f} : plusieurs comptes dans le fichier : un fichier par compte",
               "{f}: several accounts in the file: one file per account", f=table.name)
        )  # fmt: skip
    iban = _title_account(path, table.header_line)
    if iban is None:
        raise UserError(
            tr("{f} : compte inconnu : précisez-le avec --account IBAN",
               "{f}: unknown account: give it with --account IBAN", f=table.name)
        )  # fmt: skip
    return iban
