"""Reading replies (IMAP or files), suggesting what they mean, retention and erasure.

The `Service` façade delegates here: `fetch_replies`, `import_replies`, `purge_replies`,
`forget_customer`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.choices import one_of
from assistant.company import load_company
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.llm.prompts import PromptStore
from assistant.replies.classify import ReplyClassifier, ReplyToClassify
from assistant.replies.ingest import IngestReport, LinkContext, ingest
from assistant.replies.kinds import ReplyKind, ReplyStatus
from assistant.replies.mailbox import fetch_imap, looks_like_mail, mailbox_name, read_path
from assistant.replies.policy import load_replies_policy
from assistant.storage import replies_repo, team_repo

if TYPE_CHECKING:
    from assistant.service import Service


def own_domains(service: Service) -> frozenset[str]:
    """Domains relance sends from: a message quoted from them is our own history."""
    company = load_company(service.home)
    found = {
        a.rpartition("@")[2].lower()
        for a in (
            service.settings.sender,
            service.settings.reply_to,
            company.email,
            company.contact.email,
        )
        if a and "@" in a
    }
    return frozenset(found)


def _context(service: Service) -> LinkContext:
    policy = load_replies_policy(service.home)
    return LinkContext.load(service.store, own_domains(service), frozenset(policy.public_domains))


def fetch_replies(service: Service, *, suggest: bool = True) -> IngestReport:
    """New messages of the IMAP folder (RELANCE_IMAP_*), each committed with the folder's
    last UID; then suggestions and the retention purge."""
    settings = service.settings
    report = IngestReport()
    ctx = _context(service)
    mailbox = mailbox_name(settings)
    store = service.store

    def store_one(raw: bytes, source: str, arrived: datetime, uidvalidity: int, uid: int) -> None:
        with store.transaction():
            ingest(
                store,
                raw,
                source=source,
                ctx=ctx,
                actor=service.actor,
                arrived=arrived,
                report=report,
            )
            replies_repo.save_mailbox_state(store, mailbox, uidvalidity, uid)

    fetch_imap(settings, replies_repo.mailbox_state(store, mailbox), store_one)
    with store.transaction():
        store.record_event(
            "inbox.fetched",
            actor=service.actor,
            data={"mailbox": mailbox, "added": len(report.added), "read": report.read},
        )
    _after(service, report, suggest)
    return report


def import_replies(service: Service, path: Path, *, suggest: bool = True) -> IngestReport:
    """An `.eml` file, a folder of them or a Maildir, all or nothing."""
    report = IngestReport()
    ctx = _context(service)
    store = service.store
    arrived = store.clock()
    with store.transaction():
        for label, raw in read_path(path):
            if not looks_like_mail(raw):
                raise UserError(
                    tr(
                        "{f} : pas un e-mail (aucun en-tête From), rien n'a été importé",
                        "{f}: not an e-mail (no From header), nothing was imported",
                        f=label,
                    )
                )
            ingest(
                store,
                raw,
                source=f"file:{Path(label).name}",
                ctx=ctx,
                actor=service.actor,
                arrived=arrived,
                report=report,
            )
        store.record_event(
            "inbox.imported",
            actor=service.actor,
            data={"path": str(path), "added": len(report.added), "read": report.read},
        )
    _after(service, report, suggest)
    return report


def _after(service: Service, report: IngestReport, suggest: bool) -> None:
    if suggest and service.llm_available:
        suggest_with_llm(service, report)
    report.purged = purge_replies(service, service.store.today())


def suggest_with_llm(service: Service, report: IngestReport) -> None:
    """The model's suggestion for the new human replies (rules stay where it fails)."""
    store = service.store
    items = []
    for reply_id in report.added:
        reply = replies_repo.get(store, reply_id)
        if reply is None or reply.kind != ReplyKind.REPLY or not reply.text.strip():
            continue
        language = "fr"
        if reply.customer_id is not None:
            language = service.customer(reply.customer_id).language
        items.append(
            ReplyToClassify(
                reply.id,
                reply.text,
                reply.received_on,
                language,
                reply.customer_id,
                replies_repo.customer_invoice_numbers(store, reply.customer_id),
            )
        )
    if not items:
        return
    classifier = ReplyClassifier(
        service._backend(), PromptStore(service.home), store, service.settings.llm_concurrency
    )
    with store.transaction():
        for done in classifier(items):
            replies_repo.set_suggestion(store, done.reply_id, done.suggestion)
            replies_repo.link_llm_calls(store, done.call_ids, done.reply_id)
            if done.suggestion.source == "llm":
                report.suggested_by_llm += 1
            if done.suggestion.violations:
                report.llm_violations += 1


def purge_replies(service: Service, as_of: date) -> int:
    """Erase the replies of closed cases older than the policy's retention period."""
    policy = load_replies_policy(service.home)
    before = as_of - timedelta(days=policy.retention_days)
    store = service.store
    with store.transaction():
        ids = replies_repo.expired_replies(store, before)
        if not ids:
            return 0
        erased = replies_repo.delete_replies(store, ids)
        store.record_event(
            "replies.purged",
            actor=service.actor,
            on_date=as_of,
            data={"count": erased, "before": before.isoformat()},
        )
    replies_repo.checkpoint(store)
    return erased


def forget_customer(service: Service, customer_id: str) -> dict[str, Any]:
    """Erase a customer's messages on request (and what the model was sent about them), with
    its contacts (docs/team.md) and their messages. Invoices, payments, promises, disputes,
    plans and the event log stay: accounting facts."""
    customer = service.customer(customer_id)
    store = service.store
    with store.transaction():
        addresses = replies_repo.addresses(customer.email)
        addresses += [c.email.lower() for c in team_repo.contacts(store, customer_id)]
        ids = replies_repo.replies_of_customer(store, customer_id, addresses)
        erased = replies_repo.delete_replies(store, ids)
        contacts = team_repo.forget_contacts(store, customer_id)
        store.record_event(
            "customer.forgotten",
            actor=service.actor,
            customer_id=customer_id,
            data={"replies": erased, "contacts": contacts},
        )
    replies_repo.checkpoint(store)
    return {"customer_id": customer_id, "replies_erased": erased, "contacts_erased": contacts}


def status_check(status: str | None) -> None:
    if status is not None:
        one_of(status, ReplyStatus, fr="statut inconnu", en="unknown status")
