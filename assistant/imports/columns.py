"""Column mapping: canonical names and the French headers accountants' software exports.

Headers are compared after `header_key()`: accents, case, punctuation and a few French
articles are dropped, so "Date d'échéance", "DATE ECHEANCE" and "date_echeance" all match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.errors import UserError
from assistant.i18n import tr

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_STOPWORDS = frozenset({"de", "d", "des", "la", "le", "l", "les"})


@lru_cache(maxsize=65_536)  # headers and coded values (statuses, yes/no) repeat a lot
def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation turned into spaces, words single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_NON_ALNUM.sub(" ", plain).split())


def header_key(text: str) -> str:
    """Matching key of a header: folded, French articles dropped, spaces removed."""
    return "".join(w for w in fold(text).split() if w not in _STOPWORDS)


_INVOICE_NUMBER = (
    "invoice_number",
    "invoice number",
    "invoice no",
    "invoice",
    "n° facture",
    "no facture",
    "num facture",
    "numéro de facture",
    "numéro facture",
    "facture",
    "n° pièce",
    "numéro de pièce",
    "pièce",
    "réf facture",
    "référence facture",
)
_CUSTOMER_ID = (
    "customer_id",
    "customer id",
    "customer code",
    "customer no",
    "code client",
    "client id",
    "id client",
    "n° client",
    "numéro client",
    "numéro de client",
    "compte client",
    "code tiers",
    "n° tiers",
    "numéro de tiers",
    "compte auxiliaire",
    "compte tiers",
)
_CUSTOMER_NAME = (
    "customer_name",
    "customer name",
    "customer",
    "client",
    "nom client",
    "nom du client",
    "raison sociale",
    "société",
    "dénomination",
    "nom tiers",
    "nom du tiers",
    "intitulé client",
)
_EMAIL = (
    "email",
    "e-mail",
    "mail",
    "courriel",
    "adresse e-mail",
    "adresse email",
    "email client",
    "e-mail client",
    "adresse mail",
)
_LANGUAGE = ("language", "langue", "lang", "langue client")

INVOICE_COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice_number": _INVOICE_NUMBER,
    "customer_id": _CUSTOMER_ID,
    "customer_name": _CUSTOMER_NAME,
    "issue_date": (
        "issue_date",
        "issue date",
        "invoice date",
        "date",
        "date facture",
        "date de facture",
        "date de facturation",
        "date d'émission",
        "date pièce",
    ),
    "due_date": (
        "due_date",
        "due date",
        "due",
        "date d'échéance",
        "échéance",
        "date limite de paiement",
        "date de paiement prévue",
    ),
    "amount": (
        "amount",
        "total",
        "amount incl tax",
        "montant",
        "montant TTC",
        "total TTC",
        "TTC",
        "montant facture",
        "montant de la facture",
        "net à payer",
    ),
    "outstanding": (
        "outstanding",
        "balance",
        "amount due",
        "open amount",
        "reste à payer",
        "reste dû",
        "restant dû",
        "solde",
        "solde dû",
        "montant restant",
        "montant dû",
        "reste à régler",
        "non réglé",
    ),
    "currency": ("currency", "devise", "monnaie"),
    "status": ("status", "statut", "état"),
    "reference": (
        "reference",
        "référence",
        "réf",
        "votre référence",
        "référence commande",
        "n° commande",
        "bon de commande",
        "purchase order",
        "po",
    ),
    "pdf_path": ("pdf_path", "pdf", "fichier pdf", "chemin pdf", "document", "pièce jointe"),
    "paid_date": (
        "paid_date",
        "paid date",
        "date de règlement",
        "date de paiement",
        "date de solde",
        "date d'encaissement",
    ),
    "document_type": (
        "document_type",
        "document type",
        "type",
        "type de pièce",
        "type pièce",
        "type de document",
        "type document",
        "nature",
        "nature de pièce",
        "nature de la pièce",
        "type de facture",
    ),
    "credited_invoice": (
        "credited_invoice",
        "credited invoice",
        "original invoice",
        "facture d'origine",
        "facture origine",
        "n° facture d'origine",
        "facture liée",
        "facture associée",
        "facture avoir",
        "facture rattachée",
    ),
    "email": _EMAIL,
    "language": _LANGUAGE,
}

CUSTOMER_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_id": (*_CUSTOMER_ID, "id", "code"),
    "name": (
        "name",
        "nom",
        "raison sociale",
        "client",
        "customer name",
        "nom client",
        "nom du client",
        "société",
        "dénomination",
        "nom tiers",
        "intitulé",
    ),
    "email": _EMAIL,
    "phone": (
        "phone",
        "téléphone",
        "tél",
        "tel",
        "n° de téléphone",
        "portable",
        "mobile",
        "phone number",
    ),
    "language": _LANGUAGE,
    "country": ("country", "pays", "code pays", "country code"),
    "segment": ("segment", "catégorie", "catégorie client", "famille client", "typologie"),
    "risk": ("risk", "risque", "niveau de risque"),
    "strategic": ("strategic", "stratégique", "client stratégique", "compte clé", "grand compte"),
    "salesperson": ("salesperson", "commercial", "représentant", "vendeur", "chargé d'affaires"),
    "salesperson_name": ("salesperson_name", "salesperson name", "nom du commercial"),
    "salesperson_email": (
        "salesperson_email",
        "salesperson email",
        "e-mail commercial",
        "email du commercial",
        "e-mail du commercial",
        "mail commercial",
    ),
    "customer_since": (
        "customer_since",
        "customer since",
        "client depuis",
        "date de création",
        "date création client",
        "date d'ouverture",
    ),
    "payment_terms_days": (
        "payment_terms_days",
        "payment terms",
        "délai de paiement",
        "délai de paiement (jours)",
        "délai de règlement",
        "conditions de paiement",
        "conditions de règlement",
        "délai",
    ),
    "sms_opt_in": ("sms_opt_in", "sms", "accepte les sms", "accepte sms", "sms autorisé"),
    "closed_from": (
        "closed_from",
        "closed from",
        "fermé du",
        "fermeture du",
        "début de fermeture",
        "congés du",
    ),
    "closed_to": (
        "closed_to",
        "closed to",
        "fermé au",
        "fermeture au",
        "fin de fermeture",
        "congés au",
    ),
    "do_not_contact": (
        "do_not_contact",
        "do not contact",
        "ne pas contacter",
        "ne pas relancer",
        "pas de relance",
        "bloqué relance",
    ),
    "notes": ("notes", "note", "commentaire", "commentaires", "remarques", "observations"),
    # legal identity and postal address (formal notices, litigation files)
    "legal_form": (
        "legal_form",
        "legal form",
        "forme juridique",
        "forme sociale",
        "statut juridique",
    ),
    "siren": ("siren", "n° siren", "numéro siren", "siren client"),
    "address_line1": (
        "address_line1",
        "address",
        "address line 1",
        "adresse",
        "adresse 1",
        "adresse ligne 1",
        "rue",
    ),
    "address_line2": (
        "address_line2",
        "address line 2",
        "adresse 2",
        "adresse ligne 2",
        "complément d'adresse",
        "complément adresse",
    ),
    "postal_code": ("postal_code", "postal code", "zip", "code postal", "cp"),
    "city": ("city", "town", "ville", "commune", "localité"),
}

PAYMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice_number": _INVOICE_NUMBER,
    "customer_id": _CUSTOMER_ID,  # optional: checked against the invoice's customer
    "date": (
        "date",
        "payment date",
        "date de règlement",
        "date règlement",
        "date de paiement",
        "date d'encaissement",
        "date de valeur",
        "paid on",
    ),
    "amount": (
        "amount",
        "montant",
        "montant réglé",
        "montant payé",
        "montant encaissé",
        "montant du règlement",
        "paid amount",
        "payment amount",
        "règlement",
    ),
}

COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "invoices": INVOICE_COLUMNS,
    "customers": CUSTOMER_COLUMNS,
    "payments": PAYMENT_COLUMNS,
}
# -- layouts real tools write (Zoho, FreshBooks, Invoice Ninja, Sage, EBP...) -----------------
INVOICE_COLUMNS["status"] += ("invoice status", "statut facture", "état facture")
INVOICE_COLUMNS["currency"] += ("currency code", "code devise", "devise facture")
INVOICE_COLUMNS["customer_name"] += ("company name", "display name", "organization")
INVOICE_COLUMNS["paid_amount"] = (
    "paid_amount",
    "paid",
    "amount paid",
    "paid amount",
    "déjà réglé",
    "déjà payé",
    "montant payé",
    "montant réglé",
)
CUSTOMER_COLUMNS["name"] += (
    "display name",
    "company name",
    "organization",
    "organisation",
    "company",
    "entreprise",
)
CUSTOMER_COLUMNS["email"] += ("emailid", "email id", "email address")
CUSTOMER_COLUMNS["phone"] = (
    *(a for a in CUSTOMER_COLUMNS["phone"] if a not in ("portable", "mobile")),
    "téléphone fixe",
    "tél fixe",
    "business phone",
    "work phone",
)
CUSTOMER_COLUMNS["mobile"] = (
    "mobile",
    "portable",
    "mobilephone",
    "mobile phone",
    "téléphone portable",
    "tél portable",
    "gsm",
    "cell",
    "cell phone",
)
# The owner and the contacts (docs/team.md, assistant/imports/team_columns.py).
CUSTOMER_COLUMNS["owner"] = ("owner", "responsable", "suivi par", "chargé de recouvrement")
CUSTOMER_COLUMNS["accounting_email"] = (
    "accounting_email",
    "e-mail comptabilité",
    "email comptabilité",
    "email compta",
    "contact comptabilité",
)
CUSTOMER_COLUMNS["purchasing_email"] = (
    "purchasing_email",
    "e-mail achats",
    "email achats",
    "contact achats",
)
CUSTOMER_COLUMNS["management_email"] = (
    "management_email",
    "e-mail direction",
    "email direction",
    "contact direction",
)
# When two columns match one field, the one whose alias comes first wins and the other is
# ignored (listed) — for text fields only. An alias listed here serves its second field when
# that one has no column of its own (`Client` is the code beside a `Nom` column).
_TEXT_FIELDS = frozenset(
    {"customer_name", "name", "email", "phone", "mobile", "reference", "notes", "segment"}
    | {"salesperson", "language", "document_type"}
)
_SECOND_FIELD = {
    ("customers", "client"): "customer_id",
    ("customers", "customer"): "customer_id",
    ("invoices", "client"): "customer_id",
    ("invoices", "customer"): "customer_id",
}

# The French header shown in "missing column" messages, per required field.
_EXAMPLES: dict[str, dict[str, str]] = {
    "invoices": {
        "invoice_number": "N° facture",
        "customer_id": "Code client",
        "issue_date": "Date facture",
        "due_date": "Date d'échéance",
        "amount": "Montant TTC",
    },
    "customers": {"customer_id": "Code client", "name": "Raison sociale"},
    "payments": {
        "invoice_number": "N° facture",
        "date": "Date de règlement",
        "amount": "Montant réglé",
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {kind: tuple(ex) for kind, ex in _EXAMPLES.items()}


NAME_FIELD = {"invoices": "customer_name", "customers": "name"}


def _alias_rank(kind: str, name: str, header: str) -> int:
    key = header_key(header)
    aliases = [header_key(a) for a in COLUMNS[kind][name]]
    return aliases.index(key) if key in aliases else len(aliases)


def _resolve_overlap(
    kind: str, headers: Sequence[str], positions: dict[str, int], position: int, header: str,
    name: str,
) -> tuple[str, str]:  # fmt: skip
    """Two columns for one text field: the better alias keeps the field; the other serves its
    second field when it has one and that field is free, else it is ignored (returned)."""
    current = positions[name]
    if _alias_rank(kind, name, header) < _alias_rank(kind, name, headers[current]):
        positions[name], position, header = position, current, headers[current]
    second = _SECOND_FIELD.get((kind, header_key(header)))
    if second is not None and second not in positions:
        positions[second] = position
        return "", name
    return header, name


def _alias_index(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in columns.items():
        for alias in aliases:
            key = header_key(alias)
            if index.setdefault(key, name) != name:  # pragma: no cover - table bug
                raise AssertionError(f"alias {alias!r} maps to {index[key]} and {name}")
    return index


_INDEX = {kind: _alias_index(columns) for kind, columns in COLUMNS.items()}


def _filled(cells: Sequence[Any], position: int) -> bool:
    return (
        position < len(cells)
        and cells[position] not in (None, "")
        and bool(str(cells[position]).strip())
    )


def recognises(kind: str, header: str) -> bool:
    return header_key(header) in _INDEX[kind]


@dataclass(frozen=True)
class ColumnMap:
    """Where each known field sits in a row, and the headers that were ignored."""

    positions: dict[str, int]
    headers: list[str]
    ignored: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.positions

    def header(self, name: str) -> str:
        return self.headers[self.positions[name]]


def map_columns(
    kind: str, headers: Sequence[str], file_name: str, rows: Sequence[Sequence[Any]] = ()
) -> ColumnMap:
    """Map a header row to fields; a missing required column or a doubled field is an error.
    Ignored columns are listed, including untitled ones that hold values in `rows`."""
    index = _INDEX[kind]
    positions: dict[str, int] = {}
    ignored: list[str] = []
    doubled: list[str] = []
    overlaps: list[tuple[int, str, str]] = []  # (position, header, field) of text fields
    untitled = {p for p, h in enumerate(headers) if not h.strip()}
    if untitled:
        untitled = {p for p in untitled if any(_filled(cells, p) for cells in rows)}
    for position, header in enumerate(headers):
        name = index.get(header_key(header))
        if name is None:
            if header.strip():
                ignored.append(header.strip())
            elif position in untitled:
                ignored.append(
                    tr("(colonne {n} sans titre)", "(untitled column {n})", n=position + 1)
                )
        elif name in positions and name in _TEXT_FIELDS:
            overlaps.append((position, header, name))
        elif name in positions:
            doubled.append(f"{headers[positions[name]]!r} / {header!r} ({name})")
        else:
            positions[name] = position
    losers = [_resolve_overlap(kind, headers, positions, *overlap) for overlap in overlaps]
    ignored.extend(
        tr(
            "{h} (doublon de {k} pour {f})",
            "{h} (duplicate of {k} for {f})",
            h=header.strip(),
            k=headers[positions[name]].strip(),
            f=name,
        )
        for header, name in losers
        if header
    )
    found = ", ".join(repr(h.strip()) for h in headers if h.strip()) or "-"
    if doubled:
        raise UserError(
            tr(
                "{file} : colonnes en double pour la même donnée : {doubled}",
                "{file}: several columns for the same field: {doubled}",
                file=file_name,
                doubled="; ".join(doubled),
            )
        )
    missing = [name for name in REQUIRED[kind] if name not in positions]
    if missing == ["customer_id"] and (NAME_FIELD.get(kind) in positions):
        missing = []  # a name-only file: codes are derived from the names (imports/names.py)
    if missing:
        expected = "; ".join(f"{name} (ex. {_EXAMPLES[kind][name]!r})" for name in missing)
        raise UserError(
            tr(
                "{file} : colonne(s) obligatoire(s) manquante(s) : {missing} ;"
                " colonnes trouvées : {found}",
                "{file}: missing required column(s): {missing}; columns found: {found}",
                file=file_name,
                missing=expected,
                found=found,
            )
        )
    return ColumnMap(positions, list(headers), ignored)
