"""The weekly salespeople digest (docs/team.md): one internal e-mail draft per salesperson
listing their customers' overdue invoices, open promises, disputes, agreed payment plans and
the next step, approved and sent like any message.

The drafts table files every draft under a customer: a digest is filed under the
salesperson's first customer (by code) with the step `salesperson_digest`, the channel
`internal` and no invoice, so it never blocks nor is blocked by that customer's reminders
(the send-time re-check lets a digest through a customer's holds; only a bounced address
stops it). Its text is built here from stored facts and placed in the template's
`{{ digest_lines }}` as data (never a template itself)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from assistant.company import Company
from assistant.dates import format_date
from assistant.drafting.templates import TemplateStore
from assistant.export_status import next_action
from assistant.i18n import tr_in
from assistant.labels import step_label
from assistant.money import format_money, locale_for
from assistant.reasons import Code, Reason
from assistant.rules import Action
from assistant.rules.promises import load_promises
from assistant.storage import drafts_repo, plans_repo, team_repo
from assistant.storage.db import Store
from assistant.storage.export_repo import OpenInvoiceRow, open_invoice_rows
from assistant.team import DIGEST_STEP

DIGEST_TEMPLATE = "salesperson_digest"


@dataclass
class CustomerStatus:
    customer_id: str
    name: str
    owner: str | None
    rows: list[OpenInvoiceRow] = field(default_factory=list)
    promises: list[tuple[date, int | None]] = field(default_factory=list)
    plans: list[tuple[int, int, date | None, int | None]] = field(default_factory=list)
    next_step: str | None = None  # the step of today's plan for it


@dataclass
class Digest:
    email: str
    name: str | None
    customers: list[CustomerStatus]

    @property
    def anchor(self) -> str:
        return self.customers[0].customer_id


@dataclass
class DigestReport:
    as_of: date
    created: list[int] = field(default_factory=list)
    unchanged: int = 0
    salespeople: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "created": len(self.created),
            "draft_ids": self.created,
            "already_drafted": self.unchanged,
            "salespeople": self.salespeople,
        }


def build_digests(
    store: Store, actions: list[Action], as_of: date, grace_days: int
) -> list[Digest]:
    """One digest per salesperson e-mail with at least one customer owing something."""
    by_customer: dict[str, CustomerStatus] = {}
    emails: dict[str, tuple[str, str | None]] = {}  # customer -> (salesperson e-mail, name)
    for row in open_invoice_rows(store):
        if not row.salesperson_email:
            continue
        status = by_customer.setdefault(
            row.customer_id, CustomerStatus(row.customer_id, row.customer_name, row.owner)
        )
        status.rows.append(row)
        emails[row.customer_id] = (row.salesperson_email, row.salesperson_name)
        action = next_action(row, actions)
        if action is not None and status.next_step is None:
            status.next_step = action.step
    ids = list(by_customer)
    for p in load_promises(store, grace_days, customer_ids=ids):
        if p.customer_id in by_customer and p.status(as_of, grace_days) == "open":
            by_customer[p.customer_id].promises.append((p.promised_date, p.amount_cents))
    for plan in plans_repo.active_plans(store, as_of, ids):
        left = [i for i in plan.instalments if i.due >= as_of]
        nxt = left[0] if left else None
        by_customer[plan.customer_id].plans.append(
            (len(plan.instalments), sum(i.amount_cents for i in plan.instalments),
             nxt.due if nxt else None, nxt.amount_cents if nxt else None)
        )  # fmt: skip
    digests: dict[str, Digest] = {}
    for customer_id in sorted(by_customer):
        email, name = emails[customer_id]
        digest = digests.setdefault(email, Digest(email, name, []))
        digest.name = digest.name or name
        digest.customers.append(by_customer[customer_id])
    return [digests[e] for e in sorted(digests)]


def digest_lines(digest: Digest, as_of: date, lang: str) -> tuple[str, dict[str, int]]:
    """The digest's text (one block per customer) and its overdue totals in cents, one per
    currency (never added across currencies)."""
    locale = locale_for(lang, "FR")
    blocks: list[str] = []
    overdue: dict[str, int] = {}
    for c in digest.customers:
        currency = c.rows[0].currency if c.rows else "EUR"
        head = f"■ {c.name} ({c.customer_id})"
        if c.owner:
            head += tr_in(lang, " — suivi par ", " — followed by ") + c.owner
        lines = [head]
        for r in c.rows:
            late = (as_of - r.due_date).days
            if r.status == "disputed":
                state = tr_in(lang, "en litige", "disputed")
            elif late > 0:
                overdue[r.currency] = overdue.get(r.currency, 0) + r.outstanding_cents
                state = tr_in(lang, f"{late} j de retard", f"{late} days late")
            else:
                due = format_date(r.due_date, locale, "long")
                state = tr_in(lang, f"échéance le {due}", f"due on {due}")
            money = format_money(r.outstanding_cents, r.currency, locale)
            lines.append(f"  - {r.invoice_number}{tr_in(lang, ' : ', ': ')}{money}, {state}")
        for day, cents in c.promises:
            when = format_date(day, locale, "long")
            amount = f"{format_money(cents, currency, locale)} " if cents is not None else ""
            lines.append(tr_in(lang, f"  Promesse de paiement : {amount}le {when}",
                               f"  Payment promised: {amount}on {when}"))  # fmt: skip
        for count, total, due, cents in c.plans:
            money = format_money(total, currency, locale)
            text = tr_in(lang, f"  Plan de paiement : {count} échéances, {money}",
                         f"  Payment plan: {count} instalments, {money}")  # fmt: skip
            if due is not None and cents is not None:
                nxt, when = format_money(cents, currency, locale), format_date(due, locale, "long")
                text += tr_in(lang, f" (prochaine : {nxt} le {when})", f" (next: {nxt} on {when})")
            lines.append(text)
        if c.next_step:
            step = step_label(c.next_step)
            lines.append(tr_in(lang, f"  Prochaine étape : {step}", f"  Next step: {step}"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks), overdue


def draft_digests(
    store: Store,
    digests: Iterable[Digest],
    company: Company,
    templates: TemplateStore,
    *,
    as_of: date,
    lang: str,
    policy_version: str,
    actor: str,
) -> DigestReport:
    """A pending internal draft per digest; a salesperson whose digest is already queued
    (pending, approved or sending) gets no second one."""
    report = DigestReport(as_of)
    queued = team_repo.customers_with_active_draft(store, DIGEST_STEP)
    name = templates.name_for(lang, [DIGEST_TEMPLATE])
    locale = locale_for(lang, "FR")
    for digest in digests:
        report.salespeople.append(digest.email)
        if digest.anchor in queued:
            report.unchanged += 1
            continue
        text, overdue = digest_lines(digest, as_of, lang)
        values = {
            "salesperson_name": digest.name or digest.email,
            "as_of_date": format_date(as_of, locale, "long"),
            "customer_count": str(len(digest.customers)),
            "digest_lines": text,
            "total_overdue": " + ".join(
                format_money(cents, currency, locale) for currency, cents in sorted(overdue.items())
            )
            or format_money(0, "EUR", locale),
            "company_name": company.name,
            "signature": company.signature(lang),
        }
        rendered = templates.render(name, values)
        main = max(sorted(overdue), key=lambda c: overdue[c], default="EUR")
        with store.transaction():
            draft_id = drafts_repo.insert_pending(
                store,
                drafts_repo.NewDraft(
                    customer_id=digest.anchor,
                    step=DIGEST_STEP,
                    channel="internal",
                    language=lang,
                    recipient=digest.email,
                    cc=[],
                    subject=rendered.subject,
                    body=rendered.body,
                    template_name=name,
                    template_subject=rendered.subject,
                    template_body=rendered.body,
                    source="template",
                    violations=[],
                    segment=None,
                    tone=None,
                    tone_adjustment=None,
                    policy_version=policy_version,
                    plan_date=as_of,
                    scheduled_for=as_of,
                    # the queue's amount: the largest currency's total (the text has them all)
                    total_cents=overdue.get(main, 0),
                    currency=main,
                    max_days_late=0,
                    reason=Reason.of(Code.SALESPERSON_DIGEST, n=len(digest.customers)),
                    parent_id=None,
                    instalment_id=None,
                    checks=[],
                    error=None,
                    invoices=[],
                ),
            )
            store.record_event(
                "draft.created",
                actor=actor,
                customer_id=digest.anchor,
                draft_id=draft_id,
                data={"step": DIGEST_STEP, "channel": "internal", "source": "template",
                      "invoices": [], "violations": 0, "salesperson": digest.email},
            )  # fmt: skip
        report.created.append(draft_id)
    return report
