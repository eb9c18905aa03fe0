"""The statutory commands as a user runs them: one clear line and exit 1 on bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.conftest import run_cli


def test_notice_dossier_and_errors_from_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    assert run_cli("demo", "--no-tui", "--as-of", "2026-12-01", home=home).returncode == 0
    made = run_cli("notice", "C004", "--as-of", "2026-12-01", "--json", home=home)
    assert made.returncode == 0, made.stderr
    data = json.loads(made.stdout)
    assert data["total"] == "11034.51" and data["deadline"] == "2026-12-09"
    assert Path(data["pdf"]).is_file()

    out = tmp_path / "c004.zip"
    done = run_cli("dossier", "C004", "--out", str(out), "--as-of", "2026-12-01", home=home)
    assert done.returncode == 0, done.stderr
    assert "dossier.json" in zipfile.ZipFile(out).namelist()

    for args, words in (
        (("notice", "C999"), "client inconnu : C999"),
        (("escalate", "C004", "--decision", "sue"), "décision inconnue : sue"),
        (("notice", "C004", "--as-of", "2026-12-01"), "déjà en cours"),
        (("dossier", "C004", "--out", str(tmp_path / "nowhere" / "x.zip")), "dossier inexistant"),
        (("proceedings", "C004", "--kind", "faillite", "--published", "2026-11-20"), "--kind"),
    ):
        bad = run_cli(*args, home=home)
        assert bad.returncode == 1 and words in bad.stderr, (args, bad.stderr)
        assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
