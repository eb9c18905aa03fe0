"""Which customer a message belongs to when no thread header names one of our messages: its
sender's address (a bounce: the address that failed), else its domain when exactly one customer
uses it, never a public webmail domain nor our own."""

from __future__ import annotations

from assistant.replies.ingest import LinkContext, link
from assistant.replies.kinds import Match
from assistant.replies.parse import Bounce, ParsedMessage
from assistant.storage.db import Store

CTX = LinkContext(
    own_domains=frozenset({"atelier.example"}),
    public_domains=frozenset({"gmail.com"}),
    by_address={
        "paul@client-un.example": ["C1"],
        "marie@client-deux.example": ["C2"],
        "jo@client-deux.example": ["C2"],
        "compta@groupe.example": ["C3", "C4"],  # one address, two customers
        "a@partage.example": ["C5"],
        "b@partage.example": ["C6"],  # one domain, two customers
        "x@gmail.com": ["C7"],
        "y@atelier.example": ["C8"],
    },
)


def message(sender: str, bounce: str | None = None) -> ParsedMessage:
    failed = Bounce(bounce, "5.1.1", "unknown user", None) if bounce else None
    return ParsedMessage("k", None, [], sender, "", [], "", None, "", bounce=failed)


def test_a_message_is_linked_by_address_then_by_a_domain_of_one_customer(store: Store) -> None:
    assert link(store, message("paul@client-un.example"), CTX) == (Match.ADDRESS, "C1", None)
    assert link(store, message("sophie@client-un.example"), CTX) == (Match.DOMAIN, "C1", None)
    # a domain two addresses of one customer share is still that customer's
    assert link(store, message("new@client-deux.example"), CTX) == (Match.DOMAIN, "C2", None)
    # an address two customers share, a domain two customers use: a person decides
    assert link(store, message("compta@groupe.example"), CTX) == (Match.NONE, None, None)
    assert link(store, message("autre@groupe.example"), CTX) == (Match.NONE, None, None)
    assert link(store, message("c@partage.example"), CTX) == (Match.NONE, None, None)
    # a webmail or our own domain says nothing about who wrote; nor does an address without one
    assert link(store, message("z@gmail.com"), CTX) == (Match.NONE, None, None)
    assert link(store, message("z@atelier.example"), CTX) == (Match.NONE, None, None)
    assert link(store, message("nobody"), CTX) == (Match.NONE, None, None)
    assert link(store, message("odd@name@client-un.example"), CTX) == (Match.DOMAIN, "C1", None)


def test_a_bounce_is_linked_by_the_address_that_failed(store: Store) -> None:
    bounced = message("mailer-daemon@mx.example", bounce="paul@client-un.example")
    assert link(store, bounced, CTX) == (Match.ADDRESS, "C1", None)
    by_domain = message("mailer-daemon@mx.example", bounce="old@client-deux.example")
    assert link(store, by_domain, CTX) == (Match.DOMAIN, "C2", None)


def test_the_domain_of_a_customer_is_the_part_after_the_last_at() -> None:
    ctx = LinkContext(frozenset(), frozenset(), {'"a@b"@client.example': ["C1"]})
    assert ctx.by_domain("client.example") == {"C1"}
    assert ctx.by_domain('b"@client.example') == set()
