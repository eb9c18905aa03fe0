"""The freshness gate's verdict (`assess`) compared whole: each source's age in business days,
its limit, whether the policy requires it, and which source blocks first."""

from __future__ import annotations

from datetime import date

from assistant.bank.freshness import Freshness, SourceState, assess
from assistant.bank.model import Statement
from assistant.bank.policy import FreshnessPolicy
from assistant.storage import bank_repo
from assistant.storage.db import Store

TUE = date(2026, 11, 24)
FRI = date(2026, 11, 20)  # 2 business days before TUE (Monday, Tuesday)
THU = date(2026, 11, 19)  # 3
MON = date(2026, 11, 16)  # 6


def imported(store: Store, kind: str, day: date) -> None:
    with store.transaction():
        store.record_event("import.completed", on_date=day, data={"kind": kind})


def statement(store: Store, iban: str, closing: date) -> None:
    with store.transaction():
        bank_repo.insert_statement(
            store, Statement(iban, "EUR", closing), "camt053", f"{iban}.xml", iban[-1] * 64
        )


def state(
    store: Store, source: str, day: date, age: int, limit: int, required: bool
) -> SourceState:
    return SourceState(source, store.now_iso(), day, age, limit, required, age > limit)


def test_with_any_one_fresh_source_nothing_blocks(store: Store) -> None:
    imported(store, "invoices", FRI)
    imported(store, "payments", THU)
    got = assess(store, FreshnessPolicy(), TUE)
    assert got == Freshness(
        TUE,
        ["any"],
        [
            state(store, "invoices", FRI, 2, 2, False),  # two days: still fresh
            state(store, "payments", THU, 3, 2, False),  # three: stale
        ],
        False,
        None,
    )
    assert got.message() == ""


def test_when_every_source_is_stale_the_least_late_blocks_then_by_name(store: Store) -> None:
    imported(store, "invoices", THU)  # 3 days, 1 over its limit of 2
    statement(store, "FR761", MON)  # 6 days, 1 over its limit of 5
    imported(store, "payments", MON)  # 6 days, 4 over
    policy = FreshnessPolicy(max_age={"bank:*": 5})
    got = assess(store, policy, TUE)
    bank = state(store, "bank:FR761", MON, 6, 5, False)
    assert got.sources == [
        bank,
        state(store, "invoices", THU, 3, 2, False),
        state(store, "payments", MON, 6, 2, False),
    ]
    assert (got.stale, got.blocking) == (True, bank)  # a tie at 1 over: by name


def test_a_required_source_blocks_as_soon_as_it_is_stale(store: Store) -> None:
    imported(store, "invoices", TUE)
    imported(store, "payments", FRI)
    statement(store, "FR761", FRI)
    statement(store, "FR762", THU)
    policy = FreshnessPolicy(required=["payments", "bank:*"])
    got = assess(store, policy, TUE)
    assert [(s.source, s.required, s.stale) for s in got.sources] == [
        ("bank:FR761", True, False),
        ("bank:FR762", True, True),
        ("invoices", False, False),
        ("payments", True, False),
    ]
    assert got.rule == ["payments", "bank:*"]
    assert got.stale and got.blocking == state(store, "bank:FR762", THU, 3, 2, True)


def test_a_stale_source_the_policy_does_not_name_blocks_nothing(store: Store) -> None:
    imported(store, "payments", TUE)
    imported(store, "invoices", MON)  # stale, but only payments are required
    got = assess(store, FreshnessPolicy(required=["payments"]), TUE)
    assert (got.stale, got.blocking) == (False, None)
    # under "any", the same stale invoices do not block either: payments are fresh
    assert assess(store, FreshnessPolicy(), TUE).blocking is None


def test_a_required_source_never_imported_blocks_unless_another_already_does(
    store: Store,
) -> None:
    imported(store, "invoices", TUE)
    policy = FreshnessPolicy(required=["any", "fec", "payments"], max_age={"fec": 7})
    got = assess(store, policy, TUE)
    assert got.sources == [state(store, "invoices", TUE, 0, 2, False)]
    # the first one missing, with its own limit
    assert got.stale and got.blocking == SourceState("fec", "-", date.min, 0, 7, True, True)
    assert got.message().startswith("source de paiement requise jamais importée : fec ;")
    # a stale required source is the one to refresh first
    imported(store, "payments", MON)
    got = assess(store, policy, TUE)
    assert got.blocking == state(store, "payments", MON, 6, 2, True)


def test_bank_star_required_with_no_statement_is_not_a_missing_source(store: Store) -> None:
    imported(store, "payments", TUE)
    got = assess(store, FreshnessPolicy(required=["bank:*", "payments"]), TUE)
    assert (got.stale, got.blocking) == (False, None)


def test_nothing_imported_means_no_gate(store: Store) -> None:
    policy = FreshnessPolicy(required=["payments"])
    assert assess(store, policy, TUE) == Freshness(TUE, ["payments"])


def test_business_days_are_those_of_the_policy_s_country(store: Store) -> None:
    imported(store, "payments", date(2026, 11, 10))
    armistice = date(2026, 11, 12)  # 11 November is a public holiday in France, not in Germany
    (fr,) = assess(store, FreshnessPolicy(), armistice).sources
    (de,) = assess(store, FreshnessPolicy(country="DE"), armistice).sources
    assert (fr.age_business_days, de.age_business_days) == (1, 2)


def test_the_demo_s_payments_say_they_are_the_demo_s(store: Store) -> None:
    with store.transaction():
        store.record_event("demo.created", data={"as_of": FRI.isoformat()})
    (payments,) = assess(store, FreshnessPolicy(), TUE).sources
    assert (payments.source, payments.demo, payments.refresh) == ("payments", True, "relance demo")
