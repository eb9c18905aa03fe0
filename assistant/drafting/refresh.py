"""Queued drafts follow the policy and the company facts in effect.

When a policy file or `company.yaml` changes (the policy version moves), each pending or
approved-but-unsent draft is rendered again from its template with today's facts. If the
message would read differently (a new company name, IBAN, contact, or template wording), a new
version replaces it: the old one is `superseded` (an approval is withdrawn, its step reopened)
and the new one waits for a person again. A draft whose text would not change only records
the new version. The new version is the template's text: a person's edit or an LLM rewrite of
the old facts is not carried over (the old version stays readable, and the note says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.company import Company
from assistant.drafting import queue
from assistant.drafting.conflicts import StaleDraft
from assistant.drafting.pipeline import (
    DraftRequest,
    _instalment,
    _relationship,
    _RequestContext,
    previous_messages,
    store_draft,
    template_outcome,
)
from assistant.drafting.queue import DraftView
from assistant.drafting.templates import TemplateStore
from assistant.errors import PolicyError
from assistant.i18n import tr
from assistant.reasons import Code, Reason
from assistant.rules import Action
from assistant.storage import repo, review
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus
from assistant.team import DIGEST_STEP
from assistant.team.parties import Parties


@dataclass
class RefreshReport:
    checked: int = 0
    renewed: list[tuple[int, int]] = field(default_factory=list)  # (old id, new id)
    withdrawn: list[int] = field(default_factory=list)  # old ids that were approved
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.renewed:
            out.append(
                tr(
                    "{n} brouillon(s) recalculé(s) après un changement de politique ou des faits"
                    " de l'entreprise (à valider de nouveau{a})",
                    "{n} draft(s) re-rendered after a policy or company change (to review"
                    " again{a})",
                    n=len(self.renewed),
                    a=tr(
                        " ; {k} approbation(s) retirée(s)",
                        "; {k} approval(s) withdrawn",
                        k=len(self.withdrawn),
                    )
                    if self.withdrawn
                    else "",
                )
            )
        out += self.problems
        return out


def request_for(
    store: Store,
    view: DraftView,
    company: Company,
    templates: TemplateStore,
    parties: Parties | None = None,
) -> DraftRequest:
    """The drafting request behind a queued draft, with today's company and customer facts
    (and today's contacts and signer, docs/team.md)."""
    parties = parties or Parties()
    customer = repo.get_customer(store, view.customer_id)
    if customer is None:
        raise PolicyError(tr("client inconnu : {c}", "unknown customer: {c}", c=view.customer_id))
    invoices = [i for n in view.invoices if (i := repo.get_invoice(store, n)) is not None]
    plan_date = date.fromisoformat(view.plan_date)
    internal = view.channel == "internal"
    action = Action(
        customer_id=view.customer_id,
        step=view.step,
        channel=view.channel if view.channel != "sms" else "email",
        invoices=tuple(view.invoices),
        scheduled_for=date.fromisoformat(view.scheduled_for),
        requires_human=internal,
        reason=view.reason,
        segment=view.segment or "standard",
        tone=view.tone,
        notify_salesperson=internal,
        instalment_id=view.instalment_id,
    )
    history = review.delivered_messages(store, [view.customer_id], up_to=plan_date)
    ctx = _RequestContext(
        action,
        customer,
        invoices,
        company,
        templates,
        plan_date,
        _relationship(customer.customer_since, plan_date),
        _instalment(store, view.instalment_id),
        previous_messages(history, view.invoices),
        parties.signature(store, view.customer_id),
    )
    name = view.template_name.split("/", 1)[-1].removesuffix(".j2")
    if view.channel == "email":
        cc = []
        if view.step in company.cc_salesperson_steps and customer.salesperson_email:
            cc.append(customer.salesperson_email)
        recipient, cc = parties.email(store, customer, view.step, cc)
    elif view.channel == "sms":
        recipient, cc = customer.phone, []
    else:
        recipient, cc = customer.salesperson_email, []
    return ctx.make(view.channel, [name], view.language, recipient, cc, False)


def refresh_drafts(
    store: Store,
    company: Company,
    templates: TemplateStore,
    *,
    policy_version: str,
    actor: str,
    parties: Parties | None = None,
) -> RefreshReport:
    """Re-render the queued drafts made under another policy version (see the module doc)."""
    report = RefreshReport()
    for view in queue.outdated_drafts(store, policy_version):
        if view.step == DIGEST_STEP:  # built from stored facts, not a plan action
            continue
        report.checked += 1
        try:
            req = request_for(store, view, company, templates, parties)
        except PolicyError as exc:
            report.problems.append(
                tr("brouillon {i} non recalculé : {e}", "draft {i} not re-rendered: {e}",
                   i=view.id, e=exc)
            )  # fmt: skip
            continue
        same = (req.fallback.subject, req.fallback.body) == (
            view.template_subject,
            view.template_body,
        )
        if same:
            queue.set_checked_version(store, view.id, policy_version)
            continue
        try:
            with store.transaction():
                queue.withdraw(store, view, actor, why="policy_changed")
                note = Reason.of(
                    Code.RERENDERED_EDITED
                    if view.edited
                    else Code.RERENDERED_LLM
                    if view.source == "llm"
                    else Code.RERENDERED,
                    i=view.id,
                )
                new_id = store_draft(
                    store,
                    req,
                    template_outcome(req),
                    policy_version=policy_version,
                    actor=actor,
                    parent_id=view.id,
                    tone_adjustment=view.tone_adjustment,
                    note=note,
                )
                store.record_event(
                    "draft.rerendered",
                    actor=actor,
                    customer_id=view.customer_id,
                    draft_id=new_id,
                    data={"from": view.id, "was": view.status, "policy_version": policy_version},
                )
        except StaleDraft:  # a person changed it meanwhile: checked again at the next refresh
            continue
        report.renewed.append((view.id, new_id))
        if view.status == DraftStatus.APPROVED:
            report.withdrawn.append(view.id)
    return report
