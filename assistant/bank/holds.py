"""Hold source `payment_match`: an invoice a credit may pay, while a person has not decided.

A payment seen at the bank must never be followed by a reminder for it: every invoice of every
candidate of a proposed match is held (no draft; an approved draft naming it is cancelled at
send time), and the plan lists a task for a person per candidate.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from assistant.reasons import Code, Reason
from assistant.rules.holds import Hold
from assistant.storage import bank_repo
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds

CODE = "payment_match"


def payment_match_holds(
    store: Store, as_of: date, customer_ids: CustomerIds = None
) -> Iterator[Hold]:
    rows = bank_repo.proposed_allocations(store, as_of, customer_ids)
    groups: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["match_id"], row["rank"]), []).append(row)
    for (match_id, _), items in groups.items():
        first = items[0]
        numbers = tuple(r["invoice_number"] for r in items)
        reason = Reason.of(
            Code.PAYMENT_MATCH,
            d=first["booking_date"],
            a_cents=first["amount_cents"],
            currency=first["currency"],
            p=f" ({first['payer']})" if first["payer"] else "",
            n=", ".join(numbers),
            i=match_id,
        )
        for number in numbers:
            yield Hold(
                CODE,
                first["customer_id"],
                reason,
                invoice_number=number,
                invoices=numbers,
                amount_cents=first["amount_cents"],
            )
