"""The freshness gate: sources, their age in business days, and `draft` / `send` refusing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assistant.bank.facade import StaleDataError
from assistant.bank.freshness import business_days_between
from assistant.config import Settings
from assistant.rules.calendar import BusinessCalendar
from assistant.service import Service
from tests.conftest import write_company
from tests.support.pg_neutral import put_policy
from tests.unit.rules_builders import add_customer, add_invoice
from tests.unit.test_bank_import import dump

INVOICES = (
    "N° facture;Code client;Client;Email;Date facture;Échéance;Montant TTC\n"
    "FA-1;C1;Dupont SARL;c1@example.com;01/10/2026;31/10/2026;1 250,00\n"
)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def open_on(home: Path, day: date) -> Service:
    write_company(home)  # real company facts: placeholders would refuse every approval
    return Service.open(Settings(RELANCE_HOME=home), clock=lambda: at(day))


def test_business_days_skip_weekends_and_french_holidays() -> None:
    cal = BusinessCalendar()
    assert business_days_between(cal, date(2026, 11, 17), date(2026, 11, 24), "FR") == 5
    # 11 November (Armistice) is a holiday: Tue 10 -> Fri 13 is 2 business days
    assert business_days_between(cal, date(2026, 11, 10), date(2026, 11, 13), "FR") == 2
    assert business_days_between(cal, date(2026, 11, 24), date(2026, 11, 20), "FR") == 0


def test_a_home_without_any_import_has_no_gate(service: Service) -> None:
    add_customer(service.store, "C1")
    add_invoice(service.store, "FA-1", date(2026, 11, 21))
    assert service.freshness(date(2026, 11, 24)).sources == []
    assert service.draft(date(2026, 11, 24)).created  # drafts as before


def test_stale_data_stops_draft_and_send_until_a_person_accepts_it(tmp_path: Path) -> None:
    home, csv = tmp_path / "h", tmp_path / "f.csv"
    csv.write_text(INVOICES)
    svc = open_on(home, date(2026, 11, 3))
    svc.import_file("invoices", csv)
    svc.draft(date(2026, 11, 3))  # fresh that day
    svc.approve([d.id for d in svc.drafts("pending")], on=date(2026, 11, 3))
    svc.close()

    svc = open_on(home, date(2026, 11, 10))  # five business days later (11 Nov is Wednesday)
    before = dump(svc.store)
    state = svc.freshness(date(2026, 11, 10))
    assert state.stale and state.blocking.source == "invoices"
    assert state.blocking.age_business_days == 5
    with pytest.raises(StaleDataError) as err:
        svc.draft(date(2026, 11, 10))
    line = str(err.value)
    assert "\n" not in line and "invoices" in line and "2026-11-03" in line
    assert "relance import invoices FICHIER" in line
    with pytest.raises(StaleDataError):
        svc.send()
    assert dump(svc.store) == before  # nothing changed
    report = svc.send(accept_stale="export comptable en retard, vérifié à la main")
    assert len(report.sent) == 1
    (event,) = svc.store.events(kinds=("freshness.overridden",))
    assert event["data"]["command"] == "send"
    assert event["data"]["reason"] == "export comptable en retard, vérifié à la main"
    svc.close()


def test_a_required_source_never_imported_blocks(tmp_path: Path) -> None:
    home, csv = tmp_path / "h", tmp_path / "f.csv"
    put_policy(home, "bank.yaml", "freshness:\n  required: ['bank:*', fec]\n")
    csv.write_text(INVOICES)
    svc = open_on(home, date(2026, 11, 3))
    svc.import_file("invoices", csv)
    state = svc.freshness(date(2026, 11, 3))
    assert state.stale and state.blocking.source == "fec"
    assert "jamais importée" in state.message()
    svc.close()
