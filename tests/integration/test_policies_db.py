"""Policies and templates in the team's database (docs/policies-db.md): on PostgreSQL every
desk reads and edits the same files (compare-and-set, an event naming the person), on SQLite
the home's folder as always; `relance policy export|import` on both stores."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import UserError
from assistant.policy_source import StalePolicy
from assistant.service import Service
from assistant.storage.pg.move import move_home
from tests.conftest import FIXED_NOW, REPO_ROOT, StoreKind, run_cli, write_company
from tests.support.stores import dump, query
from tests.unit.rules_builders import add_customer, add_invoice

AS_OF = date(2026, 11, 24)
TEMPLATE = "templates/fr/reminder_1.j2"
MARK = "Ligne ajoutée par le responsable, vue par toutes les tables."


def desk(home: Path, user: str | None = None) -> Service:
    """One desk: its own home folder; on PostgreSQL the one database of the test."""
    values: dict[str, object] = {"RELANCE_HOME": home}
    if user:
        values["RELANCE_USER"] = user
    return Service.open(Settings(**values), clock=lambda: FIXED_NOW)  # type: ignore[arg-type]


def edited_template(svc: Service) -> str:
    shipped = svc.read_policy(TEMPLATE)
    assert MARK not in shipped and shipped.count("Bien cordialement,") == 1
    return shipped.replace("Bien cordialement,", MARK + "\n\nBien cordialement,")


def write_folder(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def read_folder(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def team(store_kind: StoreKind, tmp_path: Path) -> Path:
    """A home (on PostgreSQL: its database) with real company facts and a manager."""
    home = tmp_path / "desk1"
    write_company(home)
    svc = desk(home)
    try:
        svc.add_user("alice", "admin")
    finally:
        svc.close()
    svc = desk(home, "alice")
    try:
        svc.add_user("mia", "manager")
        svc.add_user("max", "manager")
        svc.add_user("carol", "accountant")
    finally:
        svc.close()
    return home


def test_export_then_import_round_trip(team: Path, tmp_path: Path, store_kind: StoreKind) -> None:
    svc = desk(team, "mia")
    try:
        template = edited_template(svc)
        svc.save_policy(TEMPLATE, template)
        scenario = svc.read_policy("scenario.yaml").replace("min_gap_days: 5", "min_gap_days: 6")
        svc.save_policy("scenario.yaml", scenario)
        first = tmp_path / "export1"
        names = svc.export_policies(first)
        exported = read_folder(first)
        assert set(exported) == set(names) and "statutory.yaml" in exported
        assert exported[TEMPLATE] == template and exported["scenario.yaml"] == scenario
        # the policy moves on, then the exported folder brings it back
        svc.save_policy("scenario.yaml", scenario.replace("min_gap_days: 6", "min_gap_days: 7"))
        svc.save_policy(TEMPLATE, svc.read_policy(TEMPLATE).replace(MARK, "Autre ligne."))
        report = svc.import_policies(first)
        assert sorted(report.changed) == ["scenario.yaml", TEMPLATE]
        assert svc.scenario().min_gap_days == 6
        second = tmp_path / "export2"
        svc.export_policies(second)
        assert read_folder(second) == exported
        # importing the same folder again changes nothing
        assert svc.import_policies(first).changed == []
        listing = {row["file"]: row for row in svc.policy_list()}
    finally:
        svc.close()
    origin = "database" if store_kind.postgres else "home"
    assert listing["scenario.yaml"]["origin"] == origin
    assert listing["tone.yaml"]["origin"] == "shipped"
    if store_kind.postgres:
        assert listing["scenario.yaml"]["version"] == 3  # 6, 7, then 6 again by the import
        assert listing["scenario.yaml"]["updated_by"] == "mia"
        assert not (team / "policies" / "scenario.yaml").exists()  # nothing in the folder
    else:
        assert "min_gap_days: 6" in (team / "policies" / "scenario.yaml").read_text()
    events = query(team, "SELECT actor, data FROM events WHERE kind = 'policy.saved' ORDER BY id")
    assert [a for a, _ in events] == ["mia"] * 6  # 4 saves, 2 files imported
    assert sum('"via": "import"' in d for _, d in events) == 2


def test_a_bad_template_refuses_the_whole_import(team: Path, tmp_path: Path) -> None:
    svc = desk(team, "mia")
    try:
        folder = tmp_path / "in"
        write_folder(
            folder,
            {
                "scenario.yaml": svc.read_policy("scenario.yaml").replace(
                    "min_gap_days: 5", "min_gap_days: 6"
                ),
                "templates/fr/reminder_2.j2": svc.read_policy("templates/fr/reminder_2.j2"),
                TEMPLATE: svc.read_policy(TEMPLATE).replace(
                    "{% endblock %}", "{{ montant_du }}{% endblock %}", 1
                ),
            },
        )
        before = (dump(team), svc.policy_list())
        with pytest.raises(UserError) as refused:
            svc.import_policies(folder)
        lines = str(refused.value).splitlines()
        assert "rien n'a été modifié" in lines[0]
        assert lines[1:] and all(line.startswith(f"{TEMPLATE}:") for line in lines[1:])
        assert "montant_du" in lines[1]
        assert (dump(team), svc.policy_list()) == before
        assert svc.scenario().min_gap_days == 5
        # a YAML problem is named the same way, and a file the tool does not know too
        write_folder(folder, {TEMPLATE: svc.read_policy(TEMPLATE), "notes.txt": "x"})
        (folder / "scenario.yaml").write_text("min_gap_days: [", encoding="utf-8")
        with pytest.raises(UserError) as refused:
            svc.import_policies(folder)
        problems = str(refused.value).splitlines()[1:]
        assert [p.split(":")[0] for p in problems] == ["notes.txt", "scenario.yaml"]
        assert (dump(team), svc.policy_list()) == before
    finally:
        svc.close()


def test_a_dry_run_changes_nothing(team: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_folder(
        folder,
        {"tone.yaml": (REPO_ROOT / "policies" / "tone.yaml").read_text() + "\n# revu\n"},
    )
    before = dump(team)
    done = run_cli(
        "policy", "import", str(folder), "--dry-run", "--json", home=team,
        env={"RELANCE_USER": "mia"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["changed"] == ["tone.yaml"]
    assert dump(team) == before
    refused = run_cli("policy", "import", str(folder), home=team, env={"RELANCE_USER": "carol"})
    assert refused.returncode == 1 and "« policy import » demande le rôle" in refused.stderr
    assert dump(team) == before
    done = run_cli("policy", "list", "--json", home=team, env={"RELANCE_USER": "mia"})
    rows = json.loads(done.stdout)
    assert {r["file"] for r in rows} >= {"scenario.yaml", "tone.yaml", TEMPLATE}


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_two_desks_share_the_policies(team: Path, tmp_path: Path) -> None:
    """Desks (homes, stores) on one database: one saves, the others' next operation uses it;
    a save on a version another desk replaced is refused."""
    first, second = desk(team, "mia"), desk(tmp_path / "desk2", "max")
    drafting = desk(tmp_path / "desk3", "carol")  # the accountant's desk drafts (docs/roles.md)
    try:
        add_customer(second.store, "C1")
        add_invoice(second.store, "F1", AS_OF - timedelta(days=5))
        # both open the same file, as the shipped default (no row yet: version 0)
        seen_first = first.policy_file(TEMPLATE)
        seen_second = second.policy_file(TEMPLATE)
        assert seen_first.version == seen_second.version == 0
        saved = first.save_policy(TEMPLATE, edited_template(first), seen=seen_first.version)
        assert saved.file_version == 1
        # a third desk, open since before the save, drafts with the saved template
        (draft_id,) = drafting.draft(AS_OF, offline=True).created
        assert MARK in drafting.get_draft(draft_id).body
        assert drafting.get_draft(draft_id).policy_version == first.policy_version()
        # the second desk's save of what it read is refused, naming who saved meanwhile
        before = dump(team)
        with pytest.raises(StalePolicy) as stale:
            second.save_policy(TEMPLATE, seen_second.text + "\n", seen=seen_second.version)
        assert "modifié entre-temps par mia" in str(stale.value)
        assert "rien n'a été enregistré" in str(stale.value)
        assert dump(team) == before
        # reloaded, it saves; the first desk's next read sees it
        current = second.policy_file(TEMPLATE)
        assert current.version == 1 and current.updated_by == "mia"
        second.save_policy(TEMPLATE, current.text + "\n", seen=current.version)
        assert first.read_policy(TEMPLATE) == current.text + "\n"
        # a YAML policy too: the first desk's next plan follows the second desk's scenario
        scenario = second.read_policy("scenario.yaml").replace("min_gap_days: 5", "min_gap_days: 9")
        second.save_policy("scenario.yaml", scenario, seen=0)
        assert first.scenario().min_gap_days == 9
    finally:
        first.close()
        second.close()
        drafting.close()
    events = query(team, "SELECT actor, data FROM events WHERE kind = 'policy.saved' ORDER BY id")
    assert [a for a, _ in events] == ["mia", "max", "max"]
    assert '"file_version": 2' in events[1][1]
    assert not (team / "policies" / "templates").exists()  # nothing written in a home folder


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_migrate_copies_the_edited_policy_files(
    team: Path, tmp_path: Path, pg_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = desk(team, "mia")
    try:
        svc.init_home()  # the shipped files copied into the home (unchanged: not moved)
        template = edited_template(svc)
        svc.save_policy(TEMPLATE, template)
    finally:
        svc.close()
    report = move_home(team / "relance.db", pg_empty_url)
    assert report.policies == ["company.yaml", TEMPLATE]
    monkeypatch.setenv("RELANCE_DATABASE_URL", pg_empty_url)
    other = desk(tmp_path / "other-desk", "mia")  # another machine: an empty home folder
    try:
        assert other.read_policy(TEMPLATE) == template
        listing = {row["file"]: row for row in other.policy_list()}
        assert listing[TEMPLATE]["origin"] == "database"
        assert listing[TEMPLATE]["updated_by"] == "migrate"
        assert listing["scenario.yaml"]["origin"] == "shipped"
        assert other.company_problem() is None  # the test company's facts, from the database
    finally:
        other.close()


def test_cli_export_writes_the_set(team: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("policy", "export", str(out), home=team, env={"RELANCE_USER": "mia"})
    assert done.returncode == 0, done.stderr
    files = read_folder(out)
    assert "scenario.yaml" in files and TEMPLATE in files
    assert files["company.yaml"] != (REPO_ROOT / "policies" / "company.yaml").read_text()
