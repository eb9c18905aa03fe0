"""Credit notes (avoirs) in an invoices file: never stored as invoices to remind.

A row is a credit when its document type says so (Avoir, credit note, règlement) or its
amount is negative. What is still open on it (its outstanding, else its amount; nothing when
its status says it is settled) is applied to the invoice it names (the `credited_invoice`
column, else a `reference` equal to an invoice number) when that invoice is in the same file,
of the same customer, and still open. An invoice brought to 0 this way is `credited`.

Anything else is NOT applied: guessing which invoice a credit settles would silently hide an
overdue invoice or remind the wrong one, and applying it to a stored invoice would apply it
again at each re-import. It is reported per customer as an unallocated credit, with its lines,
for the accountant to letter (as the FEC import does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.imports.report import UnallocatedCredit
from assistant.models import Invoice, InvoiceStatus

_CREDITABLE = (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED)


@dataclass(frozen=True)
class Credit:
    line: int
    number: str
    customer_id: str
    open_cents: int
    targets: tuple[str, ...]  # invoice numbers it may name, most explicit first
    currency: str = "EUR"
    on_date: date = date.min


def apply_credits(
    credits: Sequence[Credit],
    invoices: list[Invoice],
    leftovers: list[tuple[Credit, int]] | None = None,
) -> tuple[list[Invoice], list[UnallocatedCredit], int]:
    """(invoices with credits applied, unallocated credits by customer, credits applied);
    what is left of each credit is appended to `leftovers`."""
    by_number = {invoice.number: i for i, invoice in enumerate(invoices)}
    result = list(invoices)
    left: dict[str, int] = defaultdict(int)
    lines: dict[str, list[int]] = defaultdict(list)
    applied = 0
    for credit in credits:
        amount = credit.open_cents
        target = next((t for t in credit.targets if t in by_number), None)
        if amount and target is not None:
            index = by_number[target]
            invoice = result[index]
            if (
                invoice.customer_id == credit.customer_id
                and invoice.status in _CREDITABLE
                and invoice.currency == credit.currency
            ):
                used = min(amount, invoice.outstanding_cents)
                outstanding = invoice.outstanding_cents - used
                update: dict[str, object] = {"outstanding_cents": outstanding}
                if outstanding == 0:
                    update |= {"status": InvoiceStatus.CREDITED, "paid_date": None}
                result[index] = invoice.model_copy(update=update)
                amount -= used
                applied += used > 0
        if amount:
            if leftovers is not None:
                leftovers.append((credit, amount))
            left[credit.customer_id] += amount
            lines[credit.customer_id].append(credit.line)
    unallocated = [UnallocatedCredit(c, left[c], lines[c]) for c in sorted(left)]
    return result, unallocated, applied
