"""Write the demo scenario into a store, day by day, through the repository functions.

The store's clock is pinned to each replayed day (11:00 UTC) while building, so every row and
event carries the date it happened on and two builds with the same seed and `as_of` give the
same database content.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from assistant.demo.catalog import COMPANY, DEFAULT_SEED
from assistant.demo.catalog import CUSTOMERS as CUSTOMER_SPECS
from assistant.demo.scenario import (
    PlannedCall,
    PlannedInvoice,
    PlannedMessage,
    Scenario,
    make_scenario,
)
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.models import Invoice, InvoiceStatus, Payment
from assistant.stats import PortfolioSummary, portfolio_summary
from assistant.storage import demo_repo, drafts_repo, repo
from assistant.storage import statutory as statutory_db
from assistant.storage.db import Store

DEMO_ACTOR = "demo"
DEMO_EVENT = "demo.created"
EARLIEST_AS_OF = date(2000, 1, 1)
LATEST_AS_OF = date(2100, 12, 31)
REPLAY_HOUR = time(11, 0, tzinfo=UTC)  # the same calendar day from UTC-11 to UTC+12

Op = Callable[[Store], object]


@dataclass(frozen=True)
class DemoSummary:
    """What `relance demo` prints: the demo company and its portfolio on `as_of`."""

    company: str
    as_of: date
    seed: int
    customers: int
    strategic: int
    english: int
    new_customers: int  # customer for less than 12 months
    do_not_contact: int
    sms_opt_in: int
    closing_periods: tuple[tuple[str, date, date], ...]  # (customer name, start, end) to come
    invoices: int
    payments: int
    partly_paid_open: int  # owed invoices that already received a partial payment
    messages_sent: int
    calls_logged: int
    promises_made: int
    portfolio: PortfolioSummary
    worst_payer: tuple[str, str] | None  # (customer id, name): largest amount over 30 days late


def build_demo(store: Store, as_of: date, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Fill an empty store with the demo company's last six months before `as_of`."""
    if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
        raise UserError(
            tr("date de démo hors limites ({low} à {high}) : {day}",
               "demo date out of range ({low} to {high}): {day}",
               low=EARLIEST_AS_OF, high=LATEST_AS_OF, day=as_of)
        )  # fmt: skip
    if demo_repo.holds_data(store):
        raise UserError(
            tr("la démo se construit dans une base vide ; celle-ci contient déjà des données",
               "the demo is built in an empty database; this one already holds data")
        )  # fmt: skip
    scenario = make_scenario(as_of, seed)
    with _pinned_clock(store, scenario.window_start) as set_day, store.transaction():
        for day, ops in sorted(_timeline(scenario).items()):
            set_day(day)
            for _, op in sorted(ops, key=lambda item: item[0]):
                op(store)
        set_day(as_of)
        store.record_event(
            DEMO_EVENT,
            actor=DEMO_ACTOR,
            on_date=as_of,
            data={"company": COMPANY.as_dict(), "seed": seed, "as_of": as_of.isoformat()},
        )
    return demo_summary(store)


@contextmanager
def _pinned_clock(store: Store, start: date) -> Iterator[Callable[[date], None]]:
    original = store.clock
    now = [datetime.combine(start, REPLAY_HOUR)]
    store.clock = lambda: now[0]

    def set_day(day: date) -> None:
        now[0] = datetime.combine(day, REPLAY_HOUR)

    try:
        yield set_day
    finally:
        store.clock = original


# -- the timeline -----------------------------------------------------------------------------
# Within a day: customers, then invoices, payments (bank statement), messages and calls,
# and disputes last (a dispute raised during a call follows the call).
CUSTOMERS, INVOICES, PAYMENTS, CONTACTS, DISPUTES = range(5)


def _timeline(scenario: Scenario) -> dict[date, list[tuple[tuple[int, int], Op]]]:
    ops: dict[date, list[tuple[tuple[int, int], Op]]] = defaultdict(list)

    def add(day: date, phase: int, op: Op) -> None:
        ops[day].append(((phase, len(ops[day])), op))

    created: dict[date, list] = defaultdict(list)
    for customer in scenario.customers:
        since = customer.customer_since or scenario.window_start
        created[max(since, scenario.window_start)].append(customer)
    for day, batch in created.items():
        add(day, CUSTOMERS, lambda s, b=batch: repo.upsert_customers(s, b, DEMO_ACTOR))
    for spec in CUSTOMER_SPECS:
        if spec.proceedings:  # published 100 days ago, claim declared 20 days later
            published = scenario.as_of - timedelta(days=100)
            add(
                published + timedelta(days=20),
                CUSTOMERS,
                lambda s, c=spec.id, k=spec.proceedings, p=published: _proceedings(s, c, k, p),
            )
    issued: dict[date, list[PlannedInvoice]] = defaultdict(list)
    for inv in scenario.invoices:
        issued[inv.issue_date].append(inv)
        for paid_on, cents in inv.payments:
            add(paid_on, PAYMENTS, lambda s, i=inv, d=paid_on, c=cents: _pay(s, i, d, c))
        if inv.dispute is not None:
            add(inv.dispute[0], DISPUTES, lambda s, i=inv: _dispute(s, i))
    for day, batch in issued.items():
        add(day, INVOICES, lambda s, b=batch: _issue(s, b))
    for message in scenario.messages:
        add(message.on, CONTACTS, lambda s, m=message: _message(s, m))
    for call in scenario.calls:
        add(call.on, CONTACTS, lambda s, c=call: _call(s, c))
    return ops


def _proceedings(store: Store, customer_id: str, kind: str, published: date) -> None:
    declared = published + timedelta(days=20)
    statutory_db.set_proceedings(store, customer_id, kind, published, declared)
    store.record_event(
        "proceedings.recorded", actor=DEMO_ACTOR, customer_id=customer_id,
        data={"kind": kind, "published_on": published.isoformat(),
              "declared_on": declared.isoformat(), "source": "demo"},
    )  # fmt: skip


def _issue(store: Store, batch: list[PlannedInvoice]) -> None:
    invoices = [
        Invoice(
            number=inv.number,
            customer_id=inv.customer_id,
            issue_date=inv.issue_date,
            due_date=inv.due_date,
            amount_cents=inv.amount_cents,
            outstanding_cents=inv.amount_cents,
            reference=inv.reference,
        )
        for inv in batch
    ]
    repo.upsert_invoices(store, invoices, DEMO_ACTOR)


def _pay(store: Store, invoice: PlannedInvoice, day: date, cents: int) -> None:
    payment = Payment(invoice_number=invoice.number, date=day, amount_cents=cents, source="demo")
    repo.apply_payment(store, payment, import_key=None, actor=DEMO_ACTOR)


def _dispute(store: Store, invoice: PlannedInvoice) -> None:
    assert invoice.dispute is not None
    day, reason = invoice.dispute
    current = repo.get_invoice(store, invoice.number)
    assert current is not None
    repo.upsert_invoices(store, [current.model_copy(update={"status": InvoiceStatus.DISPUTED})],
                         DEMO_ACTOR)  # fmt: skip
    store.record_event(
        "dispute.opened", actor=DEMO_ACTOR, customer_id=invoice.customer_id,
        invoice_number=invoice.number, on_date=day, data={"reason": reason, "source": "demo"},
    )  # fmt: skip


def _step_rows(
    store: Store,
    numbers: tuple[str, ...],
    step: str,
    day: date,
    channel: str,
    draft_id: int | None = None,
) -> None:
    demo_repo.insert_steps_done(store, numbers, step, day, channel, draft_id)


TONES = {"pre_due": "courteous", "reminder_1": "benevolent", "reminder_2": "firm"}


def _sent_draft(store: Store, message: PlannedMessage) -> int:
    """The reviewed draft behind a past e-mail: about one in six was edited before approval."""
    customer = demo_repo.addressee(store, message.customer_id)
    assert customer is not None
    total, first_due = demo_repo.invoices_total_and_first_due(store, message.invoices)
    edited = zlib.crc32(f"{message.customer_id}|{message.step}|{message.on}".encode()) % 6 == 0
    text = tr("Relance {s} du {d} (historique de la démo)", "{s} reminder of {d} (demo history)",
              s=message.step, d=message.on.isoformat())  # fmt: skip
    segment = "strategic" if customer.strategic else customer.segment or "standard"
    return drafts_repo.insert_sent_history(
        store,
        drafts_repo.SentHistory(
            customer_id=message.customer_id,
            step=message.step,
            language=customer.language,
            recipient=customer.email,
            text=text,
            template_name=f"{customer.language}/{message.step}.j2",
            segment=segment,
            tone=TONES.get(message.step),
            on=message.on,
            total_cents=total,
            max_days_late=max((message.on - first_due).days, 0),
            edited=edited,
            invoices=message.invoices,
        ),
    )


def _message(store: Store, message: PlannedMessage) -> None:
    if message.channel == "email":  # the SMS of J+10 goes with the e-mail: one step row
        draft_id = _sent_draft(store, message)
        _step_rows(store, message.invoices, message.step, message.on, "email", draft_id)
    store.record_event(
        "message.sent", actor=DEMO_ACTOR, customer_id=message.customer_id, on_date=message.on,
        data={"step": message.step, "channel": message.channel,
              "invoices": list(message.invoices), "source": "demo"},
    )  # fmt: skip


def _call(store: Store, call: PlannedCall) -> None:
    _step_rows(store, call.invoices, "call", call.on, "phone")
    data: dict[str, object] = {
        "step": "call", "outcome": call.outcome, "note": call.note,
        "invoices": list(call.invoices), "source": "demo",
    }  # fmt: skip
    if call.promises:
        data["promised_date"] = call.promises[0].promised_date.isoformat()
    store.record_event("call.logged", actor=DEMO_ACTOR, customer_id=call.customer_id,
                       on_date=call.on, data=data)  # fmt: skip
    for promise in call.promises:
        repo.insert_promise(
            store, call.customer_id, promise.invoice_number, promise.promised_date,
            promise.amount_cents, call.on, source="call", note=call.note, actor=DEMO_ACTOR,
        )  # fmt: skip


# -- summary ----------------------------------------------------------------------------------
def demo_summary(store: Store) -> DemoSummary:
    """The summary of the demo held by `store` (raises UserError if it holds no demo)."""
    info = demo_repo.latest_event_data(store, DEMO_EVENT)
    if info is None:
        raise UserError(tr("cette base ne contient pas de démo", "this database holds no demo"))
    as_of = date.fromisoformat(info["as_of"])
    counts = demo_repo.demo_counts(store, as_of - timedelta(days=365))
    return DemoSummary(
        company=info["company"]["name"],
        as_of=as_of,
        seed=int(info["seed"]),
        customers=counts.customers,
        strategic=counts.strategic,
        english=counts.english,
        new_customers=counts.new_customers,
        do_not_contact=counts.do_not_contact,
        sms_opt_in=counts.sms_opt_in,
        closing_periods=tuple(demo_repo.closing_periods_from(store, as_of)),
        invoices=counts.invoices,
        payments=counts.payments,
        partly_paid_open=counts.partly_paid_open,
        messages_sent=counts.messages_sent,
        calls_logged=counts.calls_logged,
        promises_made=counts.promises_made,
        portfolio=portfolio_summary(store, as_of),
        worst_payer=demo_repo.worst_payer(store, as_of - timedelta(days=30)),
    )
