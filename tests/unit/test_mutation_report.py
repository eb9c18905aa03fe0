"""The mutation report (tools/mutation_report.py): how it counts a mutant that was not run
because it is listed as equivalent, and when such a mutant must run again."""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SURVIVED, KILLED, SKIPPED = 0, 1, 34


def _load_report() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "mutation_report", ROOT / "tools" / "mutation_report.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The report over a fake mutants/ of one module, `assistant/m.py`, whose mutants write
    the lines of `report.lines` (what mutmut's diff would say)."""
    module = _load_report()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mutmut]\nonly_mutate = ["assistant/m.py"]\nsource_paths = ["assistant"]\n'
    )
    (tmp_path / "mutants" / "assistant").mkdir(parents=True)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    module.lines = {}
    monkeypatch.setattr(module, "mutated_line", lambda mutant, path: module.lines.get(mutant))
    return module


def _run(report: ModuleType, codes: dict[str, int | None]) -> None:
    meta = report.ROOT / "mutants" / "assistant" / "m.py.meta"
    meta.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}))


def _listed(report: ModuleType, **lines: str) -> dict[str, object]:
    return {
        name: report.Equivalent(name, line, "no behaviour change") for name, line in lines.items()
    }


def test_a_listed_equivalent_left_out_of_the_run_counts_as_equivalent(report: ModuleType) -> None:
    report.lines = {"m.x_f__mutmut_1": "return a <= b", "m.x_f__mutmut_2": "return None"}
    _run(report, {"m.x_f__mutmut_1": SKIPPED, "m.x_f__mutmut_2": KILLED})
    equivalents = _listed(report, **{"m.x_f__mutmut_1": "return a <= b"})

    (row,), stale = report.scores(equivalents)

    assert (row.total, row.killed, row.equivalent, row.equivalent_not_run) == (
        2,
        1,
        ["m.x_f__mutmut_1"],
        1,
    )
    assert (row.survived, row.not_checked, stale) == ([], 0, [])
    assert row.score == 1.0
    assert report.todo(["assistant/m.py"], equivalents) == []


def test_a_left_out_mutant_whose_line_changed_is_stale_and_runs_again(report: ModuleType) -> None:
    report.lines = {"m.x_f__mutmut_1": "return a < b + 1"}  # the function changed since
    _run(report, {"m.x_f__mutmut_1": SKIPPED})
    equivalents = _listed(report, **{"m.x_f__mutmut_1": "return a <= b"})

    (row,), stale = report.scores(equivalents)

    assert (row.equivalent, row.not_checked) == ([], 1)
    assert stale == ["m.x_f__mutmut_1: listed as writing 'return a <= b', now 'return a < b + 1'"]
    assert report.todo(["assistant/m.py"], equivalents) == ["m.x_f__mutmut_1"]


def test_a_left_out_mutant_no_longer_listed_runs_again(report: ModuleType) -> None:
    report.lines = {"m.x_f__mutmut_1": "return a <= b"}
    _run(report, {"m.x_f__mutmut_1": SKIPPED})

    (row,), _ = report.scores({})

    assert (row.equivalent, row.survived, row.not_checked, row.score) == ([], [], 1, None)
    assert report.todo(["assistant/m.py"], {}) == ["m.x_f__mutmut_1"]


def test_a_survivor_not_listed_is_reported_and_runs_again(report: ModuleType) -> None:
    report.lines = {"m.x_f__mutmut_1": "return a <= b", "m.x_f__mutmut_2": "return None"}
    _run(report, {"m.x_f__mutmut_1": SURVIVED, "m.x_f__mutmut_2": KILLED})

    (row,), _ = report.scores({})

    assert (row.survived, row.score) == (["m.x_f__mutmut_1"], 0.5)
    assert report.todo(["assistant/m.py"], {}) == ["m.x_f__mutmut_1"]


def test_a_listed_mutant_that_a_test_kills_is_flagged(report: ModuleType) -> None:
    report.lines = {"m.x_f__mutmut_1": "return a <= b"}
    _run(report, {"m.x_f__mutmut_1": KILLED})

    (row,), stale = report.scores(_listed(report, **{"m.x_f__mutmut_1": "return a <= b"}))

    assert (row.killed, row.equivalent) == (1, [])
    assert stale == ["m.x_f__mutmut_1: listed as equivalent, but a test kills it"]


def test_every_listed_equivalent_names_a_mutated_module_and_a_reason() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        modules = tomllib.load(f)["tool"]["mutmut"]["only_mutate"]
    dotted = tuple(m.removesuffix(".py").replace("/", ".") + "." for m in modules)
    with (ROOT / "tools" / "mutation_equivalents.toml").open("rb") as f:
        entries = tomllib.load(f)["mutant"]
    names = [e["mutant"] for e in entries]

    assert len(names) == len(set(names))
    for entry in entries:
        assert entry["mutant"].startswith(dotted), entry["mutant"]
        assert "__mutmut_" in entry["mutant"]
        # `line` is "" for a mutant that only removes a line (an argument dropped)
        assert isinstance(entry["line"], str) and entry["reason"].strip(), entry["mutant"]
