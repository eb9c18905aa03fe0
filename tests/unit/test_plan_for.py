"""Per-customer planning: the plan of one customer is exactly the full plan's part for it.

Random small portfolios carry everything the planner reads (steps done, payments, promises,
disputes, payment plans, closing periods, credits, collective accounts, replies, bounced
addresses, proceedings, hand-offs, old invoices near limitation); for every customer,
`make_plan(..., customer_ids=[c])` must equal the full plan filtered to `c`: actions, skips
and warnings, in the same order.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.models import InvoiceStatus
from assistant.reasons import render
from assistant.rules import Plan, hold_sources, make_plan
from assistant.rules.holds import Hold
from assistant.service import Service
from assistant.storage.db import Store, open_store
from tests.support.examples import examples
from tests.unit.rules_builders import add_customer, add_invoice, mark

BASE = date(2026, 11, 2)
NOW = "2026-11-02T00:00:00+00:00"
STEPS = ("pre_due", "reminder_1", "reminder_2", "call", "escalation")
LIMIT = len("ABCD")

day_st = st.integers(-120, 30)
customer_st = st.fixed_dictionaries(
    {
        "do_not_contact": st.booleans().map(lambda b: b and False) | st.just(True),
        "strategic": st.booleans(),
        "closing": st.none() | st.tuples(st.integers(-20, 30), st.integers(0, 20)),
        "credit": st.none()
        | st.tuples(st.integers(1_000, 500_000), st.sampled_from(["EUR", "CHF"])),
        "collective": st.booleans().map(lambda b: b and False) | st.just(True),
        "reply": st.sampled_from([None, "new", "question"]),
        "bounced": st.booleans(),
        "proceedings": st.none() | st.tuples(st.integers(-60, 10), st.booleans()),
        "decision": st.sampled_from([None, "handoff", "writeoff", "resume"]),
    }
)
invoice_st = st.fixed_dictionaries(
    {
        "customer": st.integers(0, LIMIT - 1),
        "due": day_st | st.just(-1750),  # 4.8 years ago: a limitation warning
        "cents": st.integers(1_000, 3_000_000),
        "status": st.sampled_from(
            [InvoiceStatus.OPEN, InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.DISPUTED]
        ),
        "partial": st.booleans(),
        "currency": st.sampled_from(["EUR", "EUR", "CHF"]),
        "done": st.lists(st.tuples(st.sampled_from(STEPS), st.integers(-90, 5)), max_size=2),
        "paid": st.none() | st.tuples(st.integers(-60, 5), st.integers(100, 500_000)),
    }
)
promise_st = st.fixed_dictionaries(
    {
        "customer": st.integers(0, LIMIT - 1),
        "invoice": st.none() | st.integers(0, 11),
        "made": st.integers(-40, 0),
        "promised": st.integers(-30, 20),
        "amount": st.none() | st.integers(1_000, 200_000),
    }
)
plan_st = st.fixed_dictionaries(
    {"invoice": st.integers(0, 11), "agreed": st.integers(-60, 0), "first": st.integers(-40, 20)}
)
portfolio_st = st.fixed_dictionaries(
    {
        "customers": st.lists(customer_st, min_size=2, max_size=LIMIT),
        "invoices": st.lists(invoice_st, min_size=1, max_size=12),
        "promises": st.lists(promise_st, max_size=4),
        "plans": st.lists(plan_st, max_size=2),
        "as_of": st.integers(0, 40),
    }
)


def fresh_store() -> Store:
    return open_store(Path(tempfile.mkdtemp(prefix="relance-planfor-")) / "p.db")


# A customer of the generator's shape with nothing special about it (hand-made portfolios).
PLAIN_CUSTOMER = {
    "do_not_contact": False,
    "strategic": False,
    "closing": None,
    "credit": None,
    "collective": False,
    "reply": None,
    "bounced": False,
    "proceedings": None,
    "decision": None,
}


def _sql(store: Store, sql: str, params: tuple[object, ...]) -> None:
    with store.transaction():
        store.conn.execute(sql, params)


def _day(offset: int) -> str:
    return (BASE + timedelta(days=offset)).isoformat()


def build(store: Store, p: dict) -> list[str]:
    """Write the portfolio; returns the customer ids."""
    ids = [f"C{i}" for i in range(len(p["customers"]))]
    for cid, c in zip(ids, p["customers"], strict=True):
        closing = None
        if c["closing"] is not None:
            start = BASE + timedelta(days=c["closing"][0])
            closing = [(start, start + timedelta(days=c["closing"][1]))]
        add_customer(
            store,
            cid,
            do_not_contact=c["do_not_contact"],
            strategic=c["strategic"],
            closing=closing,
            phone="+33600000000",
            sms_opt_in=True,
        )
        if c["credit"] is not None:
            _sql(
                store,
                "INSERT INTO customer_credits (customer_id, source, ref, on_date,"
                " amount_cents, currency, file, created_at) VALUES (?, 'fec', ?, ?, ?, ?, 'f', ?)",
                (cid, f"r-{cid}", _day(-10), c["credit"][0], c["credit"][1], NOW),
            )
        if c["collective"]:
            _sql(
                store,
                "UPDATE customers SET collective = 1, collective_reason = 'x' WHERE id = ?",
                (cid,),
            )
        if c["reply"] is not None:
            question = c["reply"] == "question"
            _sql(
                store,
                "INSERT INTO replies (dedupe_key, source, kind, status, customer_id, match,"
                " received_at, received_on, outcome, triaged_on, created_at)"
                " VALUES (?, 'test', 'reply', ?, ?, 'address', ?, ?, ?, ?, ?)",
                (
                    f"k-{cid}",
                    "triaged" if question else "new",
                    cid,
                    NOW,
                    _day(-3),
                    "question" if question else None,
                    _day(-2) if question else None,
                    NOW,
                ),
            )
        if c["bounced"]:
            _sql(
                store,
                "INSERT INTO invalid_addresses (address, since) VALUES (?, ?)",
                (f"{cid.lower()}@example.com", _day(-5)),
            )
        if c["proceedings"] is not None:
            published, declared = c["proceedings"]
            _sql(
                store,
                "UPDATE customers SET proceedings_kind = 'redressement',"
                " proceedings_published_on = ?, proceedings_declared_on = ? WHERE id = ?",
                (_day(published), _day(published + 5) if declared else None, cid),
            )
        if c["decision"] is not None:
            _sql(
                store,
                "INSERT INTO escalations (customer_id, decision, decided_on, actor,"
                " created_at) VALUES (?, ?, ?, 'test', ?)",
                (cid, c["decision"], _day(-7), NOW),
            )
    numbers = []
    for n, inv in enumerate(p["invoices"]):
        cid = ids[inv["customer"] % len(ids)]
        number = f"F{n}"
        numbers.append(number)
        outstanding = inv["cents"] // 2 if inv["partial"] else None
        if inv["status"] is InvoiceStatus.PAID:
            outstanding = 0
        add_invoice(
            store,
            number,
            BASE + timedelta(days=inv["due"]),
            inv["cents"],
            cid,
            inv["status"],
            outstanding,
        )
        if inv["currency"] != "EUR":
            _sql(
                store,
                "UPDATE invoices SET currency = ? WHERE number = ?",
                (inv["currency"], number),
            )
        for step, on in dict(inv["done"]).items():
            mark(store, [number], step, BASE + timedelta(days=on))
        if inv["paid"] is not None:
            _sql(
                store,
                "INSERT INTO payments (invoice_number, date, amount_cents, created_at)"
                " VALUES (?, ?, ?, ?)",
                (number, _day(inv["paid"][0]), inv["paid"][1], NOW),
            )

    def owner(invoice: dict) -> str:
        return ids[invoice["customer"] % len(ids)]

    for pr in p["promises"]:
        cid = ids[pr["customer"] % len(ids)]
        number = None
        if pr["invoice"] is not None:  # a promise about one of this customer's invoices
            mine = [f"F{n}" for n, i in enumerate(p["invoices"]) if owner(i) == cid]
            number = mine[pr["invoice"] % len(mine)] if mine else None
        _sql(
            store,
            "INSERT INTO promises (customer_id, invoice_number, promised_date, amount_cents,"
            " made_on, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                cid,
                number,
                _day(pr["made"] + pr["promised"] % 30),
                pr["amount"],
                _day(pr["made"]),
                NOW,
            ),
        )
    for pl in p["plans"]:
        number = numbers[pl["invoice"] % len(numbers)]
        cid = ids[p["invoices"][pl["invoice"] % len(numbers)]["customer"] % len(ids)]
        with store.transaction():
            plan_id = store.conn.execute(
                "INSERT INTO payment_plans (customer_id, agreed_on, total_cents, created_at)"
                " VALUES (?, ?, 90000, ?)",
                (cid, _day(pl["agreed"]), NOW),
            ).lastrowid
            store.conn.execute("INSERT INTO payment_plan_invoices VALUES (?, ?)", (plan_id, number))
            store.conn.executemany(
                "INSERT INTO instalments (plan_id, seq, due_date, amount_cents) VALUES (?,?,?,?)",
                [(plan_id, k, _day(pl["first"] + 30 * (k - 1)), 30000) for k in (1, 2, 3)],
            )
    return ids


def assert_same_per_customer(full: Plan, parts: dict[str, Plan]) -> None:
    for cid, part in parts.items():
        assert part.actions == [a for a in full.actions if a.customer_id == cid], cid
        assert part.skipped == [s for s in full.skipped if s.customer_id == cid], cid
        assert part.warnings == [w for w in full.warnings if w.customer_id == cid], cid
    covered = set(parts)
    assert {a.customer_id for a in full.actions} <= covered


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolio_st)
def test_the_plan_of_one_customer_is_the_full_plan_for_it(portfolio: dict) -> None:
    store = fresh_store()
    try:
        ids = build(store, portfolio)
        as_of = BASE + timedelta(days=portfolio["as_of"])
        full = make_plan(store, None, as_of)
        parts = {cid: make_plan(store, None, as_of, customer_ids=[cid]) for cid in ids}
        assert_same_per_customer(full, parts)
        # two customers at once: the full plan's part for both, in the full plan's order
        pair = set(ids[:2])
        both = make_plan(store, None, as_of, customer_ids=pair)
        assert both.actions == [a for a in full.actions if a.customer_id in pair]
    finally:
        store.close()


def test_the_property_sees_holds_and_instalments() -> None:
    """The generator is not vacuous: one hand-made portfolio has holds, tasks and instalments."""
    store = fresh_store()
    try:
        customer = dict(PLAIN_CUSTOMER)
        portfolio = {
            "customers": [
                customer,
                {**customer, "reply": "new"},
                {**customer, "credit": (900_000, "EUR")},
                {**customer, "bounced": True},
            ],
            "invoices": [
                {
                    "customer": c,
                    "due": -40,
                    "cents": 100_000,
                    "status": InvoiceStatus.OPEN,
                    "partial": False,
                    "currency": "EUR",
                    "done": [],
                    "paid": None,
                }
                for c in (0, 0, 1, 2, 3)
            ],
            "promises": [],
            "plans": [{"invoice": 1, "agreed": -30, "first": -20}],
            "as_of": 5,
        }
        ids = build(store, portfolio)
        as_of = BASE + timedelta(days=5)
        full = make_plan(store, None, as_of)
        steps = {(a.customer_id, a.step) for a in full.actions}
        assert {
            ("C1", "reply_pending"),
            ("C2", "unallocated_credit"),
            ("C3", "invalid_address"),
            ("C0", "instalment_missed"),
        } <= steps
        assert_same_per_customer(
            full, {cid: make_plan(store, None, as_of, customer_ids=[cid]) for cid in ids}
        )
    finally:
        store.close()


def test_a_source_that_reads_everything_is_filtered_to_the_customer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hold source without `customer_ids` still works: read all, keep the customer's."""

    def legacy(store: Store, as_of: date) -> Iterable[Hold]:
        yield Hold("test_hold", "C0", "held C0")
        yield Hold("test_hold", "C1", "held C1", invoice_number="F1")

    monkeypatch.setattr(hold_sources, "SOURCES", (*hold_sources.SOURCES, legacy))
    store = fresh_store()
    try:
        add_customer(store, "C0")
        add_customer(store, "C1")
        add_invoice(store, "F0", BASE - timedelta(days=20), cid="C0")
        add_invoice(store, "F1", BASE - timedelta(days=20), cid="C1")
        add_invoice(store, "F2", BASE - timedelta(days=20), cid="C1")
        full = make_plan(store, None, BASE)
        mine = make_plan(store, None, BASE, customer_ids=["C1"])
        assert mine.actions == [a for a in full.actions if a.customer_id == "C1"]
        assert {a.step for a in mine.actions} == {"test_hold", "reminder_2"}  # F2 is not held
        assert all(a.customer_id == "C1" for a in mine.actions + mine.skipped)
    finally:
        store.close()


def test_service_plan_for_and_the_plan_agree_on_the_demo(service: Service) -> None:
    from assistant.demo.build import build_demo

    as_of = date(2026, 11, 24)
    build_demo(service.store, as_of)
    full = service.plan(as_of)
    for cid in sorted({a.customer_id for a in full.actions} | {"nobody"}):
        part = service.plan_for(cid, as_of)
        assert part.actions == [a for a in full.actions if a.customer_id == cid]
        assert part.skipped == [s for s in full.skipped if s.customer_id == cid]


def test_the_send_recheck_reads_only_the_customers_it_sends_to(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-check asks the hold sources for the batch's customers only; their holds and
    every address hold still cancel, another customer's hold does not."""
    wed = date(2026, 3, 11)
    day = wed + timedelta(days=5)
    for cid in ("C1", "C2", "C3"):
        add_customer(service.store, cid)
        add_invoice(service.store, f"F-{cid}", wed, cid=cid)
    service.draft(day)
    by_customer = {d.customer_id: d.id for d in service.drafts("pending")}
    service.approve([by_customer["C1"], by_customer["C2"]], on=day)
    asked: list[frozenset[str] | None] = []

    def scoped(
        store: Store, as_of: date, customer_ids: frozenset[str] | None = None
    ) -> Iterable[Hold]:
        asked.append(customer_ids)
        yield Hold("reply_pending", "C2", "réponse de C2 à traiter")
        yield Hold("reply_pending", "C3", "réponse de C3 à traiter")

    def addresses(store: Store, as_of: date) -> Iterable[Hold]:
        yield Hold("invalid_address", "", "adresse invalide", task=False, address="C1@example.com")

    monkeypatch.setattr(hold_sources, "SOURCES", (scoped, addresses))
    report = service.send()
    assert asked == [frozenset({"C1", "C2"})]
    assert sorted(report.cancelled) == sorted([by_customer["C1"], by_customer["C2"]])
    assert render(service.get_draft(by_customer["C1"]).error) == "adresse invalide"
    assert render(service.get_draft(by_customer["C2"]).error) == "réponse de C2 à traiter"
    assert service.get_draft(by_customer["C3"]).status == "pending"


def test_a_plan_naming_another_customer_s_invoice_keeps_that_invoice_s_currency() -> None:
    """A payment plan of C0 naming C1's invoice in CHF (never made by relance, but the tables
    allow it): C0's own plan reads that invoice's currency too, as the full plan does."""
    store = fresh_store()
    try:
        customer = dict(PLAIN_CUSTOMER)
        invoice = {
            "due": -40,
            "cents": 100_000,
            "status": InvoiceStatus.OPEN,
            "partial": False,
            "done": [],
            "paid": None,
        }
        portfolio = {
            "customers": [customer, customer],
            "invoices": [
                {**invoice, "customer": 0, "currency": "EUR"},
                {**invoice, "customer": 1, "currency": "CHF"},
            ],
            "promises": [],
            "plans": [{"invoice": 1, "agreed": -30, "first": -20}],
            "as_of": 5,
        }
        ids = build(store, portfolio)
        _sql(store, "UPDATE payment_plans SET customer_id = 'C0'", ())
        as_of = BASE + timedelta(days=5)
        full = make_plan(store, None, as_of)
        missed = [a for a in full.actions if a.step == "instalment_missed"]
        assert [(a.customer_id, a.invoices, a.currency) for a in missed] == [("C0", ("F1",), "CHF")]
        assert_same_per_customer(
            full, {cid: make_plan(store, None, as_of, customer_ids=[cid]) for cid in ids}
        )
    finally:
        store.close()
