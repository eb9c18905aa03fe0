"""The send loop: approved -> sending -> sent | failed, exactly once (moves: drafts_lifecycle).

`sending` is committed before the message leaves and `sent` right after, each in its own
transaction. A crash in between leaves the draft in `sending`: it is reported as stuck for a
person to check, never resent blindly. Right before sending, the draft is checked again: an
invoice disputed, paid, credited, partly paid (the amounts would be wrong) or under a promise
to pay since approval, or a customer marked do-not-contact, cancels the draft instead.

Transient errors are retried with exponential backoff; a draft still failing stays `approved`
(retried next run). When the server itself is unavailable, or the configuration is wrong
(authentication, TLS), the batch stops: the drafts not tried stay `approved`, none fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from assistant.delivery.attachments import AttachmentRefused, read_attachment
from assistant.delivery.message import BuildError, build_email, message_id
from assistant.delivery.pacing import Pacing, pace
from assistant.delivery.transports import (
    EmailTransport,
    EmlOutbox,
    FileSmsOutbox,
    PermanentError,
    SetupError,
    SmsProvider,
    SmtpTransport,
    TransientError,
)
from assistant.drafting import queue
from assistant.drafting.queue import DraftView
from assistant.drafting.templates import TemplateStore
from assistant.errors import PolicyError, UserError
from assistant.i18n import tr
from assistant.labels import status_label
from assistant.reasons import Code, Reason, render
from assistant.rules.holds import Holds, load_holds
from assistant.rules.promises import PromiseState, load_promises
from assistant.safetext import control_in
from assistant.storage import balances, drafts_repo, invoices_repo, repo
from assistant.storage import drafts_lifecycle as lifecycle
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus
from assistant.storage.reason_columns import error_fields
from assistant.storage.replies_repo import addresses
from assistant.storage.review import Delivered, delivered_messages
from assistant.team import DIGEST_STEP

# Up to this many customers in a batch, the re-check reads only theirs (promises, holds).
SCOPED_RECHECK_MAX = 500


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)  # transient errors: retried next run
    stuck: list[int] = field(default_factory=list)
    would_send: list[int] = field(default_factory=list)  # --dry-run
    held: list[int] = field(default_factory=list)  # minimum gap: stays approved, sent later
    # approved drafts replaced by a new version (policy or company facts changed): to review
    renewed: list[int] = field(default_factory=list)
    error: str | None = None  # why the batch stopped early (server down, bad configuration)
    destination: str = ""  # where messages go: the SMTP server, or the outbox folder
    reasons: dict[int, Reason] = field(default_factory=dict)  # why a draft was cancelled or held

    def summary(self, *, with_error: bool = True) -> str:
        text = tr(
            "Envoyés : {s} ; échecs : {f} ; annulés : {c} ; à réessayer : {d}",
            "Sent: {s}; failed: {f}; cancelled: {c}; to retry: {d}",
            s=len(self.sent),
            f=len(self.failed),
            c=len(self.cancelled),
            d=len(self.deferred),
        )
        if self.error and with_error:
            text += tr(" — envoi interrompu : {e}", " — sending stopped: {e}", e=self.error)
        return text

    def as_json(self) -> dict[str, object]:
        """`send --json` (docs/contracts.md): counts and stuck ids, then details."""
        return {
            "sent": len(self.sent),
            "failed": len(self.failed),
            "cancelled": len(self.cancelled),
            "stuck": self.stuck,
            "deferred": len(self.deferred),
            "sent_ids": self.sent,
            "failed_ids": self.failed,
            "cancelled_ids": self.cancelled,
            "deferred_ids": self.deferred,
            "would_send": self.would_send,
            "held_ids": self.held,
            "renewed_ids": self.renewed,
            "destination": self.destination,
            "error": self.error,
        }


class _StopBatch(Exception):
    """The server is unavailable or the configuration wrong: no other draft is tried."""


@dataclass
class Sender:
    store: Store
    email: EmailTransport
    sms: SmsProvider
    sender: str
    sender_name: str
    reply_to: str | None
    actor: str
    templates: TemplateStore | None = None  # for the optional HTML part of a template
    promise_grace_days: int = 0
    min_gap_days: int = 0  # between two messages to one customer, checked right before sending
    attachments_root: Path | None = None  # RELANCE_ATTACHMENTS_DIR
    retries: int = 3
    backoff_s: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def destination(self) -> str:
        """Where the e-mails (and SMS) go, in words: never a password."""
        email = self.email
        if isinstance(email, SmtpTransport):
            where = tr(
                "serveur SMTP {h}:{p} ({t})",
                "SMTP server {h}:{p} ({t})",
                h=email.host,
                p=email.port,
                t=email.tls,
            )
        elif isinstance(email, EmlOutbox):
            where = tr(
                "fichiers .eml dans {f} (aucun serveur SMTP configuré)",
                ".eml files in {f} (no SMTP server configured)",
                f=email.folder,
            )
        else:
            where = type(email).__name__
        if isinstance(self.sms, FileSmsOutbox):
            where += tr(" ; SMS dans {f}", "; SMS in {f}", f=self.sms.folder / "outbox.jsonl")
        return where

    def run(
        self, *, dry_run: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> SendReport:
        sending = queue.list_drafts(self.store, DraftStatus.SENDING)
        # stuck: left in `sending` by a run that ended (not one sending it right now elsewhere)
        report = SendReport(stuck=[d.id for d in sending if not self.store.sent_elsewhere(d.id)])
        report.destination = self.destination()
        drafts = queue.list_drafts(self.store, DraftStatus.APPROVED)
        # the re-check reads only the customers of the drafts to send (and every address hold);
        # a large batch reads everything at once (cheaper than thousands of customer ids)
        customers: set[str] | None = {d.customer_id for d in drafts}
        if len(customers) > SCOPED_RECHECK_MAX:
            customers = None
        promises = self._latest_promises(customers)
        holds = load_holds(self.store, self.store.today(), customers)
        planned: dict[str, list[Delivered]] = {}  # dry run: what this batch would deliver
        try:
            for i, draft in enumerate(drafts):
                if progress is not None:
                    progress(i, len(drafts))
                if draft.channel == "letter" and not draft.recipient:
                    continue  # a letter to post only: `relance notice ID --posted` settles it
                why = self._blocked(draft, promises, holds)
                if why is None:
                    paced = self._pace(draft, planned.get(draft.customer_id, []))
                    why = paced.cancel
                    if paced.hold is not None and why is None:
                        if not dry_run:
                            self._hold(draft, paced.hold)
                        report.held.append(draft.id)
                        report.reasons[draft.id] = paced.hold
                        continue
                if why is not None:
                    report.reasons[draft.id] = why
                if dry_run and why is None:
                    planned.setdefault(draft.customer_id, []).append(self._as_delivered(draft))
                if dry_run:
                    (report.cancelled if why else report.would_send).append(draft.id)
                elif why:
                    self._cancel(draft, why)
                    report.cancelled.append(draft.id)
                else:
                    try:
                        self._deliver(draft, report)
                    except _StopBatch as stop:
                        report.error = str(stop)
                        self._leave_for_later(drafts[i + 1 :], report)
                        break
        finally:
            self.email.close()
        if progress is not None:
            progress(len(drafts), len(drafts))
        return report

    # -- the re-check right before sending ------------------------------------------------
    def _latest_promises(self, customer_ids: Collection[str] | None) -> dict[str, PromiseState]:
        """The latest promise per invoice and per customer (key `customer:<id>`), of these
        customers and their invoices."""
        today = self.store.today()
        latest: dict[str, PromiseState] = {}
        found = load_promises(self.store, self.promise_grace_days, customer_ids=customer_ids)
        for p in found:  # by made_on: latest wins
            if p.made_on <= today:
                latest[p.invoice_number or f"customer:{p.customer_id}"] = p
        return latest

    def _open_promise(
        self, promises: dict[str, PromiseState], number: str, customer_id: str
    ) -> PromiseState | None:
        """As the planner decides: the later of the invoice's and the customer's promise."""
        found = [p for p in (promises.get(number), promises.get(f"customer:{customer_id}")) if p]
        if not found:
            return None
        latest = max(found, key=lambda p: (p.made_on, p.id))
        today, grace = self.store.today(), self.promise_grace_days
        return latest if latest.status(today, grace) == "open" else None

    def _blocked(
        self, draft: DraftView, promises: dict[str, PromiseState], holds: Holds
    ) -> Reason | None:
        """Why this approved draft must not leave any more (None: it may)."""
        if draft.step == DIGEST_STEP:  # about many customers: only a bounced address stops it
            hold = holds.blocking("", (), addresses(draft.recipient))
            return hold.reason if hold is not None else None
        recipients = [*addresses(draft.recipient), *draft.cc] if draft.channel == "email" else []
        hold = holds.blocking(draft.customer_id, draft.invoices, recipients)
        if hold is not None:
            return hold.reason
        then = drafts_repo.outstanding_when_drafted(self.store, draft.id)
        for number in draft.invoices:
            invoice = repo.get_invoice(self.store, number)
            if invoice is None:
                return Reason.of(Code.INVOICE_REMOVED, n=number)
            if invoice.status.value != "open" or invoice.outstanding_cents <= 0:
                status = "paid" if invoice.outstanding_cents <= 0 else invoice.status.value
                return Reason.of(Code.INVOICE_NOW, n=number, s_status=status)
            if number in then and invoice.outstanding_cents != then[number]:
                return Reason.of(Code.OUTSTANDING_CHANGED, n=number)
            promise = self._open_promise(promises, number, draft.customer_id)
            if promise is not None:
                return Reason.of(Code.PROMISE_OPEN, d=promise.promised_date.isoformat())
        if draft.channel != "internal" and (credit := self._new_credit(draft)):
            return credit
        contact = draft.channel != "internal"
        if contact and invoices_repo.do_not_contact(self.store, draft.customer_id):
            return Reason.of(Code.DO_NOT_CONTACT)
        return None

    def _new_credit(self, draft: DraftView) -> Reason | None:
        """An unallocated credit now lowers what the customer owes below the draft's total
        (rules/balance.py): the message would ask for too much."""
        today = self.store.today()
        credit = sum(
            c.money.cents
            for c in balances.credits_of(self.store, draft.customer_id)
            if c.money.currency == draft.currency and c.on_date <= today
        )
        if not credit:
            return None
        gross = drafts_repo.drafted_total(self.store, draft.id)
        if draft.total_cents <= max(gross - credit, 0):
            return None
        return Reason.of(
            Code.CREDIT_EXCEEDS,
            c_cents=credit,
            t_cents=draft.total_cents,
            currency=draft.currency,
        )

    def _pace(self, draft: DraftView, planned: list[Delivered]) -> Pacing:
        history = delivered_messages(self.store, [draft.customer_id]) + planned
        return pace(draft, history, self.store.today(), self.min_gap_days)

    def _as_delivered(self, draft: DraftView) -> Delivered:
        return Delivered(
            draft.customer_id,
            self.store.today(),
            draft.step,
            draft.channel,
            tuple(draft.invoices),
            draft.id,
            draft.plan_date,
        )

    def _hold(self, draft: DraftView, why: Reason) -> None:
        """Not yet (minimum gap): the draft stays approved with the reason, for a later run."""
        with self.store.transaction():
            lifecycle.update_if(self.store, draft.id, DraftStatus.APPROVED, **error_fields(why))
            self.store.record_event(
                "draft.held",
                actor=self.actor,
                customer_id=draft.customer_id,
                draft_id=draft.id,
                data={"why": render(why)},
            )

    def _cancel(self, draft: DraftView, why: Reason) -> None:
        with self.store.transaction():
            self._set_status(
                draft.id, DraftStatus.APPROVED, DraftStatus.CANCELLED, **error_fields(why)
            )
            repo.undo_steps(self.store, draft.id)
            self.store.record_event(
                "draft.cancelled",
                actor=self.actor,
                customer_id=draft.customer_id,
                draft_id=draft.id,
                data={"why": render(why), "was": DraftStatus.APPROVED, "at": "send"},
            )

    # -- delivery ---------------------------------------------------------------------------
    def _set_status(self, draft_id: int, old: str, new: str, **extra: object) -> bool:
        return lifecycle.move(self.store, draft_id, old, new, **extra)

    def _deliver(self, draft: DraftView, report: SendReport) -> None:
        try:
            message = self._build(draft)
        except BuildError as exc:  # this draft only: it fails with the reason, the batch goes on
            self._finish(draft, DraftStatus.FAILED, str(exc), was=DraftStatus.APPROVED)
            report.failed.append(draft.id)
            return
        mid = message_id(draft, self.sender) if draft.channel != "sms" else None
        with self.store.transaction():
            if not self._set_status(  # the text built is the version read: a CAS on it
                draft.id, DraftStatus.APPROVED, DraftStatus.SENDING, seen=draft.version,
                message_id=mid,
            ):  # fmt: skip
                return  # another process took it, or a person changed it since it was read
            self.store.hold_sending(draft.id)  # others see it in progress, not stuck
        try:
            self._send_claimed(draft, message, report)
        finally:
            self.store.release_sending(draft.id)

    def _send_claimed(
        self, draft: DraftView, message: EmailMessage | None, report: SendReport
    ) -> None:
        error: str | None = None
        for attempt in range(self.retries + 1):
            drafts_repo.count_attempt(self.store, draft.id)
            try:
                note = self._send_one(draft, message)
                break
            except PermanentError as exc:
                self._finish(draft, DraftStatus.FAILED, str(exc))
                report.failed.append(draft.id)
                return
            except SetupError as exc:
                self._back_to_approved(draft, str(exc))
                report.deferred.append(draft.id)
                raise _StopBatch(str(exc)) from exc
            except TransientError as exc:
                error = str(exc)
                if attempt < self.retries:
                    self.sleep(self.backoff_s * 2**attempt)
                elif exc.server_wide:
                    self._back_to_approved(draft, error)
                    report.deferred.append(draft.id)
                    raise _StopBatch(error) from exc
        else:
            self._back_to_approved(draft, error)
            report.deferred.append(draft.id)
            return
        self._finish(draft, DraftStatus.SENT, note)
        report.sent.append(draft.id)

    def _back_to_approved(self, draft: DraftView, error: str | None) -> None:
        with self.store.transaction():
            self._set_status(
                draft.id, DraftStatus.SENDING, DraftStatus.APPROVED, **error_fields(_said(error))
            )
            self.store.record_event(
                "message.deferred",
                actor=self.actor,
                customer_id=draft.customer_id,
                draft_id=draft.id,
                data={"error": error},
            )

    def _leave_for_later(self, rest: list[DraftView], report: SendReport) -> None:
        """The batch stopped: drafts not tried stay approved, with the reason shown."""
        note = error_fields(Reason.of(Code.NOT_TRIED, e=report.error or ""))
        with self.store.transaction():
            for draft in rest:
                if lifecycle.update_if(self.store, draft.id, DraftStatus.APPROVED, **note):
                    report.deferred.append(draft.id)

    def _build(self, draft: DraftView) -> EmailMessage | None:
        """The e-mail of an approved draft (None for an SMS); BuildError when it cannot be."""
        if draft.channel == "sms":
            if not (draft.recipient or "").strip() or control_in(draft.recipient or ""):
                raise BuildError(tr("numéro de téléphone invalide", "invalid phone number"))
            return None
        return build_email(
            draft,
            sender=self.sender,
            sender_name=self.sender_name,
            reply_to=self.reply_to,
            now=self.store.clock(),
            attachments=self._attachments(draft),
            html=self._html(draft),
        )

    def _send_one(self, draft: DraftView, message: EmailMessage | None) -> str | None:
        if message is None:
            self.sms.send(draft.recipient or "", draft.body, f"draft-{draft.id}")
            return None
        return self.email.send(message)

    def _html(self, draft: DraftView) -> str | None:
        if self.templates is None:
            return None
        context = {"subject": draft.subject, "company_name": self.sender_name}
        try:
            return self.templates.render_html(
                draft.template_name, draft.body, context | {"language": draft.language}
            )
        except PolicyError as exc:
            raise BuildError(str(exc)) from exc

    def _attachments(self, draft: DraftView) -> list[tuple[str, bytes]]:
        """The formal notice's own PDF for a letter, then the invoice PDFs, checked again (a
        file changed since the import fails the draft)."""
        found: list[tuple[str, bytes]] = []
        if draft.channel == "letter":  # the formal notice itself, as approved
            from assistant.storage.statutory import notice_pdf_path

            letter = notice_pdf_path(self.store, draft.id)
            if letter is None or not Path(letter).is_file():  # this draft fails, not the batch
                raise BuildError(tr("PDF de la lettre introuvable", "letter PDF not found"))
            found.append((Path(letter).name, Path(letter).read_bytes()))
        for number in draft.invoices:
            invoice = repo.get_invoice(self.store, number)
            if invoice is None or not invoice.pdf_path:
                continue
            try:
                found.append(read_attachment(invoice.pdf_path, self.attachments_root))
            except AttachmentRefused as exc:
                raise BuildError(
                    tr("pièce jointe refusée : {e}", "attachment refused: {e}", e=exc)
                ) from None
        return found

    def _finish(
        self,
        draft: DraftView,
        status: DraftStatus,
        error: str | None,
        *,
        was: DraftStatus = DraftStatus.SENDING,
    ) -> None:
        """`sent` (error: a note, e.g. a Cc refused) or `failed` (the server's words)."""
        with self.store.transaction():
            now = self.store.now_iso()
            extra: dict[str, object] = error_fields(_said(error))
            if status == DraftStatus.SENT:
                extra["sent_at"] = now
            self._set_status(draft.id, was, status, **extra)
            if status == DraftStatus.FAILED:
                repo.undo_steps(self.store, draft.id)
            self.store.record_event(
                "message.sent" if status == DraftStatus.SENT else "message.failed",
                actor=self.actor,
                customer_id=draft.customer_id,
                draft_id=draft.id,
                on_date=self.store.today(),
                data={
                    "channel": draft.channel,
                    "step": draft.step,
                    "recipient": draft.recipient,
                    "cc": draft.cc,
                    "subject": draft.subject,
                    "message_id": message_id(draft, self.sender)
                    if draft.channel != "sms"
                    else None,
                    "invoices": draft.invoices,
                    "error": error,
                },
            )


def resolve_stuck(store: Store, draft_id: int, *, was_sent: bool, actor: str) -> DraftView:
    """A person checked a draft stuck in `sending`: it left (-> sent) or not (-> approved)."""
    view = queue.get_draft(store, draft_id)
    if view.status != DraftStatus.SENDING:
        raise UserError(
            tr(
                "brouillon {i} : {s}, pas « envoi en cours »",
                "draft {i}: status {s}, not sending",
                i=draft_id,
                s=status_label(view.status),
            )
        )
    if store.sent_elsewhere(draft_id):
        raise UserError(
            tr(
                "brouillon {i} : en cours d'envoi par un autre relance, rien à trancher",
                "draft {i}: being sent by another relance right now, nothing to settle",
                i=draft_id,
            )
        )
    with store.transaction():
        new = DraftStatus.SENT if was_sent else DraftStatus.APPROVED
        extra = {"sent_at": store.now_iso()} if was_sent else {}
        lifecycle.move(store, draft_id, DraftStatus.SENDING, new, **extra)
        # the same facts as a normal send: the customer's timeline and briefs show it
        store.record_event(
            "message.sent" if was_sent else "draft.requeued",
            actor=actor,
            customer_id=view.customer_id,
            draft_id=draft_id,
            data={
                "resolved_stuck": True,
                "channel": view.channel,
                "step": view.step,
                "recipient": view.recipient,
                "cc": view.cc,
                "subject": view.subject,
                "message_id": drafts_repo.message_id(store, draft_id),
                "invoices": view.invoices,
            },
        )
    return queue.get_draft(store, draft_id)


def _said(text: str | None) -> Reason | None:
    """The error note of a delivery: the words of the server or of the message builder, as
    they came (a code around them: `Code.DELIVERY`)."""
    return None if text is None else Reason.of(Code.DELIVERY, e=text)
