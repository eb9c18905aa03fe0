"""Collective customer accounts: one account code holding the entries of many companies.

Accountants book occasional customers on one account (`411000 CLIENTS DIVERS`, `CLIENTS
31,03,2020`): reminding it as one customer would send one message listing other companies'
invoices. An account is collective when its name says so (clients divers, divers clients, clients
comptant / de passage, or "clients" followed only by numbers or dates), or when the labels of its
invoice entries name several different third parties (`COLLECTIVE_NAMES` or more).

Collective accounts are flagged at import and held (a person splits or letters them). With
`--split-collective`, each entry whose label names a third party goes to a customer of its own,
`<account>-<NAME>` (the name folded to capitals); entries whose label names nobody stay on the
collective account, held, listed for a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.imports.columns import fold

COLLECTIVE_NAMES = 3  # distinct third parties named in the labels of one account
_NOISE_WORDS = (
    "facture factures fact fac fa fv f avoir avoirs av a reglement reglt rglt regl vir "
    "virement virt cheque chq ch cb carte paiement encaissement encaisse remise lcr prlv "
    "prelevement acompte solde du de des d n no num ref reference client clients sur pour le "
    "la les l et vente ventes ttc ht tva export france"
)
_NOISE = frozenset(_NOISE_WORDS.split())
_NAME_SAYS = re.compile(
    r"^(?:clients? (?:divers|comptants?|de passage|passagers?|occasionnels?|autres|ventes?"
    r" comptant)|divers clients?|clients? [\d ]+|clients?)$"
)


def name_is_collective(name: str) -> bool:
    return bool(_NAME_SAYS.match(fold(name)))


def third_party(label: str) -> str | None:
    """The company a label names (`Facture FA-2024-0001 - SARL DUPONT` -> `SARL DUPONT`), or None
    when it names nobody (only references, dates, amounts and accounting words)."""
    words = [w for w in fold(label).split() if not any(ch.isdigit() for ch in w)]
    kept = [w for w in words if w not in _NOISE and len(w) > 1]
    return " ".join(kept).upper() if kept else None


def collective_reason(name: str, labels: Iterable[str]) -> str | None:
    """Why this account is collective (its name, or the third parties its labels name)."""
    if name_is_collective(name):
        return name
    named = {party for label in labels if (party := third_party(label))}
    if len(named) >= COLLECTIVE_NAMES:
        shown = ", ".join(sorted(named)[:3]) + (" ..." if len(named) > 3 else "")
        return f"{name} : {len(named)} tiers ({shown})"
    return None


def split_id(account: str, party: str) -> str:
    """The customer code given to a third party split out of a collective account."""
    return f"{account}-{re.sub(r'[^A-Z0-9]+', '-', party).strip('-')}"[:60]
