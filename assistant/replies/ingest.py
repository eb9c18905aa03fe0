"""Store one message read from the mailbox: dedupe, link, kind effects, a first suggestion.

Linking: a message names the draft it answers in `In-Reply-To` / `References` (a bounce
carries the original `Message-ID`), else its sender's address is a customer's, else its
sender's domain is exactly one customer's (never a public webmail domain, nor ours), else it
is unmatched for a person to assign. Effects: a person's reply holds the customer (the
`reply_pending` hold source reads it); a bounce marks the draft bounced, forgets the step it
had marked done (it never reached the customer) and records the address as invalid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.i18n import tr
from assistant.replies.cleaning import own_words, shown_text
from assistant.replies.kinds import Match, ReplyKind, ReplyStatus
from assistant.replies.parse import ParsedMessage, dedupe_key, parse_message, return_date
from assistant.replies.suggestion import suggest_by_rules
from assistant.storage import replies_repo, repo
from assistant.storage.db import Store


@dataclass(frozen=True)
class LinkContext:
    """What linking needs, read once per batch."""

    own_domains: frozenset[str]
    public_domains: frozenset[str]
    by_address: dict[str, list[str]]

    @classmethod
    def load(
        cls, store: Store, own_domains: frozenset[str], public_domains: frozenset[str]
    ) -> LinkContext:
        return cls(own_domains, public_domains, replies_repo.customers_by_address(store))

    def by_domain(self, domain: str) -> set[str]:
        return {
            cid
            for address, ids in self.by_address.items()
            if address.rpartition("@")[2] == domain
            for cid in ids
        }


@dataclass
class IngestReport:
    read: int = 0
    added: list[int] = field(default_factory=list)
    duplicates: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0
    held: set[str] = field(default_factory=set)  # customers a new reply holds
    invalid: list[str] = field(default_factory=list)  # addresses a bounce proved invalid
    suggested_by_llm: int = 0
    llm_violations: int = 0
    purged: int = 0

    def lines(self) -> list[str]:
        out = [
            tr(
                "{r} message(s) lu(s) : {a} nouveau(x), {d} déjà connu(s)",
                "{r} message(s) read: {a} new, {d} already known",
                r=self.read,
                a=len(self.added),
                d=self.duplicates,
            )
        ]
        if self.added:
            out.append(
                tr(
                    "  réponses : {h} ; réponses automatiques : {a} ; non distribués : {b} ;"
                    " sans client reconnu : {u}",
                    "  replies: {h}; automatic replies: {a}; bounces: {b}; no customer"
                    " recognised: {u}",
                    h=self.kinds[ReplyKind.REPLY],
                    a=self.kinds[ReplyKind.AUTO_REPLY],
                    b=self.kinds[ReplyKind.BOUNCE],
                    u=self.unmatched,
                )
            )
        if self.held:
            out.append(
                tr(
                    "  relances suspendues jusqu'au tri : {c}",
                    "  reminders paused until triaged: {c}",
                    c=", ".join(sorted(self.held)),
                )
            )
        if self.invalid:
            out.append(
                tr(
                    "  adresses invalides (plus aucun envoi) : {a}",
                    "  invalid addresses (nothing more is sent): {a}",
                    a=", ".join(self.invalid),
                )
            )
        if self.purged:
            out.append(
                tr(
                    "  {n} réponse(s) effacée(s) (durée de conservation dépassée)",
                    "  {n} reply(ies) erased (retention period over)",
                    n=self.purged,
                )
            )
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "added": len(self.added),
            "duplicates": self.duplicates,
            "reply_ids": self.added,
            "kinds": {k.value: self.kinds[k] for k in ReplyKind},
            "unmatched": self.unmatched,
            "held": sorted(self.held),
            "invalid_addresses": self.invalid,
            "suggested_by_llm": self.suggested_by_llm,
            "llm_violations": self.llm_violations,
            "purged": self.purged,
        }


def link(
    store: Store, parsed: ParsedMessage, ctx: LinkContext
) -> tuple[Match, str | None, int | None]:
    """(how, customer id, draft id) for a message."""
    drafts = replies_repo.drafts_by_message_id(store, parsed.thread_ids)
    for mid in parsed.thread_ids:  # In-Reply-To first, then the newest reference
        if mid in drafts:
            draft_id, customer_id = drafts[mid]
            return Match.THREAD, customer_id, draft_id
    address = parsed.bounce.recipient if parsed.bounce else parsed.from_address
    ids = ctx.by_address.get(address, [])
    if len(set(ids)) == 1:
        return Match.ADDRESS, ids[0], None
    domain = address.rpartition("@")[2]
    if ids or not domain or domain in ctx.public_domains or domain in ctx.own_domains:
        return Match.NONE, None, None
    owners = ctx.by_domain(domain)
    if len(owners) == 1:
        return Match.DOMAIN, owners.pop(), None
    return Match.NONE, None, None


def ingest(
    store: Store,
    raw: bytes,
    *,
    source: str,
    ctx: LinkContext,
    actor: str,
    arrived: datetime,
    report: IngestReport,
) -> int | None:
    """Store one message (inside the caller's transaction); None if already known."""
    report.read += 1
    if replies_repo.known(store, dedupe_key(raw)):
        report.duplicates += 1
        return None
    parsed = parse_message(raw)
    match, customer_id, draft_id = link(store, parsed, ctx)
    received = parsed.received_at(arrived)
    received_on = received.astimezone().date()
    customer = repo.get_customer(store, customer_id) if customer_id is not None else None
    language = customer.language if customer is not None else "fr"
    cleaned = own_words(parsed.body, ctx.own_domains, parsed.subject)
    text = shown_text(cleaned, language)
    values: dict[str, Any] = {
        "dedupe_key": parsed.dedupe_key,
        "source": source,
        "message_id": parsed.message_id,
        "kind": parsed.kind.value,
        "status": ReplyStatus.NEW.value
        if parsed.kind is ReplyKind.REPLY
        else ReplyStatus.RECORDED.value,
        "customer_id": customer_id,
        "draft_id": draft_id,
        "match": match.value,
        "received_at": received.isoformat(timespec="seconds"),
        "received_on": received_on.isoformat(),
        "from_address": parsed.from_address,
        "from_name": parsed.from_name,
        "subject": parsed.subject,
        "text": text,
        "body": parsed.body,
    }
    if parsed.kind is ReplyKind.REPLY:
        known = replies_repo.customer_invoice_numbers(store, customer_id)
        values["suggestion"] = suggest_by_rules(text, received_on, known).dumps()
    elif parsed.kind is ReplyKind.AUTO_REPLY:
        back = return_date(text or parsed.body, received_on)
        values["return_on"] = back.isoformat() if back else None
    elif parsed.bounce is not None:
        values |= {
            "bounced_address": parsed.bounce.recipient,
            "bounce_status": parsed.bounce.status,
            "bounce_diagnostic": parsed.bounce.diagnostic,
        }
    reply_id = replies_repo.insert(store, values)
    report.added.append(reply_id)
    report.kinds[parsed.kind] += 1
    if customer_id is None:
        report.unmatched += 1
    elif parsed.kind is ReplyKind.REPLY:
        report.held.add(customer_id)
    invoices = replies_repo.draft_invoices(store, draft_id) if draft_id else []
    data: dict[str, Any] = {
        "reply_id": reply_id,
        "kind": parsed.kind.value,
        "match": match.value,
        "invoices": invoices,
        "return_on": values.get("return_on"),
    }
    if parsed.bounce is not None:
        _bounced(store, parsed, reply_id, draft_id, customer_id, received_on, actor, report)
        data["address"] = parsed.bounce.recipient
    store.record_event(
        "customer.replied",
        actor=actor,
        customer_id=customer_id,
        draft_id=draft_id,
        on_date=received_on,
        data=data,
    )
    return reply_id


def _bounced(
    store: Store,
    parsed: ParsedMessage,
    reply_id: int,
    draft_id: int | None,
    customer_id: str | None,
    on: Any,
    actor: str,
    report: IngestReport,
) -> None:
    assert parsed.bounce is not None
    if not parsed.bounce.status.startswith("5") and parsed.bounce.status:
        return  # a temporary failure (4.x.x) proves nothing about the address
    if draft_id is not None and replies_repo.mark_draft_bounced(store, draft_id, on):
        repo.undo_steps(store, draft_id)  # the message never reached the customer
        store.record_event(
            "message.bounced",
            actor=actor,
            customer_id=customer_id,
            draft_id=draft_id,
            on_date=on,
            data={"reply_id": reply_id, "address": parsed.bounce.recipient},
        )
    if parsed.bounce.recipient:
        replies_repo.add_invalid_address(
            store, parsed.bounce.recipient, reply_id, on, parsed.bounce.status
        )
        report.invalid.append(parsed.bounce.recipient)
