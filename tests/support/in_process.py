"""`relance …` run in the test's own process (faster than a subprocess; the command line and
its exit code as a user gets them), as a given person."""

from __future__ import annotations

import sys

import pytest

from assistant import cli
from assistant.i18n import set_language


def run_as(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    person: str,
    argv: list[str],
) -> tuple[int, str, str]:
    """`relance *argv` with RELANCE_USER=person: (exit code, stdout, stderr)."""
    monkeypatch.setenv("RELANCE_USER", person)
    monkeypatch.setattr(sys, "argv", ["relance", *argv])
    capsys.readouterr()
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        set_language("fr")
    out, err = capsys.readouterr()
    return code, out, err
