"""Write the demo scenario into a store, day by day, through the repository functions.

The store's clock is pinned to each replayed day (11:00 UTC) while building, so every row and
event carries the date it happened on and two builds with the same seed and `as_of` give the
same database content.
"""

from __future__ import annotations

import json
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
from assistant.storage import repo
from assistant.storage import statutory as statutory_db
from assistant.storage.db import Store
from assistant.storage.drafts_lifecycle import DraftStatus, sql

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
    if store.scalar("SELECT count(*) FROM customers") or store.scalar(
        "SELECT count(*) FROM invoices"
    ):
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
    store.conn.executemany(
        "INSERT INTO invoice_steps (invoice_number, step, done_on, channel, source, draft_id)"
        " VALUES (?, ?, ?, ?, 'demo', ?)",
        [(n, step, day.isoformat(), channel, draft_id) for n in numbers],
    )


TONES = {"pre_due": "courteous", "reminder_1": "benevolent", "reminder_2": "firm"}


def _sent_draft(store: Store, message: PlannedMessage) -> int:
    """The reviewed draft behind a past e-mail: about one in six was edited before approval."""
    customer = store.query_one(
        "SELECT name, email, language, segment, strategic FROM customers WHERE id = ?",
        (message.customer_id,),
    )
    assert customer is not None
    marks = ",".join("?" * len(message.invoices))
    total, first_due = store.query(
        "SELECT SUM(amount_cents) AS t, MIN(due_date) AS d FROM invoices"
        f" WHERE number IN ({marks})",
        message.invoices,
    )[0].values()
    edited = zlib.crc32(f"{message.customer_id}|{message.step}|{message.on}".encode()) % 6 == 0
    text = tr("Relance {s} du {d} (historique de la démo)", "{s} reminder of {d} (demo history)",
              s=message.step, d=message.on.isoformat())  # fmt: skip
    now = store.now_iso()
    segment = "strategic" if customer["strategic"] else customer["segment"] or "standard"
    cur = store.conn.execute(
        "INSERT INTO drafts (customer_id, step, channel, language, status, recipient, cc, subject,"
        " body, template_name, template_subject, template_body, source, violations, segment,"
        " tone, policy_version, plan_date, scheduled_for, total_cents, currency, max_days_late,"
        " reason, edited, sent_at, created_at, updated_at) VALUES (?, ?, 'email', ?,"
        f" {sql(DraftStatus.SENT)}, ?,"
        " '[]', ?, ?, ?, ?, ?, 'template', '[]', ?, ?, 'demo', ?, ?, ?, 'EUR', ?, ?, ?, ?, ?, ?)",
        (message.customer_id, message.step, customer["language"], customer["email"], text,
         text, f"{customer['language']}/{message.step}.j2", text, text, segment,
         TONES.get(message.step), message.on.isoformat(), message.on.isoformat(), total,
         max((message.on - date.fromisoformat(first_due)).days, 0), text, int(edited), now,
         now, now),
    )  # fmt: skip
    draft_id = int(cur.lastrowid or 0)
    store.conn.executemany(
        "INSERT INTO draft_invoices (draft_id, invoice_number, outstanding_cents)"
        " SELECT ?, number, outstanding_cents FROM invoices WHERE number = ?",
        [(draft_id, n) for n in message.invoices],
    )
    return draft_id


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
        cur = store.conn.execute(
            "INSERT INTO promises (customer_id, invoice_number, promised_date, amount_cents,"
            " made_on, source, note, created_at) VALUES (?, ?, ?, ?, ?, 'call', ?, ?)",
            (call.customer_id, promise.invoice_number, promise.promised_date.isoformat(),
             promise.amount_cents, call.on.isoformat(), call.note, store.now_iso()),
        )  # fmt: skip
        store.record_event(
            "promise.made", actor=DEMO_ACTOR, customer_id=call.customer_id,
            invoice_number=promise.invoice_number, on_date=call.on,
            data={"promise_id": cur.lastrowid, "promised_date": promise.promised_date.isoformat(),
                  "amount_cents": promise.amount_cents, "source": "call"},
        )  # fmt: skip


# -- summary ----------------------------------------------------------------------------------
def demo_summary(store: Store) -> DemoSummary:
    """The summary of the demo held by `store` (raises UserError if it holds no demo)."""
    event = store.query_one(
        "SELECT data FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1", (DEMO_EVENT,)
    )
    if event is None:
        raise UserError(tr("cette base ne contient pas de démo", "this database holds no demo"))
    info = json.loads(event["data"])
    as_of = date.fromisoformat(info["as_of"])

    def count(sql: str, params: tuple = ()) -> int:
        return int(store.scalar(sql, params) or 0)

    closing = store.query(
        "SELECT c.name, p.start, p.end FROM customers c JOIN closing_periods p"
        " ON p.customer_id = c.id WHERE p.end >= ? ORDER BY p.start, c.name",
        (as_of.isoformat(),),
    )
    worst = store.query_one(
        "SELECT c.id, c.name, sum(i.outstanding_cents) AS late FROM invoices i"
        " JOIN customers c ON c.id = i.customer_id"
        " WHERE i.status = 'open' AND i.due_date < ? AND c.do_not_contact = 0"
        " GROUP BY c.id ORDER BY late DESC, c.id LIMIT 1",
        ((as_of - timedelta(days=30)).isoformat(),),
    )
    return DemoSummary(
        company=info["company"]["name"],
        as_of=as_of,
        seed=int(info["seed"]),
        customers=count("SELECT count(*) FROM customers"),
        strategic=count("SELECT count(*) FROM customers WHERE strategic = 1"),
        english=count("SELECT count(*) FROM customers WHERE language = 'en'"),
        new_customers=count(
            "SELECT count(*) FROM customers WHERE customer_since > ?",
            ((as_of - timedelta(days=365)).isoformat(),),
        ),
        do_not_contact=count("SELECT count(*) FROM customers WHERE do_not_contact = 1"),
        sms_opt_in=count("SELECT count(*) FROM customers WHERE sms_opt_in = 1"),
        closing_periods=tuple(
            (r["name"], date.fromisoformat(r["start"]), date.fromisoformat(r["end"]))
            for r in closing
        ),
        invoices=count("SELECT count(*) FROM invoices"),
        payments=count("SELECT count(*) FROM payments"),
        partly_paid_open=count(
            "SELECT count(*) FROM invoices WHERE status IN ('open', 'disputed')"
            " AND outstanding_cents > 0 AND outstanding_cents < amount_cents"
        ),
        messages_sent=count("SELECT count(*) FROM events WHERE kind = 'message.sent'"),
        calls_logged=count("SELECT count(*) FROM events WHERE kind = 'call.logged'"),
        promises_made=count("SELECT count(*) FROM promises"),
        portfolio=portfolio_summary(store, as_of),
        worst_payer=(worst["id"], worst["name"]) if worst else None,
    )
