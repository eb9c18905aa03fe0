"""The fact sheet behind a call-prep brief: deterministic figures from the store, no LLM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.models import Customer
from assistant.rules.promises import load_promises
from assistant.storage import balances, factsheet_repo, repo, users_repo
from assistant.storage.db import Store
from assistant.storage.statutory import invoices_as_of

TIMELINE_KINDS = (
    "message.sent",
    "call.logged",
    "promise.made",
    "dispute.opened",
    "dispute.resolved",
    "payment.recorded",
    "payment_plan.agreed",
    "customer.replied",
    "reply.triaged",
    "message.bounced",
)


@dataclass(frozen=True)
class OpenInvoice:
    number: str
    issue_date: date
    due_date: date
    amount_cents: int
    outstanding_cents: int
    currency: str
    status: str  # open | disputed
    reference: str | None
    days_late: int


@dataclass(frozen=True)
class TimelineItem:
    on: date
    kind: str
    text: str
    invoices: tuple[str, ...] = ()
    step: str | None = None  # message.sent
    outcome: str | None = None  # call.logged
    by: str | None = None  # the person who acted (docs/roles.md), when the team has people


@dataclass(frozen=True)
class PlanInstalment:
    seq: int
    due: date
    amount_cents: int
    paid: bool


@dataclass(frozen=True)
class RunningPlan:
    """A payment plan agreed on a call and still running: the schedule, what is paid."""

    plan_id: int
    agreed_on: date
    instalments: tuple[PlanInstalment, ...]
    invoices: tuple[str, ...]

    @property
    def next_due(self) -> PlanInstalment | None:
        return next((i for i in self.instalments if not i.paid), None)


@dataclass
class FactSheet:
    as_of: date
    customer: Customer
    segment: str
    relationship_months: int | None
    open_invoices: list[OpenInvoice]
    outstanding_cents: int  # open (reminded) invoices, disputes excluded, less unallocated credits
    overdue_cents: int
    disputed_cents: int
    on_time_share: float | None  # of invoices paid in the last 12 months
    avg_days_late: float | None
    paid_count_12m: int
    last_payment: tuple[date, int] | None
    revenue_12m_cents: int
    last_invoice_date: date | None
    promises_made: int
    promises_kept: int
    promises_broken: int
    timeline: list[TimelineItem] = field(default_factory=list)
    broken_promise_dates: list[date] = field(default_factory=list)  # promised dates, oldest first
    open_promise_date: date | None = None  # a promise still running (date not yet + grace)
    # unallocated credits (payments on account, credit notes not lettered) already deducted
    # from outstanding and overdue; the open invoices before that deduction
    credit_cents: int = 0
    gross_outstanding_cents: int = 0
    running_plan: RunningPlan | None = None  # while it runs, no other option is proposed
    # the totals above are in `currency`; invoices owed in other currencies, summed per currency
    # (never added to the totals): cents by currency
    other_currencies: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> list[OpenInvoice]:
        return [
            i
            for i in self.open_invoices
            if i.days_late > 0 and i.status == "open" and i.currency == self.currency
        ]

    @property
    def not_due(self) -> list[OpenInvoice]:
        return [
            i
            for i in self.open_invoices
            if i.days_late == 0 and i.status == "open" and i.currency == self.currency
        ]

    @property
    def last_call(self) -> TimelineItem | None:
        return next((t for t in reversed(self.timeline) if t.kind == "call.logged"), None)

    def reminders_about(self, numbers: set[str]) -> list[TimelineItem]:
        """Reminders already sent (pre-due notices left out) about any of these invoices."""
        return [
            t
            for t in self.timeline
            if t.kind == "message.sent" and t.step != "pre_due" and numbers & set(t.invoices)
        ]

    @property
    def currency(self) -> str:
        return self.open_invoices[0].currency if self.open_invoices else "EUR"


def _describe(kind: str, data: dict, ref: str, promise: str | None, currency: str = "EUR") -> str:
    """One line of the exchange history, in the collector's language."""
    from assistant.dates import format_date
    from assistant.i18n import language
    from assistant.labels import outcome_label, step_phrase
    from assistant.money import format_money

    loc = "en_GB" if language() == "en" else "fr_FR"
    about = f" ({ref})" if ref else ""
    if kind == "message.sent":
        channel = "SMS" if data.get("channel") == "sms" else tr("e-mail", "e-mail")
        return tr(
            "{c} : {s}{a}", "{c}: {s}{a}", c=channel, s=step_phrase(data.get("step")), a=about
        )
    if kind == "call.logged":
        text = tr("appel : {o}", "call: {o}", o=outcome_label(data.get("outcome")))
        return text + (f" — « {data['note']} »" if data.get("note") else "")
    if kind == "promise.made":
        on = data.get("promised_date")
        if data.get("source") == "payment_claimed":  # "already paid", said on a call
            text = tr("paiement annoncé{about}", "payment announced{about}", about=about)
            words = (("reçu", "received"), ("non reçu", "not received"), ("en attente", "awaited"))
        else:
            text = tr(
                "promesse de règlement pour le {d}{about}",
                "promise to pay by {d}{about}",
                d=format_date(date.fromisoformat(on), loc, "long") if on else "?",
                about=about,
            )
            words = (("tenue", "kept"), ("non tenue", "broken"), ("en cours", "open"))
        states = dict(zip(("kept", "broken", "open"), words, strict=True))
        status = tr(*states[promise]) if promise in states else None
        return f"{text} — {status}" if status else text
    if kind == "dispute.opened":
        return tr(
            "litige ouvert{about} : {r}",
            "dispute opened{about}: {r}",
            about=about,
            r=data.get("reason", ""),
        )
    if kind == "dispute.resolved":
        return tr("litige clos{about}", "dispute closed{about}", about=about)
    if kind == "payment.recorded":
        return tr(
            "paiement reçu : {a}{about}",
            "payment received: {a}{about}",
            a=format_money(int(data.get("amount_cents", 0)), currency, loc),
            about=about,
        )
    if kind == "payment_plan.agreed":
        text = tr(
            "plan de paiement en {n} échéances",
            "payment plan in {n} instalments",
            n=data.get("instalments", "?"),
        )
        schedule = schedule_text(data.get("schedule") or [], loc, currency)
        return f"{text} : {schedule}" if schedule else text
    if kind in ("customer.replied", "reply.triaged", "message.bounced"):
        from assistant.replies.timeline import describe

        return describe(kind, data, about)
    return kind


def schedule_text(schedule: list[dict[str, str]], locale: str, currency: str = "EUR") -> str:
    """`1 000,00 € le 8 décembre 2026, 1 000,00 € le 8 janvier 2027`: a plan's schedule."""
    from assistant.dates import format_date
    from assistant.money import format_money, parse_amount

    return ", ".join(
        tr(
            "{a} le {d}",
            "{a} on {d}",
            a=format_money(parse_amount(x["amount"]), x.get("currency", currency), locale),
            d=format_date(date.fromisoformat(x["date"]), locale, "long"),
        )
        for x in schedule
    )


def _running_plan(store: Store, customer_id: str, as_of: date) -> RunningPlan | None:
    from assistant.rules.instalments import load_plans

    for plan in load_plans(store, as_of, (customer_id,)):
        if plan.customer_id != customer_id:
            continue
        return RunningPlan(
            plan.id,
            plan.agreed_on,
            tuple(
                PlanInstalment(
                    i.seq, i.due, i.amount_cents, plan.paid_since_agreed_cents >= i.cumulative_cents
                )
                for i in plan.instalments
            ),
            plan.invoices,
        )
    return None


def build_factsheet(
    store: Store, customer_id: str, as_of: date, segment: str, promise_grace_days: int
) -> FactSheet:
    customer = repo.get_customer(store, customer_id)
    if customer is None:
        raise UserError(tr("client inconnu : {c}", "unknown customer: {c}", c=customer_id))
    # as the invoices stood on as_of: later payments and disputes undone (storage/statutory)
    invoices = [
        OpenInvoice(
            number=r.number,
            issue_date=r.issue_date,
            due_date=r.due_date,
            amount_cents=r.amount_cents,
            outstanding_cents=r.outstanding_cents,
            currency=r.currency,
            status=r.status,
            reference=r.reference,
            days_late=max((as_of - r.due_date).days, 0),
        )
        for r in invoices_as_of(store, customer_id, as_of)
        if r.status in ("open", "disputed") and r.outstanding_cents > 0
    ]
    open_ = [i for i in invoices if i.status == "open"]
    year_ago = as_of - timedelta(days=365)
    lateness = [
        max((paid - due).days, 0)
        for due, paid in factsheet_repo.paid_due_dates(store, customer_id, year_ago, as_of)
    ]
    last = factsheet_repo.last_payment(store, customer_id, as_of)
    revenue = factsheet_repo.revenue_cents(  # in the sheet's currency (its first open invoice's)
        store, customer_id, year_ago, as_of, invoices[0].currency if invoices else "EUR"
    )
    last_invoice = factsheet_repo.last_invoice_date(store, customer_id, as_of)
    promises = [
        p
        for p in load_promises(store, promise_grace_days, as_of, customer_ids=(customer_id,))
        if p.customer_id == customer_id and p.made_on <= as_of
    ]
    statuses = [p.status(as_of, promise_grace_days) for p in promises]
    by_id = {p.id: status for p, status in zip(promises, statuses, strict=True)}
    currency_of = factsheet_repo.invoice_currencies(store, customer_id)
    timeline = []
    people = users_repo.names(store)
    for e in store.events(customer_id=customer_id, kinds=TIMELINE_KINDS):
        if e["on_date"] > as_of.isoformat():
            continue
        data = e["data"] or {}
        refs = tuple(data.get("invoices") or ([e["invoice_number"]] if e["invoice_number"] else []))
        promise = by_id.get(data.get("promise_id")) if e["kind"] == "promise.made" else None
        timeline.append(
            TimelineItem(
                date.fromisoformat(e["on_date"]),
                e["kind"],
                _describe(
                    e["kind"],
                    data,
                    ", ".join(refs),
                    promise,
                    currency_of.get(refs[0] if refs else "", "EUR"),
                ),
                refs,
                data.get("step") if e["kind"] == "message.sent" else None,
                data.get("outcome") if e["kind"] == "call.logged" else None,
                e["actor"] if e["actor"] in people else None,
            )
        )
    since = customer.customer_since
    currency = invoices[0].currency if invoices else "EUR"
    others: dict[str, int] = {}
    for i in invoices:
        if i.currency != currency:
            others[i.currency] = others.get(i.currency, 0) + i.outstanding_cents
    invoices_in = [i for i in invoices if i.currency == currency]  # totals: one currency
    open_ = [i for i in open_ if i.currency == currency]
    gross = sum(i.outstanding_cents for i in open_)
    overdue = sum(i.outstanding_cents for i in open_ if i.days_late > 0)
    credit = sum(
        c.money.cents
        for c in balances.credits_of(store, customer_id)
        if c.money.currency == currency and c.on_date <= as_of
    )
    account = gross + sum(i.outstanding_cents for i in invoices_in if i.status == "disputed")
    net = max(min(gross - credit, account - credit), 0)
    return FactSheet(
        as_of=as_of,
        customer=customer,
        segment=segment,
        relationship_months=None
        if since is None
        else max((as_of.year - since.year) * 12 + as_of.month - since.month, 0),
        open_invoices=invoices,
        outstanding_cents=net,
        overdue_cents=max(min(overdue - credit, net), 0),
        disputed_cents=sum(i.outstanding_cents for i in invoices_in if i.status == "disputed"),
        on_time_share=(sum(1 for x in lateness if x == 0) / len(lateness)) if lateness else None,
        avg_days_late=(sum(lateness) / len(lateness)) if lateness else None,
        paid_count_12m=len(lateness),
        last_payment=last,
        revenue_12m_cents=revenue,
        last_invoice_date=last_invoice,
        promises_made=len(promises),
        promises_kept=statuses.count("kept"),
        promises_broken=statuses.count("broken"),
        timeline=timeline,
        broken_promise_dates=[
            p.promised_date for p, st in zip(promises, statuses, strict=True) if st == "broken"
        ],
        open_promise_date=max(
            (p.promised_date for p, st in zip(promises, statuses, strict=True) if st == "open"),
            default=None,
        ),
        credit_cents=min(credit, gross),
        gross_outstanding_cents=gross,
        running_plan=_running_plan(store, customer_id, as_of),
        other_currencies=dict(sorted(others.items())),
    )
