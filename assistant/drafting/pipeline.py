"""From the plan's actions to drafts in the review queue (idempotent).

For each automatic action: the template is rendered twice (real values = the approved fallback
text; locked tokens = what the LLM may rewrite), the rewrite runs within policy (or not, in
template mode), and one pending draft is stored per customer, step and channel. Re-running for
the same day creates nothing new; a pending draft whose invoices changed is superseded.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from assistant.cancel import Cancellation
from assistant.company import Company
from assistant.drafting.checks import check_text, facts_of
from assistant.drafting.conflicts import stale_line
from assistant.drafting.facts import (
    FACT_VARS,
    REMINDER_STEPS,
    InstalmentFact,
    MessageFacts,
    Previous,
    message_facts,
    token_for,
)
from assistant.drafting.templates import Rendered, TemplateStore
from assistant.errors import UserError
from assistant.i18n import language, tr
from assistant.models import Customer, Invoice
from assistant.reasons import Reason
from assistant.rules import Action, Plan
from assistant.rules.policy import STEP_IDS
from assistant.safetext import one_line
from assistant.storage import drafts_repo, repo, review
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus
from assistant.storage.errors import IntegrityError
from assistant.team.parties import Parties


@dataclass
class DraftRequest:
    action: Action
    channel: str  # email | sms | internal
    template_name: str
    language: str
    recipient: str | None
    cc: list[str]
    facts: MessageFacts
    fallback: Rendered
    locked: Rendered
    rewrite: bool
    relationship: str  # "new" | "loyal" | "unknown" (non-identifying context for the LLM)
    plan_date: date
    company: Company | None = None
    customer: Customer | None = None
    invoice_rows: list[Invoice] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.action.customer_id, self.action.step, self.channel)

    @property
    def invoices(self) -> tuple[str, ...]:
        return self.action.invoices

    @property
    def subject_of(self) -> tuple[tuple[str, ...], int | None]:
        """What the draft is about: a pending draft about something else gets superseded."""
        return tuple(sorted(self.invoices)), self.action.instalment_id

    @property
    def locked_facts(self) -> dict[str, str]:
        return {token_for(k): v for k, v in self.facts.values.items()}


@dataclass
class RewriteOutcome:
    subject: str
    body: str
    source: str  # "llm" | "template"
    violations: list[str] = field(default_factory=list)
    call_ids: list[int] = field(default_factory=list)
    fallback_reason: str | None = None  # why an LLM rewrite was not kept (batch summary)


class Rewriter(Protocol):
    def __call__(
        self, requests: Sequence[DraftRequest], progress: Callable[[int], None]
    ) -> list[RewriteOutcome]: ...


Deliver = Callable[[DraftRequest, RewriteOutcome], None]


class StreamingRewriter(Rewriter, Protocol):
    """A rewriter that can run as a pipeline: it takes the requests from `requests` as it has
    room for them (each is built just before it is asked) and hands each outcome to `deliver`
    as soon as it is known, on the thread that called `stream`."""

    def stream(self, requests: Iterable[DraftRequest], deliver: Deliver) -> None: ...


@dataclass
class DraftRunReport:
    as_of: date
    created: list[int] = field(default_factory=list)
    unchanged: int = 0
    superseded: int = 0
    llm: int = 0
    fallbacks: int = 0
    fallback_reasons: Counter[str] = field(default_factory=Counter)
    human_tasks: int = 0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "created": len(self.created),
            "draft_ids": self.created,
            "already_drafted": self.unchanged,
            "superseded": self.superseded,
            "llm": self.llm,
            "template_fallbacks": self.fallbacks,
            "fallback_reasons": dict(self.fallback_reasons.most_common()),
            "human_tasks": self.human_tasks,
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        out = [
            tr(
                "{n} brouillon(s) créé(s) pour le {d}",
                "{n} draft(s) created for {d}",
                n=len(self.created),
                d=self.as_of.isoformat(),
            )
        ]
        if self.llm or self.fallbacks:
            out.append(
                tr(
                    "  réécrits par le LLM : {l} ; repli sur le modèle : {f}",
                    "  rewritten by the LLM: {l}; fell back to the template: {f}",
                    l=self.llm,
                    f=self.fallbacks,
                )
            )
            for reason, n in self.fallback_reasons.most_common():
                out.append(f"    {reason} : {n}" if language() == "fr" else f"    {reason}: {n}")
        if self.unchanged:
            out.append(tr("  déjà en file : {n}", "  already queued: {n}", n=self.unchanged))
        if self.superseded:
            out.append(
                tr(
                    "  remplacés (factures changées) : {n}",
                    "  superseded (invoices changed): {n}",
                    n=self.superseded,
                )
            )
        if self.human_tasks:
            out.append(
                tr(
                    "  tâches pour une personne (appels, escalades) : {n}",
                    "  tasks for a person (calls, escalations): {n}",
                    n=self.human_tasks,
                )
            )
        out.extend(f"  {note}" for note in self.notes)
        out.append(
            tr(
                "Ensuite : relance review (ou relance drafts / approve / reject)",
                "Next: relance review (or relance drafts / approve / reject)",
            )
        )
        return out


def _relationship(since: date | None, as_of: date) -> str:
    if since is None:
        return "unknown"
    return "new" if (as_of - since).days < 365 else "loyal"


@dataclass
class _RequestContext:
    action: Action
    customer: Customer
    invoices: list[Invoice]
    company: Company
    templates: TemplateStore
    as_of: date
    relationship: str
    instalment: InstalmentFact | None = None
    previous: Previous | None = None
    signature: str | None = None  # a person's (docs/team.md), else the company's

    def make(
        self,
        channel: str,
        names: list[str],
        language: str,
        recipient: str | None,
        cc: list[str],
        rewrite: bool,
    ) -> DraftRequest:
        act = self.action
        facts = message_facts(
            self.customer,
            self.invoices,
            self.company,
            step=act.step,
            segment=act.segment,
            as_of=self.as_of,
            language=language,
            instalment=self.instalment,
            net_cents=act.amount_cents if act.instalment_id is None else None,
            previous=self.previous,
            signature=self.signature,
        )
        name = self.templates.name_for(language, names)
        fallback = self.templates.render(name, {**facts.context, **facts.values})
        tokens = {var: token_for(var) for var in FACT_VARS}
        locked = self.templates.render(name, {**facts.context, **tokens})
        return DraftRequest(
            act,
            channel,
            name,
            language,
            recipient,
            cc,
            facts,
            fallback,
            locked,
            rewrite,
            self.relationship,
            self.as_of,
            self.company,
            self.customer,
            self.invoices,
        )


def _instalment(store: Store, instalment_id: int | None) -> InstalmentFact | None:
    if instalment_id is None:
        return None
    row = drafts_repo.instalment(store, instalment_id)
    return InstalmentFact(row.seq, row.count, row.due_date, row.amount_cents)


def previous_messages(
    history: list[review.Delivered], invoices: tuple[str, ...] | list[str]
) -> Previous:
    """Whether a reminder, or any message, was actually sent about any of these invoices."""
    wanted = set(invoices)
    about = [m for m in history if wanted & set(m.invoices)]
    return Previous(reminded=any(m.step in REMINDER_STEPS for m in about), notified=bool(about))


@dataclass
class PendingRequest:
    """A message to draft before its texts are rendered: what decides whether it needs a
    draft (its key and subject) is known; `build` renders the texts (the costly part)."""

    ctx: _RequestContext
    channel: str
    names: list[str]
    language: str
    recipient: str | None
    cc: list[str]
    rewrite: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.ctx.action.customer_id, self.ctx.action.step, self.channel)

    @property
    def subject_of(self) -> tuple[tuple[str, ...], int | None]:
        return tuple(sorted(self.ctx.action.invoices)), self.ctx.action.instalment_id

    def build(self) -> DraftRequest:
        return self.ctx.make(
            self.channel, self.names, self.language, self.recipient, self.cc, self.rewrite
        )


def build_requests(
    store: Store,
    plan: Plan,
    company: Company,
    templates: TemplateStore,
    *,
    llm_enabled: bool,
    internal_language: str = "fr",
    language: str | None = None,
    parties: Parties | None = None,
) -> tuple[list[DraftRequest], DraftRunReport]:
    """One request per message to draft; `language` overrides the customers' own; `parties`
    routes e-mails to the customer's contacts and picks the signer (docs/team.md)."""
    pending, report = pending_requests(
        store,
        plan,
        company,
        templates,
        llm_enabled=llm_enabled,
        internal_language=internal_language,
        language=language,
        parties=parties,
    )
    return [p.build() for p in pending], report


def pending_requests(
    store: Store,
    plan: Plan,
    company: Company,
    templates: TemplateStore,
    *,
    llm_enabled: bool,
    internal_language: str = "fr",
    language: str | None = None,
    parties: Parties | None = None,
) -> tuple[list[PendingRequest], DraftRunReport]:
    """`build_requests` without rendering the texts yet."""
    parties = parties or Parties()
    report = DraftRunReport(plan.as_of)
    requests: list[PendingRequest] = []
    history: dict[str, list[review.Delivered]] = {}
    for message in review.delivered_messages(
        store, {a.customer_id for a in plan.actions}, up_to=plan.as_of
    ):
        history.setdefault(message.customer_id, []).append(message)
    for action in plan.actions:
        if action.requires_human and not action.notify_salesperson:
            report.human_tasks += 1
            continue
        customer = repo.get_customer(store, action.customer_id)
        if customer is None:
            continue
        invoices = [i for n in action.invoices if (i := repo.get_invoice(store, n)) is not None]
        relationship = _relationship(customer.customer_since, plan.as_of)
        ctx = _RequestContext(
            action,
            customer,
            invoices,
            company,
            templates,
            plan.as_of,
            relationship,
            _instalment(store, action.instalment_id),
            previous_messages(history.get(customer.id, []), action.invoices),
            parties.signature(store, customer.id),
        )

        if action.requires_human:
            report.human_tasks += 1
            if not customer.salesperson_email:
                report.notes.append(
                    tr(
                        "{c} : pas d'e-mail commercial, avis interne non rédigé",
                        "{c}: no salesperson e-mail, internal notice not drafted",
                        c=customer.id,
                    )
                )
                continue
            requests.append(
                PendingRequest(
                    ctx,
                    "internal",
                    ["salesperson_notice"],
                    internal_language,
                    customer.salesperson_email,
                    [],
                    False,
                )
            )
            continue
        cc = []
        if action.step in company.cc_salesperson_steps and customer.salesperson_email:
            cc.append(customer.salesperson_email)
        names = [n for n in (action.template, action.step) if n]
        to, cc = parties.email(store, customer, action.step, cc)
        requests.append(
            PendingRequest(ctx, "email", names, language or customer.language, to, cc, llm_enabled)
        )
        if action.also_sms:
            sms_language = language or customer.language
            requests.append(
                PendingRequest(ctx, "sms", ["sms"], sms_language, customer.phone, [], False)
            )
    return requests, report


_Subject = tuple[tuple[str, ...], int | None]


def _active(store: Store) -> dict[tuple[str, str, str], tuple[int, str, _Subject, int]]:
    return {
        key: (d.id, d.status, (d.invoices, d.instalment_id), d.version)
        for key, d in drafts_repo.active_drafts(store).items()
    }


_R = TypeVar("_R", DraftRequest, PendingRequest)


def select_new(
    store: Store, requests: list[_R], report: DraftRunReport
) -> list[tuple[_R, tuple[int, int] | None]]:
    """Requests that need a draft, with the pending draft they supersede (if any): its id and
    the version read (the supersede is a compare-and-set on it)."""
    active = _active(store)
    todo: list[tuple[_R, tuple[int, int] | None]] = []
    for req in requests:
        current = active.get(req.key)
        if current is None:
            todo.append((req, None))
        elif current[2] == req.subject_of or current[1] != DraftStatus.PENDING:
            report.unchanged += 1
        else:
            todo.append((req, (current[0], current[3])))
    return todo


def store_draft(
    store: Store,
    req: DraftRequest,
    outcome: RewriteOutcome,
    *,
    policy_version: str,
    actor: str,
    supersedes: int | None = None,
    seen: int | None = None,
    parent_id: int | None = None,
    tone_adjustment: str | None = None,
    checks: list[str] | None = None,
    note: Reason | None = None,
    cancel: Cancellation | None = None,
) -> int:
    """Insert one draft (and supersede the old pending one) in a single transaction.
    `checks`: the fact checks of its text (a template's own text needs none).
    `cancel`: checked last, inside the transaction: a cancelled caller writes nothing.
    `supersedes` must still be pending (and at version `seen`, when given) when the write runs
    (a compare-and-set): if a person approved, rejected, cancelled or edited it meanwhile,
    `DraftChangedError` and nothing is stored."""
    now = store.now_iso()
    with store.transaction():
        if supersedes is not None:
            try:
                drafts_repo.supersede(store, supersedes, DraftStatus.PENDING, seen=seen)
            except drafts_repo.DraftChanged as exc:
                raise DraftChangedError(
                    supersedes,
                    exc.found,
                    seen=exc.seen,
                    version=exc.version,
                    by=drafts_repo.last_actor(store, supersedes),
                ) from None
            store.record_event(
                "draft.superseded",
                actor=actor,
                customer_id=req.action.customer_id,
                draft_id=supersedes,
            )
        draft_id = drafts_repo.insert_pending(
            store,
            drafts_repo.NewDraft(
                customer_id=req.action.customer_id,
                step=req.action.step,
                channel=req.channel,
                language=req.language,
                recipient=req.recipient,
                cc=req.cc,
                subject=one_line(outcome.subject),  # a header: the LLM path is normalised too
                body=outcome.body,
                template_name=req.template_name,
                template_subject=req.fallback.subject,
                template_body=req.fallback.body,
                source=outcome.source,
                violations=outcome.violations,
                segment=req.action.segment,
                tone=req.action.tone,
                tone_adjustment=tone_adjustment,
                policy_version=policy_version,
                plan_date=req.plan_date,
                scheduled_for=req.action.scheduled_for,
                total_cents=req.facts.total_cents,
                currency=_currency(store, req.invoices),
                max_days_late=req.facts.max_days_late,
                reason=req.action.reason,
                parent_id=parent_id or supersedes,
                instalment_id=req.action.instalment_id,
                checks=checks or [],
                error=note,
                invoices=req.invoices,
            ),
            now=now,
        )
        if req.channel != "internal":
            _supersede_older_steps(store, req, draft_id, actor)
        if outcome.call_ids:
            drafts_repo.link_llm_calls(store, draft_id, outcome.call_ids)
        store.record_event(
            "draft.created",
            actor=actor,
            customer_id=req.action.customer_id,
            draft_id=draft_id,
            data={
                "step": req.action.step,
                "channel": req.channel,
                "source": outcome.source,
                "invoices": list(req.invoices),
                "violations": len(outcome.violations),
            },
        )
        if cancel is not None:
            cancel.commit_point()  # raises Cancelled: all of the above is rolled back
    return draft_id


class DraftChangedError(UserError):
    """The version to replace was approved, rejected, cancelled or edited while the new one
    was being written (a person acted meanwhile): nothing was stored."""

    def __init__(
        self,
        draft_id: int,
        found: str | None,
        *,
        seen: int | None = None,
        version: int | None = None,
        by: str | None = None,
    ) -> None:
        super().__init__(
            stale_line(draft_id, by, seen, version, found, changed=found != DraftStatus.PENDING)
        )
        self.draft_id, self.found = draft_id, found


def _supersede_older_steps(store: Store, req: DraftRequest, draft_id: int, actor: str) -> None:
    """A newer step for an invoice replaces a pending draft of an older step for it: the
    customer must never get `pre_due` beside (or after) `reminder_1` for one invoice."""
    if req.action.step not in STEP_IDS:
        return
    older = STEP_IDS[: STEP_IDS.index(req.action.step)]
    found = review.pending_older_steps(store, req.action.customer_id, older, req.invoices)
    review.set_superseded(store, found, DraftStatus.PENDING)
    for old in found:
        store.record_event(
            "draft.superseded",
            actor=actor,
            customer_id=req.action.customer_id,
            draft_id=old,
            data={"by": draft_id, "why": "newer_step", "step": req.action.step},
        )


def _currency(store: Store, numbers: tuple[str, ...]) -> str:
    if not numbers:
        return "EUR"
    return drafts_repo.invoice_currency(store, numbers[0]) or "EUR"


def outcome_checks(req: DraftRequest, outcome: RewriteOutcome) -> list[str]:
    """Fact checks of a rewritten text (the template's own text states its facts)."""
    if req.company is None or (outcome.subject, outcome.body) == (
        req.fallback.subject,
        req.fallback.body,
    ):
        return []
    facts = facts_of(
        [req.fallback.subject, req.fallback.body], req.company, req.invoice_rows, req.customer
    )
    return check_text(outcome.subject, outcome.body, facts, None)


def template_outcome(req: DraftRequest, violations: list[str] | None = None) -> RewriteOutcome:
    return RewriteOutcome(req.fallback.subject, req.fallback.body, "template", violations or [])


def run_drafts(
    store: Store,
    plan: Plan,
    company: Company,
    templates: TemplateStore,
    *,
    rewriter: Rewriter | None,
    policy_version: str,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
    parties: Parties | None = None,
) -> DraftRunReport:
    """Turn the plan's actions into pending drafts; LLM rewrites when a rewriter is given.

    A streaming rewriter runs as a pipeline: each request is rendered just before it is
    asked, and each draft is checked and stored (in its own transaction) as soon as its
    outcome arrives, while other requests wait for their answers; a customer's drafts are
    stored in plan order. Any other rewriter runs in three phases: render all, rewrite all,
    store all (same drafts)."""
    pending, report = pending_requests(
        store, plan, company, templates, llm_enabled=rewriter is not None, parties=parties
    )
    todo = select_new(store, pending, report)
    storer = _Storer(store, report, policy_version, actor, progress, len(todo))
    if progress:
        progress(0, len(todo))
    stream = getattr(rewriter, "stream", None)
    if stream is not None and any(p.rewrite for p, _ in todo):
        _pipeline(todo, stream, storer)
        return report
    built = [(p.build(), old) for p, old in todo]
    wanted = [req for req, _ in built if req.rewrite]
    outcomes: dict[int, RewriteOutcome] = {}
    if rewriter is not None and wanted:
        results = rewriter(wanted, lambda n: progress(n, len(todo)) if progress else None)
        outcomes = {id(req): out for req, out in zip(wanted, results, strict=True)}
    for req, old in built:
        storer(req, outcomes.get(id(req)) or template_outcome(req), old)
    return report


@dataclass
class _Storer:
    """Counts, checks and stores one draft per outcome (one transaction each)."""

    store: Store
    report: DraftRunReport
    policy_version: str
    actor: str
    progress: Callable[[int, int], None] | None
    total: int
    done: int = 0

    def __call__(
        self, req: DraftRequest, outcome: RewriteOutcome, old: tuple[int, int] | None
    ) -> None:
        report = self.report
        if outcome.source == "llm":
            report.llm += 1
        elif req.rewrite:
            report.fallbacks += 1
            report.fallback_reasons[
                outcome.fallback_reason or tr("pas de réécriture", "no rewrite")
            ] += 1
        try:
            draft_id = store_draft(
                self.store,
                req,
                outcome,
                policy_version=self.policy_version,
                actor=self.actor,
                supersedes=old[0] if old else None,
                seen=old[1] if old else None,
                checks=outcome_checks(req, outcome),
            )
        except (IntegrityError, DraftChangedError):  # another run stored this draft, or a
            report.unchanged += 1  # person acted on the old one, meanwhile: nothing lost
        else:
            report.created.append(draft_id)
            report.superseded += old is not None
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def _pipeline(
    todo: list[tuple[PendingRequest, tuple[int, int] | None]],
    stream: Callable[[Iterable[DraftRequest], Deliver], None],
    storer: _Storer,
) -> None:
    """Build, rewrite and store as one stream (see `run_drafts`)."""
    waiting: dict[str, deque[int]] = {}  # per customer, the plan order of its drafts
    for index, (pending, _) in enumerate(todo):
        waiting.setdefault(pending.ctx.action.customer_id, deque()).append(index)
    ready: dict[int, tuple[DraftRequest, RewriteOutcome]] = {}
    index_of: dict[int, int] = {}

    def arrived(index: int, req: DraftRequest, outcome: RewriteOutcome) -> None:
        ready[index] = (req, outcome)
        queue = waiting[req.action.customer_id]
        while queue and queue[0] in ready:
            done = queue.popleft()
            storer(*ready.pop(done), todo[done][1])

    def requests() -> Iterator[DraftRequest]:
        for index, (pending, _) in enumerate(todo):
            req = pending.build()
            if req.rewrite:
                index_of[id(req)] = index
                yield req
            else:
                arrived(index, req, template_outcome(req))

    stream(requests(), lambda req, outcome: arrived(index_of.pop(id(req)), req, outcome))
