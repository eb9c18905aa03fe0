"""Scores of the last mutation run (tools/mutation.sh), per module, equivalent mutants aside.

    python tools/mutation_report.py                         the table, and what is left to do
    python tools/mutation_report.py --write docs/mutation.md  also rewrite the generated parts
    python tools/mutation_report.py --config-hash           fingerprint of [tool.mutmut]
    python tools/mutation_report.py --todo assistant/kpis.py  mutants still to run (see below)
    python tools/mutation_report.py --sync-copies           drop stale copies of other modules

Equivalent mutants (no behaviour change) are listed in tools/mutation_equivalents.toml with the
line the mutant writes and the reason; an entry whose mutant no longer writes that line (the
function changed, mutants were renumbered) is reported as stale, to be checked again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
KILLED = {1, 3}  # a test failed (3: pytest's internal error, also a failure)
TIMEOUT = {24, -24, 152, 255, 36}  # the mutant made the tests hang: detected too
SURVIVED = 0
NO_TESTS = {5, 33}
SKIPPED = 34  # a listed equivalent that tools/mutmut_run.py did not run
INTERRUPTED = {2, -15, -2}  # the run was stopped while this mutant ran: not run yet


def config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["mutmut"]


def config_hash() -> str:
    return hashlib.sha256(json.dumps(config(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Equivalent:
    mutant: str
    line: str  # the line as the mutant writes it (stripped)
    reason: str


def load_equivalents() -> dict[str, Equivalent]:
    if not EQUIVALENTS.exists():
        return {}
    with EQUIVALENTS.open("rb") as f:
        data = tomllib.load(f)
    entries = data.get("mutant", [])
    return {e["mutant"]: Equivalent(e["mutant"], e["line"], e["reason"]) for e in entries}


@dataclass
class ModuleScore:
    path: str
    total: int = 0
    killed: int = 0
    timeout: int = 0
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    no_tests: list[str] = field(default_factory=list)
    not_checked: int = 0
    equivalent_not_run: int = 0  # listed equivalents left out of the run (tools/mutmut_run.py)
    seconds: float = 0.0  # the test time of its mutants (each mutant's test process, wall clock)
    other: Counter[str] = field(default_factory=Counter)

    @property
    def relevant(self) -> int:
        """Mutants that change behaviour and were tested."""
        return self.total - len(self.equivalent) - self.not_checked

    @property
    def score(self) -> float | None:
        return (self.killed + self.timeout) / self.relevant if self.relevant else None


def mutated_line(mutant: str, path: str) -> str | None:
    """The `+` line(s) of the mutant's diff, stripped (None when mutants/ lacks it)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    try:
        diff = get_diff_for_mutant(mutant, path=path)
    except Exception:
        return None
    added = [
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(added)


def still_equivalent(mutant: str, path: str, equivalents: dict[str, Equivalent]) -> bool:
    """Listed, and the mutant still writes the line its entry gives (else: stale)."""
    known = equivalents.get(mutant)
    return known is not None and mutated_line(mutant, path) == known.line


def scores(equivalents: dict[str, Equivalent]) -> tuple[list[ModuleScore], list[str]]:
    stale: list[str] = []
    listed_but_killed: list[str] = []
    result: list[ModuleScore] = []
    for path in config()["only_mutate"]:  # type: ignore[union-attr]
        meta = ROOT / "mutants" / f"{path}.meta"
        score = ModuleScore(str(path))
        result.append(score)
        if not meta.exists():
            continue
        data = json.loads(meta.read_text())
        codes: dict[str, int | None] = data["exit_code_by_key"]
        durations: dict[str, float] = data.get("durations_by_key", {})
        for mutant, code in sorted(codes.items(), key=lambda kv: _natural(kv[0])):
            score.total += 1
            if code is None or code in INTERRUPTED:
                score.not_checked += 1
                continue
            score.seconds += durations.get(mutant, 0.0)
            if code in KILLED:
                score.killed += 1
                if mutant in equivalents:
                    listed_but_killed.append(mutant)
            elif code in TIMEOUT:
                score.timeout += 1
            elif code in (SURVIVED, SKIPPED):
                known = equivalents.get(mutant)
                line = None if known is None else mutated_line(mutant, str(path))
                if known is not None and line is not None and line != known.line:
                    stale.append(f"{mutant}: listed as writing {known.line!r}, now {line!r}")
                if known is not None and line in (None, known.line):
                    score.equivalent.append(mutant)
                    score.equivalent_not_run += code == SKIPPED
                elif code == SURVIVED:
                    score.survived.append(mutant)
                else:  # left out as equivalent, no longer listed so: still to run
                    score.not_checked += 1
            elif code in NO_TESTS:
                score.no_tests.append(mutant)
            else:
                score.other[str(code)] += 1
    stale += [
        f"{mutant}: listed as equivalent, but a test kills it" for mutant in listed_but_killed
    ]
    return result, stale


def sync_copies() -> list[str]:
    """Delete the copies in mutants/ of the source files that are not mutated and changed since
    they were copied: mutmut copies a file only when its copy is missing, so without this the
    tests would run against an old copy of, say, service.py."""
    mutated = set(config()["only_mutate"])  # type: ignore[arg-type]
    stale: list[str] = []
    for source_dir in config()["source_paths"]:  # type: ignore[union-attr]
        for path in sorted(Path(str(source_dir)).rglob("*")):
            copy = Path("mutants") / path
            if not path.is_file() or str(path) in mutated or not copy.exists():
                continue
            if copy.read_bytes() != path.read_bytes():
                copy.unlink()
                stale.append(str(path))
    return stale


def todo(paths: list[str], equivalents: dict[str, Equivalent]) -> list[str]:
    """The mutants of these modules to run: not run yet, or survived and not listed as
    equivalent (a new test may kill it now). A module never generated: its pattern. With
    RELANCE_MUTATION_EQUIVALENTS set (`EQUIVALENTS=1 tools/mutation.sh`), the listed ones too."""
    if os.environ.get("RELANCE_MUTATION_EQUIVALENTS"):
        equivalents = {}
    names: list[str] = []
    for path in paths:
        meta = ROOT / "mutants" / f"{path}.meta"
        if not meta.exists():
            names.append(path.removesuffix(".py").replace("/", ".") + ".*")
            continue
        codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
        for mutant, code in codes.items():
            again = code == SURVIVED and mutant not in equivalents
            again |= code == SKIPPED and not still_equivalent(mutant, path, equivalents)
            if code is None or code in INTERRUPTED or again or code in NO_TESTS:
                names.append(mutant)
    return sorted(names, key=_natural)


def _natural(name: str) -> tuple[str, int]:
    found = re.search(r"__mutmut_(\d+)$", name)
    return (name[: found.start()], int(found.group(1))) if found else (name, 0)


def _score(r: ModuleScore) -> str:
    if r.score is None:
        return "—"
    text = f"{100 * r.score:.1f} %"
    return text if not r.not_checked else f"{text} of those run"


def _status(r: ModuleScore) -> str:
    if not r.total or r.not_checked == r.total:
        return "not run"
    return "complete" if not r.not_checked else "partial"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


EARLIER = "earlier run"


def earlier_rows(text: str) -> dict[str, tuple[str, ModuleScore]]:
    """The rows of the scores table already in the report: (run status, figures) per module."""
    out: dict[str, tuple[str, ModuleScore]] = {}
    for line in text.split("<!-- scores -->", 1)[-1].split("<!-- /scores -->", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 11 or not cells[0].startswith("`"):
            continue
        path, status = cells[0].strip("`"), cells[1]
        total, not_checked, killed, timeout, survived, equivalent, no_tests = map(int, cells[2:9])
        row = ModuleScore(path, total, killed, timeout, not_checked=not_checked)
        row.survived = ["?"] * survived
        row.equivalent = ["?"] * equivalent
        row.no_tests = ["?"] * no_tests
        row.seconds = float(cells[10]) * 60
        out[path] = (status if EARLIER in status else f"{status}, {EARLIER}", row)
    return out


def with_earlier(
    rows: list[ModuleScore], earlier: dict[str, tuple[str, ModuleScore]]
) -> tuple[list[ModuleScore], dict[str, str]]:
    """A module this cache has not run keeps the row of the report (mutants/ is per machine:
    a new checkout starts empty, and a full run takes hours)."""
    merged: list[ModuleScore] = []
    statuses: dict[str, str] = {}
    for r in rows:
        if _status(r) == "not run" and r.path in earlier:
            statuses[r.path], old = earlier[r.path]
            merged.append(old)
        else:
            merged.append(r)
    return merged, statuses


def table(rows: list[ModuleScore], statuses: dict[str, str] | None = None) -> list[str]:
    lines = [
        "| module | run | mutants | not run yet | killed | timeout | survived | equivalent"
        " | no test | score | test time (min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    totals = ModuleScore("all")
    for r in rows:
        status = (statuses or {}).get(r.path, _status(r))
        lines.append(
            f"| `{r.path}` | {status} | {r.total} | {r.not_checked} | {r.killed}"
            f" | {r.timeout} | {len(r.survived)} | {len(r.equivalent)} | {len(r.no_tests)}"
            f" | {_score(r)} | {_minutes(r.seconds)} |"
        )
        totals.total += r.total
        totals.killed += r.killed
        totals.timeout += r.timeout
        totals.survived += r.survived
        totals.equivalent += r.equivalent
        totals.no_tests += r.no_tests
        totals.not_checked += r.not_checked
        totals.seconds += r.seconds
    lines.append(
        f"| **all** | {_status(totals)} | {totals.total} | {totals.not_checked} | {totals.killed}"
        f" | {totals.timeout} | {len(totals.survived)} | {len(totals.equivalent)}"
        f" | {len(totals.no_tests)} | {_score(totals)} | {_minutes(totals.seconds)} |"
    )
    return lines


def equivalents_section(equivalents: dict[str, Equivalent]) -> list[str]:
    lines = ["| mutant | the line it writes | why it changes nothing |", "|---|---|---|"]
    for e in sorted(equivalents.values(), key=lambda e: _natural(e.mutant)):
        line = e.line.replace("|", "\\|")
        lines.append(f"| `{e.mutant}` | `{line}` | {e.reason} |")
    return lines


def replace_block(text: str, name: str, lines: list[str]) -> str:
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n" + "\n".join(lines) + f"\n{end}{after}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="rewrite the generated blocks of this file")
    parser.add_argument("--config-hash", action="store_true")
    parser.add_argument("--todo", nargs="+", metavar="MODULE", help="print the mutants to run")
    parser.add_argument("--sync-copies", action="store_true", help="drop stale copies")
    args = parser.parse_args()
    if args.config_hash:
        print(config_hash())
        return 0
    os.chdir(ROOT)
    equivalents = load_equivalents()
    if args.sync_copies:
        for path in sync_copies():
            print(f"changed since copied to mutants/: {path}")
        return 0
    if args.todo:
        for name in todo(args.todo, equivalents):  # nothing at all when nothing is left
            print(name)
        return 0
    rows, stale = scores(equivalents)
    print("\n".join(table(rows)))
    left_out = sum(r.equivalent_not_run for r in rows)
    listed = sum(len(r.equivalent) for r in rows)
    print(f"equivalent: {listed}, of which {left_out} listed and left out of the runs")
    for r in rows:
        for mutant in r.survived:
            print(f"survived: {mutant}")
        for mutant in r.no_tests:
            print(f"no test: {mutant}")
        if r.not_checked:
            print(f"not checked yet: {r.not_checked} mutants of {r.path}")
    for line in stale:
        print(f"stale equivalent: {line}")
    if args.write:
        text = args.write.read_text(encoding="utf-8")
        merged, statuses = with_earlier(rows, earlier_rows(text))
        text = replace_block(text, "scores", table(merged, statuses))
        text = replace_block(text, "equivalents", equivalents_section(equivalents))
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
