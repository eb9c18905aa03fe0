"""A person decides what a reply means; it then acts exactly like a call's outcome.

`promise` pauses, `paid` waits for the funds, `dispute` blocks the invoice, `plan` creates the
schedule (all through `calls.apply_outcome`), `question` holds the customer with a task until
someone answers (triage the reply again once done), `none` does nothing. Triaging lifts the
`reply_pending` hold. On a bounce, `none` means "the address works": it is valid again.
An unmatched reply is assigned to a customer first (`customer_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant import calls
from assistant.choices import one_of
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.replies.kinds import TRIAGE_OUTCOMES, Outcome, ReplyKind, ReplyStatus
from assistant.storage import replies_repo
from assistant.storage.replies_repo import Reply

if TYPE_CHECKING:
    from assistant.service import Service


@dataclass(frozen=True)
class TriageInput:
    outcome: str | None
    date: date | None = None
    amount_cents: int | None = None
    invoice: str | None = None
    instalments: int | None = None
    note: str | None = None
    customer_id: str | None = None  # assign an unmatched reply (or correct the match)


def get_reply(service: Service, reply_id: int) -> Reply:
    reply = replies_repo.get(service.store, reply_id)
    if reply is None:
        raise UserError(tr("réponse inconnue : {i}", "unknown reply: {i}", i=reply_id))
    return reply


def _refuse(reply: Reply, why_fr: str, why_en: str) -> UserError:
    return UserError(f"{tr('réponse', 'reply')} {reply.id}{tr(' : ', ': ')}{tr(why_fr, why_en)}")


def triage(service: Service, reply_id: int, given: TriageInput, *, on: date) -> Reply:
    reply = get_reply(service, reply_id)
    outcome = given.outcome
    if outcome is not None:
        one_of(outcome, TRIAGE_OUTCOMES, fr="résultat inconnu", en="unknown outcome")
    if outcome is None and given.customer_id is None:
        raise UserError(
            tr("--outcome ou --customer est nécessaire", "--outcome or --customer is required")
        )
    if reply.kind == ReplyKind.BOUNCE:
        return _triage_bounce(service, reply, given, on)
    if reply.kind == ReplyKind.AUTO_REPLY and outcome not in (None, Outcome.NONE):
        raise _refuse(
            reply, "réponse automatique, rien à traiter", "automatic reply, nothing to triage"
        )
    reopen = reply.status == ReplyStatus.TRIAGED and reply.outcome == Outcome.QUESTION
    if reply.status == ReplyStatus.TRIAGED and not reopen and outcome is not None:
        raise UserError(
            tr(
                "réponse {i} : déjà traitée ({o})",
                "reply {i}: already triaged ({o})",
                i=reply.id,
                o=reply.outcome,
            )
        )
    store = service.store
    with store.transaction():
        customer_id = reply.customer_id
        if given.customer_id is not None:
            customer_id = service.customer(given.customer_id).id
            replies_repo.assign(store, reply.id, customer_id)
            store.record_event(
                "reply.assigned",
                actor=service.actor,
                customer_id=customer_id,
                on_date=on,
                data={"reply_id": reply.id, "was": reply.customer_id},
            )
        if outcome is not None:
            _apply(service, reply, customer_id, outcome, given, on)
    return get_reply(service, reply_id)


def _apply(
    service: Service,
    reply: Reply,
    customer_id: str | None,
    outcome: str,
    given: TriageInput,
    on: date,
) -> None:
    effects: dict[str, Any] = {}
    if outcome in (Outcome.PROMISE, Outcome.PAID, Outcome.DISPUTE, Outcome.PLAN):
        if customer_id is None:
            raise _refuse(
                reply,
                "aucun client : --customer CODE d'abord",
                "no customer: --customer ID first",
            )
        note = given.note
        if outcome == Outcome.DISPUTE and not note:
            note = tr(
                "contestation par e-mail (réponse n° {i})",
                "disputed by e-mail (reply #{i})",
                i=reply.id,
            )
        effects = calls.apply_outcome(
            service,
            service.customer(customer_id),
            str(outcome),
            on=on,
            promised=given.date,
            amount_cents=given.amount_cents,
            instalments=given.instalments,
            invoice=given.invoice,
            note=note,
            source="reply",
        )
    elif outcome == Outcome.QUESTION and customer_id is None:
        raise _refuse(
            reply, "aucun client : --customer CODE d'abord", "no customer: --customer ID first"
        )
    suggested = reply.suggestion.outcome if reply.suggestion else None
    data: dict[str, Any] = {
        "outcome": outcome,
        "suggested": suggested,
        "confirmed": suggested == outcome or (suggested == Outcome.OTHER and outcome == "none"),
        "date": given.date.isoformat() if given.date else None,
        "amount_cents": given.amount_cents,
        "invoice": given.invoice,
        "instalments": given.instalments,
        "note": given.note,
        **effects,
    }
    if reply.triage and reply.outcome == Outcome.QUESTION:
        data["previous"] = reply.triage  # a question answered: keep what it was
    replies_repo.set_triage(service.store, reply.id, outcome, data, service.actor, on)
    service.store.record_event(
        "reply.triaged",
        actor=service.actor,
        customer_id=customer_id,
        invoice_number=given.invoice,
        draft_id=reply.draft_id,
        on_date=on,
        data={"reply_id": reply.id, **{k: v for k, v in data.items() if k != "previous"}},
    )


def _triage_bounce(service: Service, reply: Reply, given: TriageInput, on: date) -> Reply:
    if given.outcome not in (None, Outcome.NONE) or given.customer_id is not None:
        raise _refuse(
            reply,
            "non distribué : seul --outcome none (l'adresse fonctionne) est possible",
            "bounce: only --outcome none (the address works) is possible",
        )
    store = service.store
    with store.transaction():
        cleared = replies_repo.clear_invalid_address(
            store, reply.bounced_address or "", service.actor, on
        )
        replies_repo.set_triage(
            store, reply.id, "none", {"outcome": "none", "address_valid": True}, service.actor, on
        )
        store.record_event(
            "address.cleared",
            actor=service.actor,
            customer_id=reply.customer_id,
            on_date=on,
            data={"reply_id": reply.id, "address": reply.bounced_address, "cleared": cleared},
        )
    return get_reply(service, reply.id)
