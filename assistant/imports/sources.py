"""Sources agree: one payment is counted once, and no export re-opens what another shows paid.

Payments reach relance from several sources: the lettering of a FEC (source `fec`), a payments
file (`import`), later bank statements (`bank`). Each recorded payment keeps its source and a
stable external reference (`payments.external_ref`, unique per source), so re-reading a source
updates its own payments instead of adding them again. The precedence rule:

1. A payment is a fact. A source may add, correct or withdraw only its own payments.
2. The same money seen by two sources is counted once: a payment from one source is the one
   already recorded from another when it is on the same invoice, for the same amount, and dated
   within `MATCH_DAYS` days of it (a bank's value date and an accountant's entry date differ
   by a few days). It is then not recorded again (reported as "déjà connu").
3. An export of invoices states what it saw paid (amount - outstanding) on the day it was read
   (`invoices.observed_paid_cents`, `observed_on`). What relance knows paid on an invoice is the
   larger of the payments recorded, and what the latest export saw plus the payments dated after
   that day. An export showing less paid than that (an older file, or a books system behind the
   bank) never re-opens the invoice: the import keeps what is known and says so.
4. outstanding = amount - what is known paid, never below 0 nor above the amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from assistant.storage.balances import SourcePayment

MATCH_DAYS = 7


@dataclass(frozen=True, slots=True)
class Seen:
    """A payment as one source states it."""

    ref: str  # stable within the source
    on_date: date
    cents: int


@dataclass(slots=True)
class Reconciled:
    insert: list[Seen] = field(default_factory=list)
    update: list[tuple[int, Seen]] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    duplicates: list[tuple[Seen, SourcePayment]] = field(default_factory=list)
    payments: list[tuple[date, int]] = field(default_factory=list)  # what then counts


def same_money(a: Seen, b: SourcePayment) -> bool:
    return a.cents == b.amount_cents and abs((a.on_date - b.on_date).days) <= MATCH_DAYS


def reconcile(source: str, stated: Sequence[Seen], known: Sequence[SourcePayment]) -> Reconciled:
    """What to write so that `source` says `stated` about one invoice, given every payment
    already `known` for it (rules 1 and 2)."""
    out = Reconciled()
    mine = {p.external_ref: p for p in known if p.source == source and p.external_ref}
    others = [p for p in known if p.source != source or not p.external_ref]
    matched: set[int] = set()
    for seen in stated:
        if seen.ref in mine:
            before = mine[seen.ref]
            if (before.on_date, before.amount_cents) != (seen.on_date, seen.cents):
                out.update.append((before.id, seen))
            out.payments.append((seen.on_date, seen.cents))
            continue
        twin = next((p for p in others if p.id not in matched and same_money(seen, p)), None)
        if twin is not None:
            matched.add(twin.id)
            out.duplicates.append((seen, twin))
            continue
        out.insert.append(seen)
        out.payments.append((seen.on_date, seen.cents))
    refs = {s.ref for s in stated}
    out.delete = [p.id for ref, p in mine.items() if ref not in refs]
    out.payments.extend((p.on_date, p.amount_cents) for p in others)
    return out


def paid_known(payments: Sequence[tuple[date, int]], observed: tuple[int, date] | None) -> int:
    """Rule 3: the payments recorded, or what an export saw plus the payments after it."""
    total = sum(cents for _, cents in payments)
    if observed is None:
        return total
    seen, on = observed
    return max(total, seen + sum(cents for day, cents in payments if day > on))


def outstanding(amount: int, paid: int) -> int:
    return min(max(amount - paid, 0), amount)
