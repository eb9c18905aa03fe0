"""Cell parsers for import files. Each takes a raw cell (text from CSV, typed from XLSX).

They return None for an empty cell and raise ValueError with a user-facing message otherwise.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.numbers import list_currencies

from assistant.dates import MAX_YEAR, MIN_YEAR, DateError, parse_date
from assistant.emails import check_addresses
from assistant.i18n import tr
from assistant.imports.columns import fold
from assistant.models import InvoiceStatus
from assistant.money import AmountError, currency_in, parse_amount
from assistant.safetext import control_in


def text(cell: Any) -> str:
    """A cell as stripped text; spreadsheet numbers lose a useless `.0` (invoice 1001.0)."""
    if type(cell) is str:  # the common case (every CSV cell), first
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def optional_text(cell: Any) -> str | None:
    return text(cell) or None


def line(cell: Any) -> str | None:
    """One-line text (a name, a reference, a phone number): a line break or a control
    character inside is refused, since the value reaches headers, subjects and tables."""
    value = text(cell)
    if char := control_in(value):
        raise ValueError(
            tr(
                "saut de ligne ou caractère de contrôle ({c}) dans {v!r}",
                "line break or control character ({c}) in {v!r}",
                c=char,
                v=value,
            )
        )
    return value or None


_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?e[+-]?\d+", re.IGNORECASE)


def identifier(cell: Any) -> str | None:
    """An invoice number or customer code. `2,02601E+11` is refused: Excel wrote a long number
    in scientific notation, its digits are lost (format the column as text before exporting)."""
    value = line(cell) or ""
    if ("E" in value or "e" in value) and _SCIENTIFIC.fullmatch(value):
        raise ValueError(
            tr(
                "{v!r} : nombre tronqué par Excel (notation scientifique) ; formatez la colonne"
                " en texte avant d'exporter",
                "{v!r}: number truncated by Excel (scientific notation); format the column as"
                " text before exporting",
                v=value,
            )
        )
    return value or None


def amount(cell: Any) -> int | None:
    """Integer cents from `1 234,56`, `1234.56`, `1 234,56 €` or a spreadsheet number."""
    if isinstance(cell, bool):  # a ticked box is not 1,00 €
        raise ValueError(tr("montant invalide : {v}", "invalid amount: {v}", v=cell))
    if isinstance(cell, int | float | Decimal):
        return parse_amount(cell)
    raw = text(cell)
    if not raw:
        return None
    try:
        return parse_amount(raw)
    except AmountError as exc:
        raise ValueError(_amount_error(exc.reason, raw)) from None


def _amount_error(reason: str, raw: str) -> str:
    if reason == "decimals":
        return tr(
            "montant avec plus de 2 décimales : {v!r}",
            "amount with more than 2 decimals: {v!r}",
            v=raw,
        )
    if reason == "ambiguous":
        return tr(
            "montant ambigu : {v!r} (séparateur de milliers ou 3 décimales ?"
            " écrivez 1234 ou 1 234,00)",
            "ambiguous amount: {v!r} (thousands separator or 3 decimals? write 1234 or 1,234.00)",
            v=raw,
        )
    return tr("montant invalide : {v!r}", "invalid amount: {v!r}", v=raw)


def day(cell: Any) -> date | None:
    """A date from `dd/mm/yyyy`, ISO, `yyyymmdd`, a spreadsheet date or an Excel serial number."""
    if isinstance(cell, datetime | date):
        if not MIN_YEAR <= cell.year <= MAX_YEAR:  # 0 shown as a date by Excel: 1899-12-30
            raise ValueError(
                tr("date impossible : {v}", "impossible date: {v}", v=f"{cell:%d/%m/%Y}")
            )
        return parse_date(cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 10_000 <= cell <= 100_000:  # Excel serial day number (1927..2173)
            from openpyxl.utils.datetime import from_excel  # openpyxl loads numpy: ~0.3 s

            return from_excel(cell).date()
        cell = text(cell)
    raw = text(cell)
    if not raw:
        return None
    return _day_text(raw)


@lru_cache(maxsize=65_536)  # files repeat the same few hundred dates
def _day_text(raw: str) -> date:
    try:
        return parse_date(raw)
    except DateError as exc:
        if exc.us_order:
            message = tr(
                "date impossible : {v!r} (mois > 12 : format américain mm/jj/aaaa ?"
                " attendu jj/mm/aaaa)",
                "impossible date: {v!r} (month > 12: US mm/dd/yyyy? expected dd/mm/yyyy)",
                v=raw,
            )
        elif exc.impossible:
            message = tr("date impossible : {v!r}", "impossible date: {v!r}", v=raw)
        else:
            message = tr(
                "date invalide : {v!r} (attendu jj/mm/aaaa ou aaaa-mm-jj)",
                "invalid date: {v!r} (expected dd/mm/yyyy or yyyy-mm-dd)",
                v=raw,
            )
        raise ValueError(message) from None


_TRUE = frozenset({"oui", "o", "yes", "y", "1", "x", "vrai", "true", "v", "ok"})
_FALSE = frozenset({"non", "n", "no", "0", "faux", "false", "f", "-"})


def boolean(cell: Any) -> bool | None:
    """oui/non, yes/no, 1/0, x (ticked), vrai/faux; empty is None."""
    if isinstance(cell, bool):
        return cell
    raw = text(cell)
    if not raw:
        return None
    key = fold(raw)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(tr("valeur oui/non attendue : {v!r}", "yes/no value expected: {v!r}", v=raw))


_STATUSES: dict[str, InvoiceStatus] = {}
for _status, _words in {
    InvoiceStatus.OPEN: (
        "open",
        "ouverte",
        "ouvert",
        "en cours",
        "encours",
        "non payee",
        "non paye",
        "impayee",
        "impaye",
        "a payer",
        "a regler",
        "due",
        "echue",
        "en retard",
        "en attente",
        "non soldee",
        "non reglee",
        "partiellement payee",
        "partiellement reglee",
        "partielle",
        "unpaid",
        "overdue",
        "partially paid",
        "partial",
        "sent",
        "envoyee",
        "envoye",
        "viewed",
        "vue",
        "emise",
        "validee",
        "relancee",
    ),
    InvoiceStatus.PAID: (
        "paid",
        "payee",
        "paye",
        "soldee",
        "solde",
        "reglee",
        "regle",
        "acquittee",
        "encaissee",
        "lettree",
    ),
    InvoiceStatus.DISPUTED: (
        "disputed",
        "litige",
        "en litige",
        "litigieuse",
        "contestee",
        "conteste",
        "contestation",
        "en contestation",
        "dispute",
    ),
    InvoiceStatus.CREDITED: ("credited", "avoir", "avoiree", "creditee"),
    InvoiceStatus.CANCELLED: (
        "cancelled",
        "canceled",
        "annulee",
        "annule",
        "void",
        "voided",
        "abandonnee",
        "supprimee",
    ),
}.items():
    for _word in _words:
        _STATUSES[_word] = _status


DRAFT = "draft"  # an invoice not issued yet: never a receivable
_DRAFTS = frozenset({"draft", "brouillon", "en brouillon", "non validee", "proforma", "pro forma"})


def status(cell: Any) -> InvoiceStatus | str | None:
    """French or English invoice status: ouverte, payée/soldée, litige/contestée, avoir,
    annulée/void; `DRAFT` for a draft (brouillon)."""
    raw = text(cell)
    if not raw:
        return None
    if fold(raw) in _DRAFTS:
        return DRAFT
    found = _STATUSES.get(fold(raw))
    if found is None:
        raise ValueError(
            tr(
                "statut inconnu : {v!r} (attendu ouverte, payée ou litige)",
                "unknown status: {v!r} (expected open, paid or disputed)",
                v=raw,
            )
        )
    return found


_DOCUMENT_TYPES = {
    **dict.fromkeys(
        ("facture", "fac", "fa", "f", "invoice", "inv", "facture de vente", "facture client",
         "acompte", "facture d acompte", "fact"),
        "invoice",
    ),
    **dict.fromkeys(
        ("avoir", "av", "a", "facture d avoir", "avoir client", "credit note", "credit",
         "note de credit", "cn", "reglement", "paiement", "encaissement", "acompte recu"),
        "credit",
    ),
}  # fmt: skip


def document_type(cell: Any) -> str | None:
    """`invoice` (facture, acompte) or `credit` (avoir, credit note, unlettered payment)."""
    raw = text(cell)
    if not raw:
        return None
    found = _DOCUMENT_TYPES.get(fold(raw))
    if found is None:
        raise ValueError(
            tr(
                "type de pièce inconnu : {v!r} (attendu facture ou avoir)",
                "unknown document type: {v!r} (expected invoice or credit note)",
                v=raw,
            )
        )
    return found


def currency_marker(cell: Any) -> str | None:
    """The currency written in an amount cell (`1 234,56 €` -> EUR), or None."""
    if not isinstance(cell, str):
        return None
    try:
        return currency_in(cell)
    except AmountError:
        raise ValueError(
            tr("plusieurs devises dans {v!r}", "several currencies in {v!r}", v=cell.strip())
        ) from None


_LANGUAGES = {
    "fr": "fr",
    "francais": "fr",
    "french": "fr",
    "en": "en",
    "anglais": "en",
    "english": "en",
}


def language(cell: Any) -> str | None:
    """`fr` or `en` (also `français`, `English`, `fr-FR`, `en_GB`)."""
    raw = text(cell)
    if not raw:
        return None
    key = fold(raw)
    found = _LANGUAGES.get(key) or _LANGUAGES.get(key.split(" ")[0])
    if found is None:
        raise ValueError(
            tr(
                "langue non prise en charge : {v!r} (fr ou en)",
                "unsupported language: {v!r} (fr or en)",
                v=raw,
            )
        )
    return found


@cache
def _countries() -> dict[str, str]:
    """Folded country names (French and English) and ISO codes -> ISO 3166 alpha-2 code."""
    names: dict[str, str] = {"uk": "GB", "angleterre": "GB", "england": "GB"}
    for locale in ("fr", "en"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "ZZ", "QO"):
                names[fold(name)] = code
                names[code.lower()] = code
    return names


def country(cell: Any) -> str | None:
    """ISO alpha-2 code from `FR`, `fr`, `France`, `Belgique`, `United Kingdom`..."""
    raw = text(cell)
    if not raw:
        return None
    found = _countries().get(fold(raw))
    if found is None:
        raise ValueError(
            tr(
                "pays inconnu : {v!r} (code ISO à 2 lettres, ex. FR)",
                "unknown country: {v!r} (2-letter ISO code, e.g. FR)",
                v=raw,
            )
        )
    return found


_CURRENCY_SIGNS = {"€": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "£": "GBP"}


def currency(cell: Any) -> str | None:
    raw = text(cell)
    if not raw:
        return None
    code = _CURRENCY_SIGNS.get(raw.lower(), raw.upper())
    if code not in _currencies():
        raise ValueError(
            tr(
                "devise inconnue : {v!r} (code ISO, ex. EUR)",
                "unknown currency: {v!r} (ISO code, e.g. EUR)",
                v=raw,
            )
        )
    return code


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def email(cell: Any) -> str | None:
    """One address or several separated by `;` or `,` (kept as `a@x.fr, b@y.fr`), each checked
    by email-validator (`assistant.emails`)."""
    raw = text(cell)
    if not raw:
        return None
    return ", ".join(check_addresses(raw))


_RISKS = {
    "low": "low",
    "faible": "low",
    "bas": "low",
    "medium": "medium",
    "moyen": "medium",
    "modere": "medium",
    "high": "high",
    "eleve": "high",
    "fort": "high",
}


def risk(cell: Any) -> str | None:
    raw = text(cell)
    if not raw:
        return None
    found = _RISKS.get(fold(raw))
    if found is None:
        raise ValueError(
            tr(
                "risque inconnu : {v!r} (faible, moyen ou élevé)",
                "unknown risk: {v!r} (low, medium or high)",
                v=raw,
            )
        )
    return found


_TERMS = re.compile(
    r"(?:(?P<eom1>fin de mois|fdm|eom|end of month) )?(?:a )?(?P<days>\d{1,3}) ?"
    r"(?:j|jours?|days?|d)?(?: net| nets)?(?: date de facture| de date de facture)?"
    r"(?: (?P<eom2>fin de mois|fdm|eom|end of month))?"
)
_CASH = frozenset({"comptant", "a reception", "a reception de facture", "des reception",
                   "reception de facture", "cash", "due on receipt", "immediat"})  # fmt: skip


def terms(cell: Any) -> tuple[int, bool] | None:
    """Payment terms as (days, end of month): `30`, `45 jours`, `60 j net`,
    `45 jours fin de mois` / `45 j FDM`, `comptant` / `à réception` (0 days)."""
    raw = text(cell)
    if not raw:
        return None
    key = fold(raw)
    if key in _CASH:
        return 0, False
    match = _TERMS.fullmatch(key)
    if match is None or int(match["days"]) > 365:
        raise ValueError(
            tr(
                "délai de paiement non reconnu : {v!r} (ex. 30 jours, 45 jours fin de mois,"
                " comptant)",
                "payment terms not understood: {v!r} (e.g. 30 days, 45 days end of month, cash)",
                v=raw,
            )
        )
    return int(match["days"]), bool(match["eom1"] or match["eom2"])
