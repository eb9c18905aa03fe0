"""`relance daily` drafts the salespeople's weekly digest on the scenario's `digest_day`
(docs/team.md): that weekday only, once per salesperson while queued, never on stale data."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.errors import PolicyError
from assistant.service import Service
from assistant.team import DIGEST_STEP
from tests.unit.test_bank_freshness import INVOICES, open_on
from tests.unit.test_team_digest import portfolio

MONDAY = date(2026, 11, 23)


def digest_day(service: Service, day: str | None) -> None:
    """The manager sets the day in the scenario (through the editor's save: either store)."""
    text = service.read_policy("scenario.yaml")
    assert "digest_day" not in text  # the shipped scenario drafts no digest by itself
    if day is not None:
        service.save_policy("scenario.yaml", text + f"\ndigest_day: {day}\n")


def digest_drafts(service: Service) -> list[str]:
    return sorted(d.recipient or "" for d in service.drafts("pending") if d.step == DIGEST_STEP)


def test_the_digest_is_drafted_on_its_weekday_only(service: Service, tmp_path: Path) -> None:
    portfolio(service)
    digest_day(service, "mon")
    sunday = service.daily(MONDAY - timedelta(days=1), folder=tmp_path, offline=True)
    assert sunday.digest is None and digest_drafts(service) == []
    assert sunday.as_json()["digest"] is None
    monday = service.daily(MONDAY, folder=tmp_path, offline=True)
    assert monday.digest is not None
    assert digest_drafts(service) == ["nadia@acme.example", "paul@acme.example"]
    assert monday.as_json()["digest"]["created"] == 2
    assert "  point hebdomadaire des commerciaux : 2 à valider ; déjà en file : 0" in (
        monday.lines()
    )
    # the next Monday with the digests still queued: none drafted again
    again = service.daily(MONDAY + timedelta(days=7), folder=tmp_path, offline=True)
    assert again.digest is not None and again.digest.created == []
    assert again.digest.unchanged == 2
    assert digest_drafts(service) == ["nadia@acme.example", "paul@acme.example"]


def test_without_a_digest_day_daily_drafts_no_digest(service: Service, tmp_path: Path) -> None:
    portfolio(service)
    digest_day(service, None)
    report = service.daily(MONDAY, folder=tmp_path, offline=True)
    assert report.digest is None and digest_drafts(service) == []


def test_a_bad_digest_day_is_refused_by_the_policy_check(service: Service) -> None:
    text = service.read_policy("scenario.yaml") + "\ndigest_day: lundi\n"
    with pytest.raises(PolicyError, match="digest_day"):
        service.validate_policy("scenario.yaml", text)


def stale_on_monday(tmp_path: Path) -> Service:
    """The portfolio on MONDAY, its last invoices export a week old (five business days):
    stale for the freshness gate."""
    home, csv = tmp_path / "h", tmp_path / "f.csv"
    csv.write_text(INVOICES)
    service = open_on(home, MONDAY - timedelta(days=7))
    service.import_file("invoices", csv)
    service.close()
    service = open_on(home, MONDAY)
    portfolio(service)
    return service


def test_stale_data_stops_the_digest_too(tmp_path: Path) -> None:
    """When the freshness gate stops the drafting (the last invoices export is five business
    days old), the digest, which states what is overdue, is not drafted either."""
    service = stale_on_monday(tmp_path)
    try:
        digest_day(service, "mon")
        report = service.daily(MONDAY, folder=tmp_path / "watched", offline=True)
        assert report.stale is not None and "invoices" in report.stale
        assert report.digest is None and digest_drafts(service) == []
    finally:
        service.close()


def test_digest_by_hand_is_refused_on_stale_data_unless_a_person_says_why(
    tmp_path: Path,
) -> None:
    """`relance digest` applies the freshness gate as `draft` does: refused (nothing
    written), or drafted with the person's reason recorded."""
    from assistant.bank.facade import StaleDataError
    from tests.unit.test_bank_import import dump

    service = stale_on_monday(tmp_path)
    try:
        before = dump(service.store)
        with pytest.raises(StaleDataError, match="invoices"):
            service.salesperson_digests(MONDAY)
        assert dump(service.store) == before and digest_drafts(service) == []
        report = service.salesperson_digests(MONDAY, "export en retard, vérifié à la main")
        assert len(report.created) == 2
        assert digest_drafts(service) == ["nadia@acme.example", "paul@acme.example"]
        (event,) = [e for e in service.store.events() if e["kind"] == "freshness.overridden"]
        assert event["data"]["command"] == "digest"
    finally:
        service.close()
