"""Evidence codes of a payment match, stored as codes with parameters, worded at the edge."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from assistant.i18n import tr
from assistant.money import display_money


class Ev(StrEnum):
    INVOICE_NUMBER = "invoice_number"  # the remittance names the invoice
    CUSTOMER_REFERENCE = "customer_reference"  # ... or the customer's reference of it
    IBAN_KNOWN = "iban_known"  # the payer's IBAN already paid this customer
    PAYER_NAME = "payer_name"  # the payer's name is the customer's (fuzzy)
    AMOUNT_EXACT = "amount_exact"  # the credit is what one invoice still owes
    AMOUNT_SUM = "amount_sum"  # ... or several invoices of the customer together
    SHORTFALL = "shortfall"  # a small gap within the tolerance (bank fees?): never written off
    PARTIAL = "partial"  # pays part of what is owed
    OVERPAYMENT = "overpayment"  # more than what is owed: the excess stays unallocated
    AMOUNT_ONLY = "amount_only"  # only the amount points to this customer
    AMBIGUOUS = "ambiguous"  # another customer fits as well
    BEFORE_ISSUE = "before_issue"  # paid before the invoice was issued
    CHOSEN_BY_PERSON = "chosen_by_person"  # a person assigned these invoices


WEIGHTS: dict[Ev, int] = {
    Ev.INVOICE_NUMBER: 50,
    Ev.CUSTOMER_REFERENCE: 40,
    Ev.IBAN_KNOWN: 30,
    Ev.AMOUNT_EXACT: 30,
    Ev.AMOUNT_SUM: 25,
    Ev.SHORTFALL: 20,
    Ev.PARTIAL: 5,
    Ev.BEFORE_ISSUE: -25,
}
NAME_WEIGHT = 35  # x similarity / 100


def item(code: Ev, **params: Any) -> dict[str, Any]:
    return {"code": code.value, **params}


def describe(ev: dict[str, Any]) -> str:
    """One piece of evidence in words, in the interface language."""
    code, p = ev.get("code"), ev
    money = lambda key: display_money(int(p.get(key) or 0))  # noqa: E731
    texts = {
        Ev.INVOICE_NUMBER: lambda: tr("n° de facture {n} dans le libellé",
                                      "invoice number {n} in the remittance", n=p.get("invoice")),
        Ev.CUSTOMER_REFERENCE: lambda: tr("référence client {r} ({n}) dans le libellé",
                                          "customer reference {r} ({n}) in the remittance",
                                          r=p.get("reference"), n=p.get("invoice")),
        Ev.IBAN_KNOWN: lambda: tr("IBAN connu du client", "customer's known IBAN"),
        Ev.PAYER_NAME: lambda: tr("nom du payeur « {p} » ≈ client ({s} %)",
                                  "payer name “{p}” ≈ customer ({s}%)",
                                  p=p.get("payer"), s=p.get("similarity")),
        Ev.AMOUNT_EXACT: lambda: tr("montant exact du reste dû", "exact amount outstanding"),
        Ev.AMOUNT_SUM: lambda: tr("montant exact de {k} factures ensemble",
                                  "exact amount of {k} invoices together", k=p.get("count")),
        Ev.SHORTFALL: lambda: tr("écart de {a} dans la tolérance (frais bancaires ?) : reste dû,"
                                 " à décider", "gap of {a} within tolerance (bank fees?):"
                                 " still owed, to decide", a=money("gap_cents")),
        Ev.PARTIAL: lambda: tr("paiement partiel : reste {a} à payer",
                               "partial payment: {a} left to pay", a=money("left_cents")),
        Ev.OVERPAYMENT: lambda: tr("trop-perçu de {a} non affecté",
                                   "overpayment of {a} not allocated", a=money("excess_cents")),
        Ev.AMOUNT_ONLY: lambda: tr("seul le montant correspond", "only the amount fits"),
        Ev.AMBIGUOUS: lambda: tr("ambigu : {k} clients possibles",
                                 "ambiguous: {k} possible customers", k=p.get("customers")),
        Ev.BEFORE_ISSUE: lambda: tr("payé avant l'émission de {n}", "paid before {n} was issued",
                                    n=p.get("invoice")),
        Ev.CHOSEN_BY_PERSON: lambda: tr("factures choisies par {w}", "invoices chosen by {w}",
                                        w=p.get("by")),
    }  # fmt: skip
    try:
        return texts[Ev(code)]()
    except (KeyError, ValueError):
        return str(code)
