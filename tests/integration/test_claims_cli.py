"""Two accountants on one home from the command line (docs/concurrency.md): a draft one of them
has open is refused to the other (unless --force, recorded); a write naming a stale --version
is refused with one line and changes nothing; two real processes acting on one draft at the
same moment: one wins, the other gets the line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.drafting.conflicts import claim_line
from assistant.people import add_user
from assistant.service import Service
from tests.conftest import REPO_ROOT, StoreKind, run_cli, write_company
from tests.support import stores
from tests.unit.test_store_threads import AS_OF, one_pending_draft

TODAY = {"RELANCE_TODAY": AS_OF.isoformat()}  # the CLI's clock: noon UTC that day
NOON = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, 0, tzinfo=UTC)


def build(home: Path) -> int:
    write_company(home)
    service = Service.open(Settings(RELANCE_HOME=home), clock=lambda: NOON)
    try:
        draft_id = one_pending_draft(service)
        for name, role in (("boss", "admin"), ("alice", "accountant"), ("bob", "accountant")):
            add_user(service.store, name, role, None, "test")
    finally:
        service.close()
    return draft_id


@pytest.fixture
def home(tmp_path: Path, store_kind: StoreKind) -> Path:
    return tmp_path / "home"


@pytest.fixture
def draft_id(home: Path) -> int:
    return build(home)


def as_user(name: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=home, env={**TODAY, "RELANCE_USER": name, "RELANCE_LLM": "off"})


def dump(home: Path) -> list[str]:
    return stores.dump(home)


def shown(home: Path, draft_id: int) -> dict:  # type: ignore[type-arg]
    out = as_user("bob", "show", str(draft_id), "--json", home=home)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_a_draft_open_elsewhere_is_refused_then_forced(home: Path, draft_id: int) -> None:
    alice = Service.open(Settings(RELANCE_HOME=home, RELANCE_USER="alice"), clock=lambda: NOON)
    try:
        held = alice.claim_draft(draft_id)  # alice opens it in the interface
    finally:
        alice.close()
    assert shown(home, draft_id)["claim"] == {"person": "alice", "until": held.held_until}
    before = dump(home)
    line = f"Erreur : brouillon {draft_id} : {claim_line(held)} ; rien n'a été enregistré"
    body = home.parent / "texte.txt"
    body.write_text("Bonjour,\nmerci de régler la facture F1.\n", encoding="utf-8")
    for args in (
        ["approve", str(draft_id)],
        ["reject", str(draft_id), "--reason", "doublon"],
        ["edit", str(draft_id), "--body-file", str(body)],
    ):
        refused = as_user("bob", *args, home=home)
        assert refused.returncode == 1, refused.stdout
        assert refused.stderr.strip() == line + " (--force pour passer outre)"
        assert dump(home) == before  # nothing changed, not even an event

    forced = as_user("bob", "edit", str(draft_id), "--body-file", str(body), "--force", home=home)
    assert forced.returncode == 0, forced.stderr
    assert f"Brouillon {draft_id} modifié (version 2)" in forced.stdout
    events = stores.query(
        home, "SELECT actor, data FROM events WHERE kind = 'draft.claim_overridden'"
    )
    assert [(a, json.loads(d)["holder"]) for a, d in events] == [("bob", "alice")]
    # the same person is no conflict: alice approves what she has open
    approved = as_user("alice", "approve", str(draft_id), home=home)
    assert approved.returncode == 0, approved.stderr
    assert "claim" not in shown(home, draft_id)  # the decision ends the claim


def test_a_stale_version_is_refused_and_nothing_changes(home: Path, draft_id: int) -> None:
    seen = shown(home, draft_id)["version"]  # bob reads the draft: version 1
    assert seen == 1
    body = home.parent / "texte.txt"
    body.write_text("Texte revu par Alice.", encoding="utf-8")
    edited = as_user(
        "alice", "edit", str(draft_id), "--body-file", str(body), "--version", "1", home=home
    )
    assert edited.returncode == 0, edited.stderr
    before = dump(home)
    line = (
        f"Erreur : brouillon {draft_id} : modifié entre-temps par alice (version 1 → 2),"
        " rechargez-le ; rien n'a été enregistré"
    )
    for args in (
        ["approve", str(draft_id), "--version", "1"],
        ["reject", str(draft_id), "--reason", "doublon", "--version", "1"],
        ["edit", str(draft_id), "--subject", "Autre objet", "--version", "1"],
    ):
        refused = as_user("bob", *args, home=home)
        assert refused.returncode == 1
        assert refused.stderr.strip() == line
        assert dump(home) == before
    ok = as_user("bob", "approve", str(draft_id), "--version", "2", home=home)
    assert ok.returncode == 0, ok.stderr
    assert shown(home, draft_id)["version"] == 3
    again = as_user("bob", "approve", str(draft_id), home=home)
    assert again.returncode == 1
    assert again.stderr.strip() == f"Erreur : brouillon {draft_id} : déjà approuvé, rien à faire"


def test_version_names_one_draft(home: Path, draft_id: int) -> None:
    out = as_user("bob", "approve", str(draft_id), "7", "--version", "1", home=home)
    assert out.returncode == 1 and "--version vaut pour un seul brouillon" in out.stderr


# -- two real processes at once ----------------------------------------------------------------

RACER = """
import os, sys, time
from pathlib import Path
from assistant import cli  # imported before the barrier: both start their work together
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
sys.argv = ["relance", *sys.argv[3:]]
cli.main()
"""


def race(home: Path, *commands: tuple[str, list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Start one process per (person, args); each imports relance, then waits at a barrier
    (a file) until all are ready; then all run at once."""
    go = home.parent / "go"
    go.unlink(missing_ok=True)
    procs, readies = [], []
    for n, (person, args) in enumerate(commands):
        ready = home.parent / f"ready-{n}"
        ready.unlink(missing_ok=True)
        readies.append(ready)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RELANCE_", "OPENAI_"))}
        env |= {**TODAY, "RELANCE_USER": person, "RELANCE_LLM": "off"}
        env["PYTHONPATH"] = str(REPO_ROOT)
        if url := os.environ.get("RELANCE_DATABASE_URL"):
            env["RELANCE_DATABASE_URL"] = url
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(ready), str(go), "--home", str(home), *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in readies) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_two_processes_approve_and_edit_one_draft_at_once(home: Path, draft_id: int) -> None:
    body = home.parent / "texte.txt"
    body.write_text("Texte revu par Alice.", encoding="utf-8")
    edit = ["edit", str(draft_id), "--body-file", str(body), "--version", "1"]
    approve = ["approve", str(draft_id), "--version", "1"]
    alice, bob = race(home, ("alice", edit), ("bob", approve))
    codes = sorted([alice.returncode, bob.returncode])
    assert codes == [0, 1], (alice.stderr, bob.stderr)
    winner, loser = (alice, bob) if alice.returncode == 0 else (bob, alice)
    who = "alice" if winner is alice else "bob"
    status = "approuvé" if winner is bob else None
    expected = f"modifié entre-temps par {who} (version 1 → 2"
    expected += f", désormais {status})" if status else ")"
    assert expected in loser.stderr and len(loser.stderr.strip().splitlines()) == 1
    final = shown(home, draft_id)
    assert final["version"] == 2  # exactly one write landed
    if winner is alice:
        assert (final["status"], final["body"]) == ("pending", "Texte revu par Alice.")
    else:
        assert final["status"] == "approved" and final["body"] != "Texte revu par Alice."


def test_two_processes_approving_one_draft_approve_it_once(home: Path, draft_id: int) -> None:
    approve = ["approve", str(draft_id), "--version", "1"]
    alice, bob = race(home, ("alice", approve), ("bob", approve))
    assert sorted([alice.returncode, bob.returncode]) == [0, 1], (alice.stderr, bob.stderr)
    winner, loser = (alice, bob) if alice.returncode == 0 else (bob, alice)
    who = "alice" if winner is alice else "bob"
    assert f"modifié entre-temps par {who} (version 1 → 2, désormais approuvé)" in loser.stderr
    approvals = stores.query(
        home, "SELECT actor FROM events WHERE kind = 'draft.approved' AND draft_id = ?", (draft_id,)
    )
    assert approvals == [(who,)]  # one approval, by the winner
