"""The freshness gate's small parts: which sources a policy requires, a source in JSON (the
`sources --json` contract) and the command that refreshes it, no message when nothing blocks."""

from __future__ import annotations

from datetime import date

from assistant.bank.freshness import Freshness, SourceState, _required
from assistant.bank.policy import FreshnessPolicy
from assistant.i18n import language, set_language
from assistant.storage.db import Store


def test_a_policy_requires_its_named_sources_and_bank_star_every_bank_account() -> None:
    named = FreshnessPolicy(required=["invoices", "bank:FR7612345"])
    assert _required(named, "invoices") and _required(named, "bank:FR7612345")
    assert not _required(named, "payments") and not _required(named, "bank:FR7699999")
    every_bank = FreshnessPolicy(required=["bank:*"])
    assert _required(every_bank, "bank:FR7699999")
    assert not _required(every_bank, "payments") and not _required(every_bank, "fec")
    assert not _required(FreshnessPolicy(), "bank:FR7699999")  # "any": none required by name


def _state(source: str, demo: bool = False) -> SourceState:
    return SourceState(source, "2026-11-20T09:00:00", date(2026, 11, 19), 3, 2, True, True, demo)


def test_a_source_in_json_with_the_command_that_refreshes_it() -> None:
    assert language() == "fr"  # tests/conftest.py sets French before each test
    assert _state("bank:FR7612345").as_json() == {
        "source": "bank:FR7612345",
        "last_import_at": "2026-11-20T09:00:00",
        "data_as_of": "2026-11-19",
        "age_business_days": 3,
        "required": True,
        "stale": True,
        "max_age_business_days": 2,
        "refresh": "relance import bank FICHIER",
    }
    assert _state("payments").refresh == "relance import payments FICHIER"
    assert _state("payments", demo=True).refresh == "relance demo"
    set_language("en")
    try:
        assert _state("fec").refresh == "relance import fec FILE"
    finally:
        set_language("fr")


def test_nothing_blocking_says_nothing() -> None:
    assert Freshness(date(2026, 11, 24), ["any"]).message() == ""


def test_the_sources_dated_by_exports_the_demo_and_bank_statements(store: Store) -> None:
    from assistant.bank.freshness import _sources
    from assistant.bank.model import Statement
    from assistant.storage import bank_repo

    at = store.now_iso()
    with store.transaction():
        store.record_event("demo.created", data={"as_of": "2026-11-20"})
    # only the demo: the payments are as of the demo's day, and say so (refreshed by `relance demo`)
    assert _sources(store) == [("payments", at, date(2026, 11, 20), True)]
    with store.transaction():
        store.record_event(
            "import.completed", on_date=date(2026, 11, 20), data={"kind": "payments"}
        )
    # an export of the demo's own day is the newer fact: no longer the demo's
    assert _sources(store) == [("payments", at, date(2026, 11, 20), False)]
    with store.transaction():
        store.record_event("demo.created", data={"as_of": "2026-11-23"})
        store.record_event(
            "import.completed", on_date=date(2026, 11, 19), data={"kind": "invoices"}
        )
        bank_repo.insert_statement(
            store, Statement("FR7612345", "EUR", date(2026, 11, 18)), "camt053", "a.xml", "0" * 64
        )
    # a later demo wins over an older export; each other source keeps its own day
    assert _sources(store) == [
        ("bank:FR7612345", at, date(2026, 11, 18), False),
        ("invoices", at, date(2026, 11, 19), False),
        ("payments", at, date(2026, 11, 23), True),
    ]
