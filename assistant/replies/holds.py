"""Hold sources of the replies feature (registered in `rules/hold_sources.SOURCES`).

- `reply_pending`: a person's reply not triaged yet pauses the customer, with a task.
- `reply_question`: a reply triaged as a question pauses the customer until someone answers
  it (triage it again: `none` once answered).
- `invalid_address`: a bounce proved an address invalid: the customers using it are held with
  a task to fix the contact, and no message goes to that address (an address hold, checked
  at send time against every recipient). The hold lifts when the customer's e-mail changes
  (a corrected customers import) or a person says the address works.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from assistant.reasons import Code, Reason
from assistant.rules.holds import Hold
from assistant.storage import replies_repo
from assistant.storage.scope import CustomerIds

if TYPE_CHECKING:
    from assistant.storage.db import Store

REPLY_PENDING = "reply_pending"
REPLY_QUESTION = "reply_question"
INVALID_ADDRESS = "invalid_address"


def reply_pending(store: Store, as_of: date, customer_ids: CustomerIds = None) -> Iterator[Hold]:
    for customer_id, day in replies_repo.pending_replies(store, as_of, customer_ids):
        yield Hold(
            REPLY_PENDING,
            customer_id,
            Reason.of(Code.REPLY_PENDING, d=day.isoformat()),
        )


def reply_question(store: Store, as_of: date, customer_ids: CustomerIds = None) -> Iterator[Hold]:
    for customer_id, reply_id, day in replies_repo.open_questions(store, as_of, customer_ids):
        yield Hold(
            REPLY_QUESTION,
            customer_id,
            Reason.of(Code.REPLY_QUESTION, d=day.isoformat(), i=reply_id),
        )


def invalid_address(store: Store, as_of: date, customer_ids: CustomerIds = None) -> Iterator[Hold]:
    """Every address hold (whoever the customer), and the customers using one (of
    `customer_ids`, if given)."""
    bad = replies_repo.invalid_addresses(store, as_of)
    if not bad:
        return
    for address in bad:
        reason = Reason.of(Code.INVALID_ADDRESS, a=address)
        yield Hold(INVALID_ADDRESS, "", reason, task=False, address=address)
    for customer_id, value in replies_repo.customer_emails(store, customer_ids):
        invalid = [a for a in replies_repo.addresses(value) if a in bad]
        if invalid:
            yield Hold(
                INVALID_ADDRESS,
                customer_id,
                Reason.of(
                    Code.INVALID_CUSTOMER_ADDRESS,
                    a=", ".join(invalid),
                    d=bad[invalid[0]].isoformat(),
                ),
            )
