"""A call's outcome, logged by the collector, feeds the engine: a promise pauses reminders, a
plan creates an instalment schedule, a dispute blocks the invoice, an announced payment is
awaited, no answer or a wrong contact leaves the call due. Everything is an event."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from assistant.briefs.options import instalment_plan, load_plan_policy
from assistant.drafting import queue
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.inputs import check_amount, check_horizon
from assistant.models import Customer, Invoice
from assistant.reasons import Code, Reason
from assistant.rules import BusinessCalendar, Plan, ScenarioPolicy
from assistant.rules.calendar import closing_spans
from assistant.storage import balances, calls_repo, repo
from assistant.storage.calls_repo import OpenInvoice
from assistant.storage.db import Store


class Service(Protocol):
    """What a call's outcome needs from the façade (`assistant.service.Service` fits it). Named
    here so that this module never imports the façade, which delegates to it (no import cycle)."""

    store: Store
    actor: str

    @property
    def home(self) -> Path: ...

    def customer(self, customer_id: str) -> Customer: ...

    def invoice(self, number: str) -> Invoice: ...

    def scenario(self) -> ScenarioPolicy: ...

    def plan(self, as_of: date, *, explain: bool = False) -> Plan: ...

    def open_dispute(self, number: str, reason: str) -> Invoice: ...

    def record_promise(
        self,
        number: str,
        promised: date,
        amount_cents: int | None = None,
        *,
        made_on: date | None = None,
        source: str = "manual",
        note: str | None = None,
    ) -> int: ...


CALL_OUTCOMES = ("promise", "plan", "dispute", "no-answer", "wrong-contact", "paid")
# French words accepted for an outcome (accents and case ignored), as well as the English ids.
OUTCOME_ALIASES = {
    "promesse": "promise",
    "plan": "plan",
    "echeancier": "plan",
    "litige": "dispute",
    "pas-de-reponse": "no-answer",
    "injoignable": "no-answer",
    "mauvais-contact": "wrong-contact",
    "paye": "paid",
    "deja-paye": "paid",
}


def outcome_id(text: str) -> str:
    """`promesse` -> `promise`, `pas-de-réponse` -> `no-answer`; an English id stays."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.strip().casefold().replace(" ", "-"))
    key = "".join(c for c in folded if not unicodedata.combining(c))
    return key if key in CALL_OUTCOMES else OUTCOME_ALIASES.get(key, text)


# which options each outcome uses; any other is refused rather than silently ignored
_USES = {
    "--date": ("promise", "plan", "paid"),
    "--amount": ("promise", "paid"),
    "--instalments": ("plan",),
}


def _check_options(outcome: str, given: dict[str, object]) -> None:
    for option, value in given.items():
        if value is not None and outcome not in _USES[option]:
            raise UserError(
                tr(
                    "{o} n'a pas de sens pour --outcome {r} (utilisé par : {u})",
                    "{o} does not apply to --outcome {r} (used by: {u})",
                    o=option,
                    r=outcome,
                    u=", ".join(_USES[option]),
                )
            )


def log_call(
    service: Service,
    customer_id: str,
    outcome: str,
    *,
    on: date,
    promised: date | None = None,
    amount_cents: int | None = None,
    instalments: int | None = None,
    invoice: str | None = None,
    note: str | None = None,
) -> dict[str, object]:
    """Record a call's outcome; it feeds the engine (promise, plan, dispute...)."""
    customer = service.customer(customer_id)
    outcome = outcome_id(outcome)
    if outcome not in CALL_OUTCOMES:
        raise UserError(
            tr(
                "résultat inconnu : {o} (attendu : promesse, plan, litige, pas-de-réponse,"
                " mauvais-contact, payé ; ou en anglais : {all})",
                "unknown outcome: {o} (expected: {all})",
                o=outcome,
                all=", ".join(CALL_OUTCOMES),
            )
        )
    _check_options(
        outcome, {"--date": promised, "--amount": amount_cents, "--instalments": instalments}
    )
    task = next(
        (
            a
            for a in service.plan_for(customer_id, on).actions
            if a.customer_id == customer_id and a.requires_human
        ),
        None,
    )
    data: dict[str, object] = {
        "outcome": outcome,
        "note": note,
        "step": task.step if task else None,
        "invoices": list(task.invoices) if task else [],
        "instalment_id": task.instalment_id if task else None,
    }
    with service.store.transaction():
        data |= apply_outcome(
            service,
            customer,
            outcome,
            on=on,
            promised=promised,
            amount_cents=amount_cents,
            instalments=instalments,
            invoice=invoice,
            note=note,
        )
        if task is not None and outcome in ("promise", "plan", "dispute", "paid"):
            repo.mark_steps_done(
                service.store,
                list(task.invoices),
                task.step,
                on,
                source="call",
                actor=service.actor,
                channel="phone",
                instalment_id=task.instalment_id,
            )
        service.store.record_event(
            "call.logged",
            actor=service.actor,
            customer_id=customer_id,
            invoice_number=invoice,
            on_date=on,
            data=data,
        )
    return data


def apply_outcome(
    service: Service,
    customer: Customer,
    outcome: str,
    *,
    on: date,
    promised: date | None = None,
    amount_cents: int | None = None,
    instalments: int | None = None,
    invoice: str | None = None,
    note: str | None = None,
    source: str = "call",
) -> dict[str, object]:
    """What an outcome does, told on a call or in a reply a person triaged (inside the
    caller's transaction): a promise pauses, a plan schedules, a dispute blocks, an announced
    payment is awaited. `no-answer` and `wrong-contact` change nothing. Returns its facts."""
    if invoice is not None and service.invoice(invoice).customer_id != customer.id:
        raise UserError(
            tr(
                "{n} n'appartient pas à {c}",
                "{n} does not belong to {c}",
                n=invoice,
                c=customer.id,
            )
        )
    horizon = service.scenario().promise_horizon_months
    data: dict[str, object] = {}
    if outcome == "promise":
        if promised is None:
            raise UserError(
                tr(
                    "--date est nécessaire pour une promesse",
                    "--date is required for a promise",
                )
            )
        check_horizon(promised, on, horizon, "--date")
        data["promised_date"] = promised.isoformat()
        data["amount_cents"] = amount_cents
        if invoice is not None:
            data["promise_id"] = service.record_promise(
                invoice, promised, amount_cents, made_on=on, source=source, note=note
            )
        else:
            data["promise_id"] = _customer_promise(
                service, customer, promised, amount_cents, on, note, source
            )
    elif outcome == "plan":
        first = check_horizon(promised, on, horizon, "--date") if promised else None
        data["plan_id"], data["schedule"] = _agree_plan(
            service, customer, instalments, on, note, invoice, first
        )
    elif outcome == "paid":
        data["paid_on"] = (promised or on).isoformat()
        data["promised_date"] = on.isoformat()
        data["promise_id"] = _payment_claimed(
            service, customer, invoice, promised or on, amount_cents, on, note
        )
    elif outcome == "dispute":
        if invoice is None:
            raise UserError(
                tr(
                    "--invoice est nécessaire pour un litige",
                    "--invoice is required for a dispute",
                )
            )
        service.open_dispute(
            invoice, note or tr("contestation lors d'un appel", "disputed during a call")
        )
    return data


def _payment_claimed(
    service: Service,
    customer: Customer,
    invoice: str | None,
    paid_on: date,
    amount_cents: int | None,
    on: date,
    note: str | None,
) -> int:
    """ "Already paid", says the customer: the claim is held like a promise due on the call
    day, counting payments from the day they say they paid. Reminders pause while the funds
    can still arrive (grace days); if nothing comes, it is broken and a person calls again.
    The invoice stays open until the payment is imported: we never guess it paid."""
    if paid_on > on:
        raise UserError(
            tr(
                "--date : jour du paiement annoncé, pas une date future"
                " (un paiement à venir est une promesse : --outcome promise)",
                "--date: the day the customer says they paid, not a future date"
                " (a payment to come is a promise: --outcome promise)",
            )
        )
    rows = _open_invoices(service, customer.id)
    numbers = [invoice] if invoice is not None else [r.number for r in rows]
    if amount_cents is not None:
        check_amount(amount_cents, _owed(service, rows, invoice), "--amount")
    if invoice is None and amount_cents is None:
        # "we paid": what was due, not any payment at all (a small one would not keep it)
        _one_currency(rows)
        overdue = [r.outstanding_cents for r in rows if r.due_date < on]
        amount_cents = sum(overdue or [r.outstanding_cents for r in rows]) or None
    promise_id = repo.insert_promise(
        service.store,
        customer.id,
        invoice,
        on,
        amount_cents,
        paid_on,
        source="payment_claimed",
        note=note,
        actor=service.actor,
    )
    _cancel_drafts(service, numbers, Reason.of(Code.PAYMENT_ANNOUNCED))
    return promise_id


def _customer_promise(
    service: Service,
    customer: Customer,
    promised: date,
    amount_cents: int | None,
    on: date,
    note: str | None,
    source: str = "call",
) -> int:
    if amount_cents is not None:
        check_amount(amount_cents, _owed(service, _open_invoices(service, customer.id)), "--amount")
    promise_id = repo.insert_promise(
        service.store,
        customer.id,
        None,
        promised,
        amount_cents,
        on,
        source=source,
        note=note,
        actor=service.actor,
    )
    numbers = [r.number for r in _open_invoices(service, customer.id)]
    _cancel_drafts(service, numbers, Reason.of(Code.PROMISE_TO_PAY))
    return promise_id


def _agree_plan(
    service: Service,
    customer: Customer,
    count: int | None,
    on: date,
    note: str | None,
    invoice: str | None,
    first: date | None = None,
) -> tuple[int, list[dict[str, str]]]:
    """The instalment plan agreed on a call: (plan id, schedule as `{date, amount}`)."""
    if count is None:
        raise UserError(
            tr(
                "--instalments est nécessaire pour un plan",
                "--instalments is required for a plan",
            )
        )
    rows = calls_repo.invoices_for_plan(service.store, customer.id, invoice)
    if not rows:
        raise UserError(tr("aucune facture ouverte pour un plan", "no open invoice for a plan"))
    _one_currency(rows)  # a plan is one amount: never a sum of two currencies
    currency = rows[0].currency
    total = sum(r.outstanding_cents for r in rows)
    if not invoice:  # the whole balance: net of the unallocated credits (rules/balance.py)
        credits = balances.credits_of(service.store, customer.id)
        total -= sum(
            c.money.cents for c in credits if c.on_date <= on and c.money.currency == currency
        )
        if total <= 0:
            raise UserError(
                tr(
                    "le crédit non affecté du client couvre ses factures ouvertes : à lettrer,"
                    " pas de plan",
                    "the customer's unallocated credit covers its open invoices: to letter,"
                    " no plan",
                )
            )
    spans = closing_spans([(p.start, p.end) for p in customer.closing_periods or []])
    option = instalment_plan(
        total,
        count,
        on,
        load_plan_policy(service.home),
        BusinessCalendar(service.scenario().sending_weekdays),
        customer.country,
        spans,
        first_day=first,
    )
    numbers = [r.number for r in rows]
    plan_id = calls_repo.insert_payment_plan(
        service.store,
        customer.id,
        on,
        total,
        note,
        numbers,
        [calls_repo.NewInstalment(x.date, x.amount_cents) for x in option.instalments],
    )
    service.store.record_event(
        "payment_plan.agreed",
        actor=service.actor,
        customer_id=customer.id,
        on_date=on,
        data={
            "plan_id": plan_id,
            "instalments": count,
            "total_cents": total,
            "invoices": numbers,
            "schedule": [{**x.as_json(), "currency": currency} for x in option.instalments],
        },
    )
    _cancel_drafts(service, numbers, Reason.of(Code.PAYMENT_PLAN_AGREED))
    return plan_id, [{**x.as_json(), "currency": currency} for x in option.instalments]


def _owed(service: Service, rows: list[OpenInvoice], invoice: str | None = None) -> int:
    """What the customer owes (or the one invoice): the ceiling of an amount promised or paid."""
    if invoice is not None:
        return service.invoice(invoice).outstanding_cents
    _one_currency(rows)
    return sum(r.outstanding_cents for r in rows)


def _one_currency(rows: list[OpenInvoice]) -> None:
    """An amount over a customer's invoices is one currency's: several are refused."""
    currencies = sorted({r.currency for r in rows})
    if len(currencies) > 1:
        raise UserError(
            tr(
                "factures ouvertes en plusieurs devises ({c}) : précisez la facture (--invoice)",
                "open invoices in several currencies ({c}): name the invoice (--invoice)",
                c=", ".join(currencies),
            )
        )


def _open_invoices(service: Service, customer_id: str) -> list[OpenInvoice]:
    return calls_repo.open_invoices(service.store, customer_id)


def _cancel_drafts(service: Service, numbers: list[str], why: Reason) -> None:
    """Drafts naming these invoices that have not left yet are cancelled (the next `draft`
    run proposes what is still due)."""
    for number in numbers:
        queue.cancel_for_invoice(service.store, number, why, service.actor)
