"""Hostile data through the real CLI (issue 13): markup in names, several ids with a bad one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import FIXED_NOW, run_cli, write_company
from tests.unit.rules_builders import add_customer, add_invoice

AS_OF = date(2026, 11, 24)
NAMES = {
    "C1": "[/]",
    "C2": "[link=https://evil.test]Cliquez ici[/link]",
    "C3": "[Payez ici](https://evil.test) [bold]Gras[/bold]",
}


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    try:
        svc.init_home()
        write_company(home)  # real company facts: drafts can be approved
        for i, (cid, name) in enumerate(NAMES.items(), start=1):
            add_customer(svc.store, cid, name=name)
            add_invoice(svc.store, f"F{i}", AS_OF - timedelta(days=5), cid=cid)
        assert len(svc.draft(AS_OF, offline=True).created) == len(NAMES)
    finally:
        svc.close()
    yield home


def draft_ids(home: Path) -> dict[str, int]:
    listed = json.loads(run_cli("drafts", "--json", home=home).stdout)
    return {d["customer_id"]: d["id"] for d in listed}


def statuses(home: Path) -> dict[int, str]:
    listed = json.loads(run_cli("drafts", "--json", home=home).stdout)
    return {d["id"]: d["status"] for d in listed}


def test_markup_in_data_prints_as_written(home: Path) -> None:
    listing = run_cli("drafts", home=home)
    assert listing.returncode == 0, listing.stderr
    assert "[/]" in listing.stdout and "[link=https://evil" in listing.stdout
    ids = draft_ids(home)
    for cid, name in NAMES.items():
        shown = run_cli("show", str(ids[cid]), home=home)
        assert shown.returncode == 0, shown.stderr
        assert name in shown.stdout  # as written: not a link, not a style, not an error
    brief = run_cli("brief", "C3", "--as-of", AS_OF.isoformat(), home=home)
    assert brief.returncode == 0, brief.stderr
    assert "[Payez ici](https://evil.test) [bold]Gras[/bold]" in brief.stdout
    raw = run_cli("brief", "C2", "--markdown", "--as-of", AS_OF.isoformat(), home=home)
    assert r"\[link=https://evil.test\]Cliquez ici\[/link\]" in raw.stdout


def test_several_ids_with_one_unknown_change_nothing(home: Path) -> None:
    ids = draft_ids(home)
    for command in (["approve"], ["reject", "--reason", "doublon"]):
        result = run_cli(*command, str(ids["C1"]), "9999", home=home)
        assert result.returncode == 1 and "9999" in result.stderr
        assert statuses(home)[ids["C1"]] == "pending"
    huge = run_cli("approve", str(ids["C1"]), "99999999999999999999", home=home)
    assert huge.returncode == 1 and "inattendue" not in huge.stderr
    assert "99999999999999999999" in huge.stderr
    sent = run_cli("send", "--json", home=home)
    assert json.loads(sent.stdout)["sent"] == 0


def test_an_id_twice_or_a_draft_not_pending_refuses_the_whole_command(home: Path) -> None:
    ids = draft_ids(home)
    assert run_cli("approve", str(ids["C2"]), home=home).returncode == 0
    mixed = run_cli("approve", str(ids["C1"]), str(ids["C2"]), home=home)
    assert mixed.returncode == 1 and str(ids["C2"]) in mixed.stderr
    twice = run_cli("reject", str(ids["C1"]), str(ids["C1"]), "--reason", "x", home=home)
    assert twice.returncode == 0  # the same id twice is one decision
    listed = statuses(home)
    assert listed[ids["C1"]] == "rejected" and listed[ids["C3"]] == "pending"
