"""A person's decisions at the end of the sequence: collective proceedings recorded, escalation
decided (payment plan, formal notice, hand-off, write-off). Every change is an event."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.drafting import queue
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.reasons import Code, Reason
from assistant.statutory.claims import claims_for
from assistant.statutory.holds import Decision, ProceedingsKind
from assistant.storage import repo
from assistant.storage import statutory as db

if TYPE_CHECKING:
    from assistant.service import Service


def _cancel_customer_drafts(service: Service, customer_id: str, why: Reason) -> list[int]:
    cancelled: list[int] = []
    for invoice in repo.customer_invoices(service.store, customer_id):
        cancelled += queue.cancel_for_invoice(service.store, invoice.number, why, service.actor)
    return cancelled


def set_proceedings(
    service: Service,
    customer_id: str,
    *,
    kind: str | None,
    published: date | None,
    declared: date | None = None,
    clear: bool = False,
) -> dict[str, Any]:
    """Flag a customer in collective proceedings (or record the declaration, or clear it)."""
    customer = service.customer(customer_id)
    store = service.store
    if clear:
        with store.transaction():
            db.set_proceedings(store, customer.id, None, None, None)
            store.record_event("proceedings.cleared", actor=service.actor, customer_id=customer.id)
        return {"customer_id": customer.id, "kind": None}
    current = next((p for p in db.proceedings(store) if p.customer_id == customer.id), None)
    if kind is None and current is not None:
        kind = current.kind
    if published is None and current is not None:
        published = current.published_on
    if kind not in {k.value for k in ProceedingsKind}:
        raise UserError(
            tr(
                "--kind attendu : sauvegarde, redressement ou liquidation",
                "--kind expected: sauvegarde, redressement or liquidation",
            )
        )
    if published is None:
        raise UserError(
            tr(
                "--published : date de publication au BODACC nécessaire",
                "--published: the publication date (BODACC) is required",
            )
        )
    if declared is not None and declared < published:
        raise UserError(tr("déclaration avant la publication ?", "declared before publication?"))
    with store.transaction():
        db.set_proceedings(store, customer.id, kind, published, declared)
        store.record_event(
            "proceedings.recorded",
            actor=service.actor,
            customer_id=customer.id,
            data={
                "kind": kind,
                "published_on": published.isoformat(),
                "declared_on": declared.isoformat() if declared else None,
            },
        )
        why = Reason.of(Code.PROCEEDINGS_OPENED, k_proceedings=kind)
        cancelled = _cancel_customer_drafts(service, customer.id, why)
    return {
        "customer_id": customer.id,
        "kind": kind,
        "published_on": published.isoformat(),
        "declared_on": declared.isoformat() if declared else None,
        "cancelled_drafts": cancelled,
    }


def escalate(
    service: Service, customer_id: str, decision: str, *, on: date, note: str | None = None
) -> dict[str, Any]:
    """Record the escalation decision; the escalation task is done. `notice` creates the
    formal-notice draft; `handoff` and `writeoff` take the customer out of the automatic plan."""
    customer = service.customer(customer_id)
    if decision not in {d.value for d in Decision}:
        raise UserError(
            tr(
                "décision inconnue : {d} (attendu : plan, notice, handoff, writeoff, resume)",
                "unknown decision: {d} (expected: plan, notice, handoff, writeoff, resume)",
                d=decision,
            )
        )
    claims = claims_for(service.store, service.home, customer.id, on)
    numbers = [c.number for c in claims.overdue]
    result: dict[str, Any] = {"customer_id": customer.id, "decision": decision}
    if decision == Decision.NOTICE:
        from assistant.statutory.notice import create_notice

        made = create_notice(service, customer.id, on)
        result |= {"draft_id": made.draft_id, "pdf": str(made.pdf_path)}
    task = next(
        (
            a
            for a in service.plan_for(customer.id, on).actions
            if a.customer_id == customer.id and a.step == "escalation"
        ),
        None,
    )
    store = service.store
    with store.transaction():
        decision_id = db.insert_decision(
            store, customer.id, decision, on, note, numbers, claims.total_cents, service.actor
        )
        if task is not None:
            repo.mark_steps_done(
                store,
                list(task.invoices),
                "escalation",
                on,
                source="decision",
                actor=service.actor,
                channel="task",
            )
        if decision in (Decision.HANDOFF, Decision.WRITEOFF):
            why = Reason.of(
                Code.HANDED_OFF_NOW if decision == Decision.HANDOFF else Code.WRITTEN_OFF_NOW
            )
            result["cancelled_drafts"] = _cancel_customer_drafts(service, customer.id, why)
        store.record_event(
            "escalation.decided",
            actor=service.actor,
            customer_id=customer.id,
            on_date=on,
            data={
                "decision": decision,
                "decision_id": decision_id,
                "note": note,
                "invoices": numbers,
                "amount_cents": claims.total_cents,
                "draft_id": result.get("draft_id"),
            },
        )
    result["invoices"] = numbers
    return result
