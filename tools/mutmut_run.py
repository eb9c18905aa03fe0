"""Run mutmut 3.8.1 (`python tools/mutmut_run.py run ...`): one bug worked around, and five
changes that shorten a run from an empty cache (2 h 25 min, then 39 min 36 s, then 25 min 38 s
on two cores: docs/mutation.md, "Time"). Each is a small patch of mutmut's internals, so the
script refuses another version.

1. With `max_stack_depth` set, mutmut walks the callers of every mutated function during its
   first pass and resolves each frame's file with `Path.resolve(strict=True)`. A frame with no
   file, such as the `<string>` of a dataclass-generated `__init__` calling
   `Money.__post_init__`, raises FileNotFoundError and aborts the run (boxed/mutmut PR #570, not
   released). Here such a frame is not ours, which is what the fix upstream does.
2. The first pass (which tests reach which function, traced) runs in two forked processes, half
   of the tests each, instead of in mutmut's own process: 6 minutes became under 3. mutmut's
   process then imports what the tests imported, so that each mutant's process, forked from
   it, starts with the libraries loaded. It must not run tests itself: a cache the tests fill
   (`guardrails._fold`'s lru_cache) would be inherited full by every mutant's process, and a
   mutant of `_drop` under it was never called: it survived (seen on 2026-12-03, with half of
   the pass in mutmut's process; mutmut's own pass has the same flaw).
3. The "clean tests" pass is skipped right after a full first pass: that pass ran the same tests
   on the same code and stops the run if one fails. After a load from the cache it still runs.
4. A mutant's tests start with the tests that killed earlier mutants of the same function (up
   to eight, the most frequent first), in a pytest session of their own; only if they all pass
   do the others run, fastest first as mutmut orders them. Mutants of one function are mostly
   killed by the same few tests, and each pytest session collects every file its tests are
   in: 0.08 s for one test, 0.5 s for the 84 tests (14 files) that reach the send loop, about
   1 s for the planner's 326. The killers are kept in mutants/.relance-killers/ (a file per
   function, and one per module). The full session runs the tests most likely to kill per
   second first (`_worth`): a test's kills among the module's earlier mutants (plus a half)
   over its time. On 2026-12-03, in a session ordered by speed alone, 42 of the planner's 864
   killed mutants took over 3 s each (402 of its 731 s of test time); the module's killers
   simply put first (most frequent first) made it worse (65 of the first 258 over 3 s: slow
   tests that killed a few mutants ran before fast ones).
5. A mutant listed in tools/mutation_equivalents.toml whose mutated line is still the one listed
   is not run (recorded as "skipped"; the report counts it as equivalent): by its entry, no test
   can kill it, and running every test that reaches it is what survivors cost (47 of the 129
   minutes of test time of a full run). `RELANCE_MUTATION_EQUIVALENTS=1` runs them too, to
   check the list (a listed mutant that a test kills is reported).
6. The tests' homes start with the verdict on their policies judged once per pytest session
   (tests/support/policy_verdict.py): under mutmut each mutant is a session, so it would be
   judged again for each (0.7 s, most of a send-loop or planner test). It is judged once here,
   in a process of its own on the code without mutants, before the first pass, and every
   session reads it (`MUTATION_POLICY_VERDICT`). Validating the policies reaches one mutated
   function, `money.parse_amount`, which its own tests kill.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import mutmut
import mutmut.__main__ as mutmut_main
import mutmut.stats
from mutmut.models.results import StatsResult
from mutmut.runners.harness import PytestRunner
from mutmut.state import state
from mutmut.utils.file_utils import change_cwd
from mutmut.utils.format_utils import mangled_name_from_mutant_name
from mutmut.workers.isolation import ForkRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutation_report  # tools/ is not a package: imported from its folder

if mutmut.__version__ != "3.8.1":
    sys.exit(f"tools/mutmut_run.py patches mutmut 3.8.1, not {mutmut.__version__}: check it")

STATS_SHARDS = 2
KILLERS_TRIED_FIRST = 8


# 1. A frame without a file is not ours.
class _FramePath(type(Path())):  # type: ignore[misc]
    def resolve(self, strict: bool = False) -> Path:
        if strict and str(self).startswith("<") and str(self).endswith(">"):
            strict = False  # "<string>", "<frozen ...>": code without a file, never ours
        return super().resolve(strict=strict)


mutmut.stats.Path = _FramePath  # type: ignore[misc]


# 2. The first pass in two processes; 3. no clean pass right after it.
_full_stats_ran = False
_collect_stats = ForkRunner.collect_stats
_run_clean_tests = ForkRunner.run_clean_tests


def _stats_in_shards(self: ForkRunner, tests: Iterable[str] | None) -> int:
    global _full_stats_ran
    _judge_policy_verdict()
    if tests:  # new tests after a load from the cache: few, one process
        return _collect_stats(self, tests)
    every_test = sorted(self.list_all_tests().ids)  # imports every test module here
    children = [_fork_stats(self, every_test[i::STATS_SHARDS]) for i in range(STATS_SHARDS)]
    exit_code = 0
    for pid, read_fd in children:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            print(f"the first pass failed: see {_shard_log(pid)}")
            return 1
        reply: dict[str, Any] = pickle.loads(data)
        result = StatsResult.from_dict(reply)
        for name, linked in result.tests_by_mangled_function_name.items():
            state().tests_by_mangled_function_name[name] |= linked
        state().duration_by_test.update(result.duration_by_test)
        for name, callers in result.function_dependencies.items():
            state().function_dependencies.setdefault(name, set()).update(callers)
        exit_code = exit_code or result.exit_code
        _import_what_the_tests_loaded(reply["modules"])
    _full_stats_ran = exit_code == 0
    return exit_code


def _import_what_the_tests_loaded(modules: list[str]) -> None:
    """Import here what a shard imported while its tests ran (openai, langchain, the lazily
    imported parts of ours...): each mutant's process is forked from this one, and would
    otherwise import them again, mutant after mutant. Imported, never called: no cache of ours
    is filled here (see the module's docstring, 2)."""
    with change_cwd("mutants"):
        for name in modules:
            if name in sys.modules or name == "__main__":
                continue
            try:
                importlib.import_module(name)
            except Exception:  # best effort: a mutant that needs it imports it then
                continue


def _fork_stats(self: ForkRunner, shard: list[str]) -> tuple[int, int]:
    """Fork a process that traces these tests and pickles what it saw into a pipe."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_fd)
        return pid, read_fd
    os.close(read_fd)
    code = 1
    log = _shard_log(os.getpid()).open("w", encoding="utf-8")
    sys.stdout = sys.stderr = log  # what pytest says, failures included
    try:
        exit_code = self.test_runner.run_stats(tests=shard)
        result = StatsResult(
            exit_code=exit_code,
            tests_by_mangled_function_name=dict(state().tests_by_mangled_function_name),
            duration_by_test=dict(state().duration_by_test),
            stats_time=state().stats_time or 0.0,
            function_dependencies=dict(state().function_dependencies),
        )
        reply = {**result.to_dict(), "modules": sorted(sys.modules)}
        with os.fdopen(write_fd, "wb") as pipe:
            pickle.dump(reply, pipe)
        code = 0
    finally:
        os._exit(code)


def _shard_log(pid: int) -> Path:
    return Path.cwd() / "mutants" / f".relance-first-pass-{pid}.log"


def _clean_tests_unless_just_traced(self: ForkRunner, tests: Iterable[str]) -> int:
    _judge_policy_verdict()  # after a load from the cache, no first pass judged it
    if _full_stats_ran:
        return 0  # the first pass ran these tests on this code a moment ago, and passed
    return _run_clean_tests(self, tests)


ForkRunner.collect_stats = _stats_in_shards  # type: ignore[method-assign]
ForkRunner.run_clean_tests = _clean_tests_unless_just_traced  # type: ignore[method-assign]


# 4. The tests that killed this function's last mutants first.
KILLERS = Path.cwd() / "mutants" / ".relance-killers"  # one file per function, a test per line
_run_tests = PytestRunner.run_tests


def _killers_file(function: str) -> Path:
    return KILLERS / hashlib.sha1(function.encode()).hexdigest()[:16]


def _killers(key: str) -> list[str]:
    """Every test that killed a mutant of `key` (a function, a module), a line per kill."""
    path = _killers_file(key)
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


class _KillerLog:
    """Appends the test that failed (pytest stops there: `-x`) to its function's file."""

    def __init__(self, function: str) -> None:
        self.function = function

    def pytest_runtest_logreport(self, report: Any) -> None:
        if not report.failed:  # the mutant is killed already: this only helps the next one
            return
        test = report.nodeid.removeprefix("mutants/")
        try:
            KILLERS.mkdir(exist_ok=True)
            for key in (self.function, _module_of(self.function)):
                with _killers_file(key).open("a", encoding="utf-8") as f:
                    f.write(test + "\n")  # one short write in append mode: whole lines
        except OSError:
            pass


def _killers_first(self: PytestRunner, *, mutant_name: str | None, tests: Iterable[str]) -> int:
    if mutant_name is None:  # the clean run
        return _run_tests(self, mutant_name=mutant_name, tests=tests)
    function = mangled_name_from_mutant_name(mutant_name)
    ordered = list(tests)  # fastest first (mutmut's ForkRunner)
    first = _last_killers(function, reachable=set(ordered))
    log = _KillerLog(function)
    with change_cwd("mutants"):
        if first and _fails(self, first, log):
            return 1  # a test failed: the mutant is killed
        tried = set(first)
        rest = [test for test in ordered if test not in tried] or ordered
        rest.sort(key=_worth(_module_of(function)))  # stable: fastest first among equals
        return int(self.execute_pytest(self._pytest_args_regular_run(rest), plugins=[log]))


def _fails(self: PytestRunner, tests: list[str], log: _KillerLog) -> bool:
    """Run these few tests in a session of their own (pytest collects only their files): True
    when one fails. Anything else (they pass, pytest cannot run them) leaves it to the full run."""
    try:
        return int(self.execute_pytest(self._pytest_args_regular_run(tests), plugins=[log])) == 1
    except Exception:  # e.g. mutmut's BadTestExecutionCommandsException: the full run decides
        return False


def _last_killers(function: str, *, reachable: set[str]) -> list[str]:
    """The tests that killed this function's mutants, the most often first (then the latest)."""
    return _ranked(function, reachable=reachable)[:KILLERS_TRIED_FIRST]


def _ranked(key: str, *, reachable: set[str]) -> list[str]:
    """The tests that killed mutants of `key` (a function, a module), the most often first
    (then the latest), among those that reach the mutant."""
    killers = _killers(key)
    kills = Counter(killers)
    latest = {test: i for i, test in enumerate(killers)}
    ranked = sorted(kills, key=lambda test: (-kills[test], -latest[test]))
    return [test for test in ranked if test in reachable]


def _worth(module: str) -> Callable[[str], float]:
    """Sort key of the full session: the tests most likely to kill per second first (Smith's
    rule), the likelihood being the test's kills among the module's earlier mutants plus one
    half (a test that never killed still may): fastest first while nothing is known."""
    kills = Counter(_killers(module))
    seconds = state().duration_by_test

    def key(test: str) -> float:
        return -(kills[test] + 0.5) / max(seconds.get(test, 1.0), 0.001)

    return key


def _module_of(function: str) -> str:
    """`assistant.rules.engine` of `assistant.rules.engine.xǁPlannerǁ_plan` (mutmut's names)."""
    return function.rsplit(".", 1)[0]


PytestRunner.run_tests = _killers_first  # type: ignore[method-assign]


# 5. Listed equivalents are not run.
_collect_mutants = mutmut_main.collect_source_file_mutation_data


def _without_listed_equivalents(*, mutant_names: tuple[str, ...] | list[str]) -> Any:
    mutants, by_path = _collect_mutants(mutant_names=mutant_names)
    if os.environ.get("RELANCE_MUTATION_EQUIVALENTS"):
        return mutants, by_path
    equivalents = mutation_report.load_equivalents()
    kept = []
    changed = set()
    for data, name, result in mutants:
        if mutation_report.still_equivalent(name, str(data.path), equivalents):
            data.exit_code_by_key[name] = mutation_report.SKIPPED  # mutmut's "skipped"
            data.durations_by_key[name] = 0.0
            changed.add(str(data.path))
            continue
        kept.append((data, name, result))
    for path in changed:
        by_path[path].save()
    return kept, by_path


mutmut_main.collect_source_file_mutation_data = _without_listed_equivalents

# 6. The policy verdict judged once.
# tests/support/policy_verdict.py's ENV, not imported: it imports relance's modules, which this
# process must not load (every mutant's process is forked from it and imports the mutated ones)
VERDICT_ENV = "MUTATION_POLICY_VERDICT"


def _judge_policy_verdict() -> None:
    """Judge the tests' policies once, in a process of its own (nothing judged or cached in
    this one, which every mutant's process is forked from), without any mutant."""
    if os.environ.get(VERDICT_ENV):
        return
    path = Path.cwd() / "mutants" / ".relance-policy-verdict.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.policy_verdict", str(path)],
        cwd="mutants",
        env={**os.environ, "MUTANT_UNDER_TEST": ""},  # the original functions
        check=False,
    )
    if done.returncode == 0:
        os.environ[VERDICT_ENV] = str(path)
    else:  # each session judges its own: slower, as right
        print("the policy verdict could not be judged once: each test session judges it")


if __name__ == "__main__":
    sys.argv[0] = "mutmut"
    mutmut_main.cli()
