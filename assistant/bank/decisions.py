"""What changes a match: applying a candidate (by policy or by a person), rejecting, undoing,
and a later statement taking the money back (a returned transfer, an unpaid cheque).

Applying records one payment per invoice (source `bank`, external reference
`bank:<line key>:<invoice>`, so a payment is never counted twice) and learns the payer's IBAN
for that customer. Undoing and reversing take those payments back, and the invoices owe again;
every step is an event, nothing of the history is deleted but the payment rows themselves.
"""

from __future__ import annotations

from datetime import date

from assistant.bank.matching import Candidate
from assistant.bank.model import TRANSITIONS, MatchStatus
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.models import Payment
from assistant.money import display_money
from assistant.storage import bank_repo, invoices_repo, repo
from assistant.storage.bank_repo import MatchView
from assistant.storage.db import Store


def _check_move(view: MatchView, to: MatchStatus) -> None:
    if to not in TRANSITIONS[view.status]:
        raise UserError(
            tr(
                "rapprochement {i} : {s}, impossible de passer à {t}",
                "match {i}: {s}, cannot become {t}",
                i=view.id,
                s=view.status.value,
                t=to.value,
            )
        )


def get(store: Store, match_id: int) -> MatchView:
    view = bank_repo.get_match(store, match_id)
    if view is None:
        raise UserError(tr("rapprochement inconnu : {i}", "unknown match: {i}", i=match_id))
    return view


def apply(
    store: Store, view: MatchView, rank: int, *, actor: str, on: date, auto: bool = False
) -> list[tuple[str, int]]:
    """Record the payments of candidate `rank` (each at most what the invoice still owes)."""
    _check_move(view, MatchStatus.APPLIED)
    paid = record_payments(store, view, rank, actor=actor, on=on, auto=auto)
    bank_repo.set_match(store, view.id, MatchStatus.APPLIED, chosen=rank, auto=auto,
                        actor=actor, on=on, reason=None)  # fmt: skip
    return paid


def record_payments(
    store: Store, view: MatchView, rank: int, *, actor: str, on: date, auto: bool
) -> list[tuple[str, int]]:
    """The payments of an applied candidate, the payer's IBAN learned, the event (the match's
    own status is the caller's: `apply`, or the importer's batch)."""
    candidate = next((c for c in view.candidates if c.rank == rank), None)
    if candidate is None or not candidate.allocations:
        raise UserError(
            tr("rapprochement {i} : aucune facture proposée ; précisez --invoice N",
               "match {i}: no invoice proposed; give --invoice N", i=view.id)
        )  # fmt: skip
    paid: list[tuple[str, int]] = []
    left = view.amount_cents
    for number, cents in candidate.allocations:
        invoice = invoices_repo.invoice_state(store, number)
        if invoice is None or invoice.status not in ("open", "disputed"):
            raise UserError(
                tr("facture {n} : plus ouverte, choisissez d'autres factures",
                   "invoice {n}: no longer open, choose other invoices", n=number)
            )  # fmt: skip
        share = min(cents, invoice.outstanding_cents, left)
        if share <= 0:
            raise UserError(
                tr("facture {n} : déjà soldée, choisissez d'autres factures",
                   "invoice {n}: already settled, choose other invoices", n=number)
            )  # fmt: skip
        payment = Payment(invoice_number=number, date=view.bank_date, amount_cents=share,
                          source="bank")  # fmt: skip
        repo.apply_payment(store, payment, bank_repo.payment_key(view.line_key, number), actor)
        paid.append((number, share))
        left -= share
    if view.payer_iban:
        bank_repo.learn_iban(store, view.payer_iban, candidate.customer_id, f"match:{view.id}")
    store.record_event(
        "match.applied", actor=actor, customer_id=candidate.customer_id, on_date=on,
        data={"match_id": view.id, "rank": rank, "auto": auto, "line_key": view.line_key,
              "amount_cents": view.amount_cents, "unallocated_cents": left,
              "allocations": [[n, c] for n, c in paid]},
    )  # fmt: skip
    return paid


def choose_invoices(store: Store, view: MatchView, numbers: list[str], actor: str) -> int:
    """A person assigns the credit to these invoices (in this order): a new candidate."""
    if not numbers:
        raise UserError(tr("aucune facture donnée", "no invoice given"))
    for c in view.candidates:
        if [n for n, _ in c.allocations] == numbers:
            return c.rank
    invoices = []
    for number in numbers:
        invoice = repo.get_invoice(store, number)
        if invoice is None:
            raise UserError(tr("facture inconnue : {n}", "unknown invoice: {n}", n=number))
        if invoice.status.value not in ("open", "disputed") or invoice.outstanding_cents <= 0:
            raise UserError(
                tr("facture {n} : rien à payer ({s})", "invoice {n}: nothing owed ({s})",
                   n=number, s=invoice.status.value)
            )  # fmt: skip
        if invoice.currency != view.currency:
            raise UserError(
                tr("facture {n} en {c}, virement en {v}", "invoice {n} in {c}, credit in {v}",
                   n=number, c=invoice.currency, v=view.currency)
            )  # fmt: skip
        invoices.append(invoice)
    customers = {i.customer_id for i in invoices}
    if len(customers) > 1:
        raise UserError(
            tr("un virement paie les factures d'un seul client (ici : {c})",
               "one credit pays one customer's invoices (here: {c})",
               c=", ".join(sorted(customers)))
        )  # fmt: skip
    allocations, left = [], view.amount_cents
    for invoice in invoices:
        share = min(invoice.outstanding_cents, left)
        if share <= 0:
            raise UserError(
                tr("le virement ({a}) est épuisé avant {n}",
                   "the credit ({a}) is used up before {n}",
                   a=display_money(view.amount_cents, view.currency), n=invoice.number)
            )  # fmt: skip
        allocations.append((invoice.number, share))
        left -= share
    rank = bank_repo.next_rank(store, view.id)
    evidence = ({"code": "chosen_by_person", "by": actor},)
    candidate = Candidate(customers.pop(), tuple(allocations), 100, evidence)
    bank_repo.add_candidates(store, view.id, [candidate], first_rank=rank)
    return rank


def reject(store: Store, view: MatchView, reason: str | None, *, actor: str, on: date) -> None:
    _check_move(view, MatchStatus.REJECTED)
    bank_repo.set_match(store, view.id, MatchStatus.REJECTED, chosen=None, auto=False,
                        actor=actor, on=on, reason=reason)  # fmt: skip
    best = view.shown
    store.record_event(
        "match.rejected", actor=actor, on_date=on,
        customer_id=best.customer_id if best else None,
        data={"match_id": view.id, "reason": reason, "line_key": view.line_key},
    )  # fmt: skip


def _take_back(store: Store, view: MatchView, why: str, actor: str) -> list[str]:
    numbers = []
    for payment in bank_repo.payments_of_line(store, view.line_key):
        bank_repo.remove_payment(store, payment, why, actor)
        numbers.append(payment["invoice_number"])
    bank_repo.forget_ibans(store, f"match:{view.id}")
    return numbers


def undo(store: Store, view: MatchView, *, actor: str, on: date) -> list[str]:
    """Applied by mistake: the payments are taken back and the match waits for a person."""
    if view.status is not MatchStatus.APPLIED:
        raise UserError(
            tr("rapprochement {i} : {s}, seul un rapprochement appliqué s'annule",
               "match {i}: {s}, only an applied match can be undone",
               i=view.id, s=view.status.value)
        )  # fmt: skip
    numbers = _take_back(store, view, "match undone", actor)
    bank_repo.set_match(store, view.id, MatchStatus.PROPOSED, chosen=None, auto=False,
                        actor=actor, on=on, reason=None)  # fmt: skip
    best = view.shown
    store.record_event(
        "match.undone", actor=actor, on_date=on,
        customer_id=best.customer_id if best else None,
        data={"match_id": view.id, "invoices": numbers, "line_key": view.line_key},
    )  # fmt: skip
    return numbers


def reverse(
    store: Store, view: MatchView, debit_line_key: str, *, actor: str, on: date
) -> list[str]:
    """The bank took the credit back: what it paid is owed again."""
    numbers = _take_back(store, view, "credit reversed by the bank", actor)
    bank_repo.set_match(store, view.id, MatchStatus.REVERSED, chosen=view.chosen,
                        auto=view.auto, actor=actor, on=on, reason=debit_line_key)  # fmt: skip
    best = view.shown
    store.record_event(
        "match.reversed", actor=actor, on_date=on,
        customer_id=best.customer_id if best else None,
        data={"match_id": view.id, "invoices": numbers, "line_key": view.line_key,
              "reversed_by": debit_line_key, "amount_cents": view.amount_cents},
    )  # fmt: skip
    return numbers
