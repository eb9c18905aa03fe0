"""The daily workflow through the CLI as a user runs it: drafts, review, send, results."""

from __future__ import annotations

import email
import json
import subprocess
from email.policy import default
from pathlib import Path

from tests.conftest import StoreKind
from tests.conftest import run_cli as _run_cli

AS_OF = "2026-11-24"


def run_cli(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """As a user would, on the demo's day: `send` judges the data's freshness against today
    (RELANCE_TODAY pins it; the demo's data is fresh as of its date)."""
    return _run_cli(*args, home=home, env={"RELANCE_TODAY": AS_OF})


DRAFT_KEYS = {
    "id", "customer_id", "step", "channel", "language", "status", "subject", "body",
    "template_body", "source", "violations", "invoices",
}  # fmt: skip


def cli_json(*args: str, home: Path) -> object:
    result = run_cli(*args, home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_draft_review_send_and_stats(tmp_path: Path, store_kind: StoreKind) -> None:
    home = tmp_path / "home"
    assert run_cli("demo", "--no-tui", "--as-of", AS_OF, home=home).returncode == 0
    store_kind.adopt(home)
    before = cli_json("stats", "--as-of", AS_OF, "--json", home=home)
    # the demo history holds reviewed drafts, some edited before approval
    assert before["drafts"]["approved_unchanged"] > before["drafts"]["approved_edited"] > 0
    # the demo already drafted in template mode; a second run adds nothing
    again = cli_json("draft", "--as-of", AS_OF, "--json", home=home)
    assert again["created"] == 0 and again["already_drafted"] > 0
    drafts = cli_json("drafts", "--status", "pending", "--json", home=home)
    assert drafts and all(set(d) >= DRAFT_KEYS for d in drafts)
    assert {d["source"] for d in drafts} == {"template"}
    email_draft = next(d for d in drafts if d["channel"] == "email")

    english = run_cli("regenerate", str(email_draft["id"]), "--language", "en", home=home)
    assert english.returncode == 0, english.stderr
    new = max(d["id"] for d in cli_json("drafts", "--status", "pending", "--json", home=home))
    shown = cli_json("show", str(new), "--json", home=home)
    assert shown["language"] == "en" and shown["invoices"] == email_draft["invoices"]

    assert run_cli("approve", str(new), home=home).returncode == 0
    dry = cli_json("send", "--dry-run", "--json", home=home)
    assert dry["would_send"] == [new] and dry["sent"] == 0
    sent = cli_json("send", "--json", home=home)
    assert {"sent", "failed", "cancelled", "stuck"} <= set(sent)
    assert sent["sent"] == 1 and sent["stuck"] == []
    eml = home / "outbox" / f"draft-{new}.eml"
    msg = email.message_from_bytes(eml.read_bytes(), policy=default)
    assert msg["Subject"] == shown["subject"]
    assert cli_json("send", "--json", home=home)["sent"] == 0  # never twice

    stats = cli_json("stats", "--as-of", AS_OF, "--json", home=home)
    for key in ("dso_days", "dso_method", "overdue_by_age", "avg_days_late_paid",
                "after_step", "promises", "drafts"):  # fmt: skip
        assert key in stats
    assert set(stats["overdue_by_age"]) == {"0-30", "31-60", "61-90", "90+"}
    assert all(isinstance(v, str) for v in stats["overdue_by_age"].values())
    delta = stats["drafts"]["approved_unchanged"] - before["drafts"]["approved_unchanged"]
    assert delta == 1 and stats["time_saved"]["minutes"] > before["time_saved"]["minutes"]
    assert any(s["sent"] > 0 for s in stats["after_step"])  # the demo's history


def test_errors_are_one_clear_line(tmp_path: Path, store_kind: StoreKind) -> None:
    home = tmp_path / "home"
    assert run_cli("demo", "--no-tui", "--as-of", AS_OF, home=home).returncode == 0
    store_kind.adopt(home)
    pending = cli_json("drafts", "--status", "pending", "--json", home=home)
    email_id = str(next(d["id"] for d in pending if d["channel"] == "email"))
    for args, fragment in [
        (("show", "99999"), "brouillon inconnu"),
        (("regenerate", email_id, "--tone", "angrier"), "ton inconnu"),
        (("regenerate", "1", "--tone", "softer"), "en attente"),  # a sent draft of the history
        (("stuck", "1", "--sent"), "pas « envoi en cours »"),  # statuses in words
        (("stats", "--as-of", "24/13/2026"), "date"),
    ]:
        result = run_cli(*args, home=home)
        assert result.returncode == 1, (args, result.stdout)
        assert fragment in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_version_matches_the_installed_package() -> None:
    from importlib.metadata import version

    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"relance {version('relance')}"
