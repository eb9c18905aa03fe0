"""The stable codes of the replies feature (stored in the database, shown through labels)."""

from __future__ import annotations

from enum import StrEnum


class ReplyKind(StrEnum):
    REPLY = "reply"  # a person wrote: it pauses the customer until triaged
    AUTO_REPLY = "auto_reply"  # out of office, ticket acknowledgement: recorded, no pause
    BOUNCE = "bounce"  # a delivery status notification: the address is invalid


class ReplyStatus(StrEnum):
    NEW = "new"  # a person must look at it (a human reply, or a message nobody assigned)
    TRIAGED = "triaged"  # a person confirmed or corrected the suggestion
    RECORDED = "recorded"  # automatic reply or bounce: kept for the history, nothing to triage


class Match(StrEnum):
    THREAD = "thread"  # In-Reply-To / References name a message relance sent
    ADDRESS = "address"  # the sender's address is a customer's
    DOMAIN = "domain"  # the sender's domain is one customer's (never a public webmail domain)
    PERSON = "person"  # a person assigned it
    NONE = "none"  # unmatched: a person assigns it


class Outcome(StrEnum):
    """What a reply means (the suggestion), and what a person decides (triage)."""

    PROMISE = "promise"
    PAID = "paid"
    DISPUTE = "dispute"
    PLAN = "plan"
    QUESTION = "question"
    OTHER = "other"  # suggestion only: nothing recognised
    NONE = "none"  # triage only: nothing to do


SUGGESTIONS = tuple(o.value for o in Outcome if o is not Outcome.NONE)
TRIAGE_OUTCOMES = tuple(o.value for o in Outcome if o is not Outcome.OTHER)
