"""The review queue: list, show, edit, approve, reject, cancel drafts. Every change is an event.

The statuses and the moves allowed between them: `assistant/storage/drafts_lifecycle.py`.
Approving marks the step done for the engine; rejecting does too (source "rejected"), so the
planner moves on instead of proposing the refused message every day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.choices import one_of
from assistant.delivery.attachments import Attachment
from assistant.drafting.conflicts import StaleDraft
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.labels import status_label
from assistant.money import cents_to_str
from assistant.reasons import Reason, code_of, render
from assistant.safetext import one_line
from assistant.storage import drafts_repo, repo
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import (
    BOUNCED,
    LISTED,
    OPEN,
    DraftStatus,
    move,
    update_if,
)
from assistant.storage.reason_columns import error_fields, read

STATUSES = LISTED  # every stored status, then BOUNCED (shown for a sent draft that bounced)


@dataclass
class DraftView:
    id: int
    customer_id: str
    customer_name: str
    step: str
    channel: str
    language: str
    status: str
    recipient: str | None
    cc: list[str]
    subject: str
    body: str
    template_name: str
    template_subject: str
    template_body: str
    source: str
    violations: list[str]
    invoices: list[str]
    segment: str | None
    tone: str | None
    tone_adjustment: str | None
    policy_version: str
    plan_date: str
    scheduled_for: str
    total_cents: int
    currency: str
    max_days_late: int
    reason: Reason | str  # a code (str: a row stored before codes); render() at the edge
    edited: bool
    reject_reason: str | None
    error: Reason | str | None  # the error note, as `reason`
    parent_id: int | None
    sent_at: str | None
    created_at: str
    instalment_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # fact checks of the current text (a person's edit included); `violations` are the LLM's
    checks: list[str] = field(default_factory=list)
    override_reason: str | None = None  # approved despite `checks`, and why
    # the policy version the text was last re-rendered against (None: the drafting one)
    checked_version: str | None = None
    attachments: list[Attachment] | None = None  # filled for one draft shown (not in lists)
    # who edited, approved, rejected, sent it (people only; filled for one draft shown)
    by: dict[str, str] | None = None
    version: int = 1  # counted at every change: a write names the version it read
    claim: dict[str, str] | None = None  # who has it open, until when (one draft shown)

    def as_json(self) -> dict[str, Any]:
        """`drafts --json` keys (docs/contracts.md), then ours; `by` for one draft shown."""
        return (
            self._json()
            | ({} if self.by is None else {"by": self.by})
            | ({} if self.claim is None else {"claim": self.claim})
        )

    def _json(self) -> dict[str, Any]:
        """`drafts --json` keys (docs/contracts.md), then ours (money as decimal strings)."""
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "step": self.step,
            "channel": self.channel,
            "language": self.language,
            "status": self.status,
            "subject": self.subject,
            "body": self.body,
            "template_body": self.template_body,
            "source": self.source,
            "violations": self.violations,
            "invoices": self.invoices,
            "customer_name": self.customer_name,
            "recipient": self.recipient,
            "cc": self.cc,
            "template_subject": self.template_subject,
            "segment": self.segment,
            "tone": self.tone,
            "tone_adjustment": self.tone_adjustment,
            "policy_version": self.policy_version,
            "plan_date": self.plan_date,
            "scheduled_for": self.scheduled_for,
            "total": cents_to_str(self.total_cents),
            "currency": self.currency,
            "max_days_late": self.max_days_late,
            "reason": render(self.reason),
            "edited": self.edited,
            "reject_reason": self.reject_reason,
            "error": render(self.error) if self.error is not None else None,
            "parent_id": self.parent_id,
            "sent_at": self.sent_at,
            "created_at": self.created_at,
            "instalment_id": self.instalment_id,
            "checks": self.checks,
            "override_reason": self.override_reason,
            "reason_code": code_of(self.reason),
            "error_code": code_of(self.error),
            "version": self.version,
        } | (
            {}
            if self.attachments is None
            else {"attachments": [a.as_json() for a in self.attachments]}
        )

    @property
    def passed_checks(self) -> bool:
        """The current text states only the message's facts (LLM attempts replaced by the
        template do not count)."""
        return not self.checks


def _json_list(text: str | None) -> list[Any]:
    """A JSON list column; most are empty, read without the parser (lists of 10,000 drafts)."""
    return [] if not text or text == "[]" else json.loads(text)


def _view(row: dict[str, Any]) -> DraftView:
    return DraftView(
        id=row["id"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        step=row["step"],
        channel=row["channel"],
        language=row["language"],
        status=BOUNCED
        if row.get("bounced_on") and row["status"] == DraftStatus.SENT
        else DraftStatus(row["status"]),
        recipient=row["recipient"],
        cc=_json_list(row["cc"]),
        subject=row["subject"],
        body=row["body"],
        template_name=row["template_name"],
        template_subject=row["template_subject"],
        template_body=row["template_body"],
        source=row["source"],
        violations=_json_list(row["violations"]),
        invoices=row["numbers"].split("\x1f") if row["numbers"] else [],
        segment=row["segment"],
        tone=row["tone"],
        tone_adjustment=row["tone_adjustment"],
        policy_version=row["policy_version"],
        plan_date=row["plan_date"],
        scheduled_for=row["scheduled_for"],
        total_cents=row["total_cents"],
        currency=row["currency"],
        max_days_late=row["max_days_late"],
        reason=read(row, "reason") or "",
        edited=bool(row["edited"]),
        reject_reason=row["reject_reason"],
        error=read(row, "error"),
        parent_id=row["parent_id"],
        sent_at=row["sent_at"],
        created_at=row["created_at"],
        instalment_id=row["instalment_id"],
        checks=_json_list(row["checks"]),
        override_reason=row["override_reason"],
        checked_version=row["checked_version"],
        version=int(row.get("version") or 1),
    )


def list_drafts(store: Store, status: str | None = None, *, texts: bool = True) -> list[DraftView]:
    """Drafts by id; `texts=False` leaves subject and bodies empty (fast lists of thousands)."""
    if status is not None:
        one_of(status, STATUSES, fr="statut inconnu", en="unknown status")
    bounced = None
    if status in (DraftStatus.SENT, BOUNCED):
        status, bounced = DraftStatus.SENT, status == BOUNCED
    rows = drafts_repo.draft_rows(store, status, bounced=bounced, texts=texts)
    return [_view(r) for r in rows]


def outdated_drafts(store: Store, policy_version: str) -> list[DraftView]:
    """Pending and approved drafts last rendered under another policy version."""
    return [_view(r) for r in drafts_repo.outdated_rows(store, policy_version)]


MAX_ID = 2**63 - 1  # SQLite integers: a larger id cannot exist


def get_draft(store: Store, draft_id: int) -> DraftView:
    row = drafts_repo.draft_row(store, draft_id) if 0 < draft_id <= MAX_ID else None
    if row is None:
        raise UserError(tr("brouillon inconnu : {i}", "unknown draft: {i}", i=draft_id))
    return _view(row)


def _require(view: DraftView, *allowed: str) -> None:
    if view.status not in allowed:
        raise UserError(
            tr(
                "brouillon {i} : statut « {s} », action impossible (il faudrait : {a})",
                "draft {i}: status '{s}', not possible (expected: {a})",
                i=view.id,
                s=status_label(view.status),
                a=", ".join(status_label(a) for a in allowed),
            )
        )


def _move(
    store: Store, draft_id: int, old: str, new: DraftStatus, *, seen: int, **values: Any
) -> None:
    """The draft goes from `old` to `new` if it is still at version `seen` (the one read):
    `StaleDraft` (the one line naming who changed it) otherwise."""
    if not move(store, draft_id, old, new, seen=seen, **values):
        raise StaleDraft(store, draft_id, seen, old)


def _set(store: Store, draft_id: int, status: str, *, seen: int, **values: Any) -> None:
    """Other columns of a draft still in `status` at version `seen` (its text, its checks)."""
    if not update_if(store, draft_id, status, seen=seen, **values):
        raise StaleDraft(store, draft_id, seen, status)


def _check_seen(store: Store, view: DraftView, seen: int | None, expected: str) -> None:
    """The person saw version `seen` (None: the one just read): refuse if it moved since."""
    if seen is not None and seen != view.version:
        raise StaleDraft(store, view.id, seen, expected)


def _mark_step(store: Store, view: DraftView, on: date, source: str, actor: str) -> None:
    """The engine moves on: the draft's step is done (sent later, or refused by a person)."""
    repo.mark_steps_done(
        store,
        view.invoices,
        view.step,
        on,
        source=source,
        actor=actor,
        channel=view.channel,
        draft_id=view.id,
        instalment_id=view.instalment_id,
    )


def approve(
    store: Store,
    draft_id: int,
    on: date,
    actor: str,
    override: str | None = None,
    *,
    seen: int | None = None,
) -> DraftView:
    """A person's yes. A text that fails the fact checks needs `override`: the reason,
    recorded with the checks it overrides. `seen`: the version the person saw."""
    view = get_draft(store, draft_id)
    _check_seen(store, view, seen, DraftStatus.PENDING)
    if view.status == DraftStatus.APPROVED:  # a second yes: say so, change nothing
        raise UserError(
            tr(
                "brouillon {i} : déjà approuvé, rien à faire",
                "draft {i}: already approved, nothing to do",
                i=draft_id,
            )
        )
    _require(view, DraftStatus.PENDING)
    override = (override or "").strip() or None
    if view.checks and override is None:
        raise UserError(
            tr(
                "brouillon {i} : le texte ne passe pas les contrôles ({c}) ; corrigez-le,"
                " ou approuvez en donnant un motif (--override MOTIF)",
                "draft {i}: the text fails the checks ({c}); correct it, or approve with"
                " a reason (--override REASON)",
                i=draft_id,
                c=" ; ".join(view.checks),
            )
        )
    if view.channel in ("email", "internal") and not view.recipient:
        raise UserError(
            tr(
                "brouillon {i} : pas d'adresse e-mail pour {c}, complétez la fiche client",
                "draft {i}: no e-mail address for {c}, complete the customer record",
                i=draft_id,
                c=view.customer_id,
            )
        )
    if view.channel == "sms" and not view.recipient:
        raise UserError(
            tr(
                "brouillon {i} : pas de numéro de téléphone",
                "draft {i}: no phone number",
                i=draft_id,
            )
        )
    with store.transaction():
        _move(
            store,
            draft_id,
            view.status,
            DraftStatus.APPROVED,
            seen=view.version,
            override_reason=override if view.checks else None,
        )
        if view.channel != "internal":
            _mark_step(store, view, on, "draft", actor)
        data: dict[str, Any] = {"step": view.step, "edited": view.edited}
        if view.checks:
            data |= {"override": override, "checks": view.checks}
        store.record_event(
            "draft.approved",
            actor=actor,
            customer_id=view.customer_id,
            draft_id=draft_id,
            on_date=on,
            data=data,
        )
    return get_draft(store, draft_id)


def reject(
    store: Store, draft_id: int, reason: str, on: date, actor: str, *, seen: int | None = None
) -> DraftView:
    view = get_draft(store, draft_id)
    _check_seen(store, view, seen, DraftStatus.PENDING)
    _require(view, DraftStatus.PENDING)
    if not reason.strip():
        raise UserError(tr("un motif de rejet est nécessaire", "a rejection reason is required"))
    with store.transaction():
        _move(
            store,
            draft_id,
            view.status,
            DraftStatus.REJECTED,
            seen=view.version,
            reject_reason=reason.strip(),
        )
        if view.channel == "email":
            _mark_step(store, view, on, "rejected", actor)
        store.record_event(
            "draft.rejected",
            actor=actor,
            customer_id=view.customer_id,
            draft_id=draft_id,
            on_date=on,
            data={"reason": reason.strip()},
        )
    return get_draft(store, draft_id)


def edit(
    store: Store,
    draft_id: int,
    subject: str | None,
    body: str,
    actor: str,
    checks: list[str] | None = None,
    *,
    seen: int | None = None,
) -> DraftView:
    """A person's edit: kept as is (it is never rendered as a template), marked as edited,
    with the fact checks of the new text (`checks`, computed by the caller). `seen`: the
    version the person edited."""
    view = get_draft(store, draft_id)
    _check_seen(store, view, seen, DraftStatus.PENDING)
    _require(view, DraftStatus.PENDING)
    if not body.strip():
        raise UserError(tr("le texte ne peut pas être vide", "the text cannot be empty"))
    new_subject = view.subject if subject is None else one_line(subject)
    if new_subject == view.subject and body == view.body:
        return view
    checks = view.checks if checks is None else checks
    with store.transaction():
        _set(
            store,
            draft_id,
            view.status,
            seen=view.version,
            subject=new_subject,
            body=body,
            edited=1,
            checks=json.dumps(checks, ensure_ascii=False),
        )
        store.record_event(
            "draft.edited",
            actor=actor,
            customer_id=view.customer_id,
            draft_id=draft_id,
            data={
                "subject_changed": new_subject != view.subject,
                "body_changed": body != view.body,
                "checks": checks,
            },
        )
    return get_draft(store, draft_id)


def cancel_for_invoice(store: Store, invoice_number: str, why: Reason, actor: str) -> list[int]:
    """The situation changed (dispute, payment, promise): drafts naming this invoice that have
    not left yet are cancelled, and the steps they marked done are forgotten."""
    rows = drafts_repo.open_drafts_naming(store, invoice_number)
    for row in rows:
        _move(
            store, row.id, row.status, DraftStatus.CANCELLED, seen=row.version, **error_fields(why)
        )
        if row.status == DraftStatus.APPROVED:
            repo.undo_steps(store, row.id)
        store.record_event(
            "draft.cancelled",
            actor=actor,
            customer_id=row.customer_id,
            draft_id=row.id,
            invoice_number=invoice_number,
            data={"why": render(why), "was": row.status.value},
        )
    return [r.id for r in rows]


def set_checked_version(store: Store, draft_id: int, version: str) -> None:
    """The draft reads the same under the policy now in effect (its drafting version stays:
    results count a message under the policy it was written with)."""
    drafts_repo.set_checked_version(store, draft_id, version)


def withdraw(store: Store, view: DraftView, actor: str, *, why: str) -> None:
    """A pending or approved draft gives way to a new version: `superseded`; an approval is
    withdrawn and the steps it marked done are reopened (inside the caller's transaction)."""
    _require(view, *OPEN)
    _move(store, view.id, view.status, DraftStatus.SUPERSEDED, seen=view.version)
    if view.status == DraftStatus.APPROVED:
        repo.undo_steps(store, view.id)
    store.record_event(
        "draft.superseded",
        actor=actor,
        customer_id=view.customer_id,
        draft_id=view.id,
        data={"why": why, "was": view.status},
    )


def unapprove(store: Store, draft_id: int, actor: str, *, seen: int | None = None) -> DraftView:
    """Back to pending, until the send starts: the approval is withdrawn, its step reopened."""
    view = get_draft(store, draft_id)
    _check_seen(store, view, seen, DraftStatus.APPROVED)
    _require(view, DraftStatus.APPROVED)
    with store.transaction():
        _move(
            store,
            draft_id,
            view.status,
            DraftStatus.PENDING,
            seen=view.version,
            override_reason=None,
        )
        repo.undo_steps(store, draft_id)
        store.record_event(
            "draft.unapproved",
            actor=actor,
            customer_id=view.customer_id,
            draft_id=draft_id,
            data={"step": view.step},
        )
    return get_draft(store, draft_id)
