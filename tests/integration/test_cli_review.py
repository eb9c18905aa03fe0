"""The review loop from the command line, as a person runs it (issue 19): unapprove, where
`send` delivers and to whom, policy errors that stop only planning and drafting, French first
(typer's texts, call outcomes), the default home and `init`'s next steps, progress bars."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_cli
from tests.support.pg_neutral import (
    SharedDemo,
    another_database,
    has_database,
    policy_in_effect,
    put_policy,
    shared_demo,
    use_shared_demo,
)

AS_OF = "2026-11-24"
TODAY = {"RELANCE_TODAY": AS_OF}  # the demo's payment data is as of its day: send judges today


@pytest.fixture(scope="module")
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SharedDemo:
    return shared_demo(request, tmp_path_factory, "review", "--as-of", AS_OF)


@pytest.fixture
def demo_home(shared: SharedDemo, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_shared_demo(shared, monkeypatch)


def pending(home: Path) -> list[dict]:  # type: ignore[type-arg]
    out = run_cli("drafts", "--status", "pending", "--json", home=home)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_unapprove_then_send_lists_where_and_to_whom(demo_home: Path) -> None:
    first, second = [d for d in pending(demo_home) if d["channel"] == "email"][:2]
    ids = [str(first["id"]), str(second["id"])]
    assert run_cli("approve", *ids, home=demo_home).returncode == 0
    back = run_cli("unapprove", ids[1], home=demo_home)
    assert back.returncode == 0 and "de nouveau en attente" in back.stdout
    again = run_cli("unapprove", ids[1], ids[0], home=demo_home)  # all or nothing
    assert again.returncode == 1 and "seul un brouillon approuvé" in again.stderr
    assert run_cli("show", ids[0], "--json", home=demo_home).stdout.count('"approved"') == 1

    dry = run_cli("send", "--dry-run", home=demo_home, env=TODAY)
    assert dry.returncode == 0, dry.stderr
    assert f"fichiers .eml dans {demo_home / 'outbox'}" in dry.stdout
    assert f"#{first['id']} {first['customer_name']} ({first['customer_id']})" in dry.stdout
    assert first["recipient"] in dry.stdout and ", ".join(first["invoices"]) in dry.stdout
    assert not (demo_home / "outbox").exists()  # a dry run sends nothing

    sent = run_cli("send", home=demo_home, env=TODAY)
    assert sent.returncode == 0, sent.stderr
    assert f"Destination : fichiers .eml dans {demo_home / 'outbox'}" in sent.stdout
    assert first["recipient"] in sent.stdout
    assert (demo_home / "outbox" / f"draft-{first['id']}.eml").is_file()
    late = run_cli("unapprove", ids[0], home=demo_home)  # sent: too late
    assert late.returncode == 1 and "envoyé" in late.stderr


def test_typer_speaks_french_and_outcomes_take_french_words(demo_home: Path) -> None:
    helped = run_cli("reject", "--help", home=demo_home)
    assert "Utilisation : " in helped.stdout and "Afficher cette aide et quitter." in helped.stdout
    assert "[obligatoire]" in helped.stdout and "Show this message" not in helped.stdout
    missing = run_cli("reject", "1", home=demo_home)
    assert missing.stderr.strip() == "Erreur : option manquante : --reason"
    english = run_cli("--lang", "en", "reject", "--help", home=demo_home)
    assert "Show this message and exit." in english.stdout
    call = run_cli("log-call", "C013", "--outcome", "pas-de-réponse", home=demo_home)
    assert call.returncode == 0, call.stderr
    assert "Appel enregistré pour C013 : pas de réponse." in call.stdout
    plan = run_cli("log-call", "C013", "--outcome", "plan", "--instalments", "2", home=demo_home)
    assert plan.returncode == 0, plan.stderr
    assert "  1. " in plan.stdout and "  2. " in plan.stdout and " le " in plan.stdout


def test_a_broken_scenario_stops_only_planning_and_drafting(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run_cli("demo", "--no-tui", "--as-of", AS_OF, home=home).returncode == 0
    email = next(d for d in pending(home) if d["channel"] == "email")
    assert run_cli("approve", str(email["id"]), home=home).returncode == 0
    text = policy_in_effect(home, "scenario.yaml")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("min_gap_days"))
    put_policy(home, "scenario.yaml", text.replace("min_gap_days: 5", "min_gap_days 5"))
    for args in (("plan",), ("draft",)):
        refused = run_cli(*args, "--as-of", AS_OF, home=home)
        assert refused.returncode == 1
        assert refused.stderr.strip() == (
            "Erreur : politique invalide, planification et brouillons arrêtés :"
            f" scenario.yaml: ligne {line}: « : » manquant après le nom du champ"
        )
    for args in (("stats", "--as-of", AS_OF), ("brief", "C013", "--as-of", AS_OF)):
        ok = run_cli(*args, home=home)
        assert ok.returncode == 0, (args, ok.stderr)
        assert "Attention : " in ok.stderr and f"ligne {line}" in ok.stderr
    sent = run_cli("send", home=home, env=TODAY)
    assert sent.returncode == 0, sent.stderr
    assert (home / "outbox" / f"draft-{email['id']}.eml").is_file()


def test_an_unknown_field_is_refused_by_plan_and_draft_in_french(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    tone = policy_in_effect(home, "tone.yaml")
    put_policy(home, "tone.yaml", tone.replace("pre_due: {firmness:", "pre_due: {firmnes:"))
    for args in (("plan",), ("draft",)):
        refused = run_cli(*args, home=home)
        assert refused.returncode == 1
        assert "tone.yaml: steps.pre_due.firmnes: champ inconnu" in refused.stderr


def test_the_default_home_is_the_platform_data_folder_and_init_says_what_next(
    tmp_path: Path,
) -> None:
    env = {"HOME": str(tmp_path / "user"), "XDG_DATA_HOME": str(tmp_path / "user" / "data")}
    result = run_cli("init", env=env)
    assert result.returncode == 0, result.stderr
    expected = tmp_path / "user" / "data" / "relance"
    assert f"Dossier prêt : {expected}" in result.stdout
    assert has_database(expected) and not (tmp_path / "user" / "relance.db").exists()
    assert "Ensuite :" in result.stdout and "company.yaml" in result.stdout
    assert "relance import invoices" in result.stdout


def test_demo_says_where_its_data_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run_cli("demo", "--no-tui", "--as-of", AS_OF, home=home)
    assert result.returncode == 0
    assert result.stdout.rstrip().endswith(f"Données de la démo : {home.resolve()}")


def test_progress_bars_only_on_a_terminal(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    lines = ["N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC"]
    lines += [f"F{i};C{i % 50};Client {i % 50};05/01/2026;04/02/2026;100,00" for i in range(3000)]
    path = tmp_path / "factures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = another_database(request)  # home b's own database on PostgreSQL
    for home, env in (("a", {}), ("b", second)):  # every command but init and demo needs a home
        assert run_cli("init", home=tmp_path / home, env=env).returncode == 0
    piped = run_cli("import", "invoices", str(path), home=tmp_path / "a")
    assert piped.returncode == 0 and piped.stderr == ""  # not a terminal: quiet
    # stderr on a terminal: the bar is drawn there (stdout still gets the report)
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELANCE_", "OPENAI_"))}
    env |= {"PYTHONPATH": str(REPO_ROOT), "COLUMNS": "100", "TERM": "xterm"} | second
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "--home", str(tmp_path / "b"), "import", "invoices",
         str(path)],
        stdout=subprocess.PIPE, stderr=secondary, env=env, timeout=120,
    )  # fmt: skip
    os.close(secondary)
    drawn = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(primary)
    assert proc.returncode == 0
    assert b"Import" in drawn and b"/3001" in drawn
    assert b"ajout" in proc.stdout
