"""How long `relance` takes to start: `--help` and `relance drafts` on the demo home.

Prints, per command: wall time of the whole process (best and median of RUNS, bytecode cached
as on a user's machine, after one warm-up run), the import time of `assistant.cli` and of
`assistant.service` (`python -X importtime`), and which heavy packages the command loaded.
Target: under 250 ms for commands that need no LLM, SMTP or Textual.

Run: python benchmarks/startup_bench.py [--root CHECKOUT]   (--root: measure another copy of
the code, e.g. `git archive <commit> | tar -x -C /tmp/before`, with this environment's packages)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
HEAVY = (
    "textual", "tui", "openai", "langchain_core", "reportlab", "lxml", "imapclient", "rapidfuzz",
    "openpyxl", "numpy", "sqlite_utils", "jinja2", "pydantic", "holidays", "schwifty",
)  # fmt: skip
PROBE = (
    "import json, runpy, sys\n"
    "sys.argv = ['relance', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('assistant', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write('LOADED ' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
)


def _env(code_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's machine caches bytecode
    env["PYTHONPATH"] = str(code_root)  # before site-packages: this copy of the code wins
    for name in list(env):
        if name.startswith(("OPENAI_", "RELANCE_SMTP", "RELANCE_IMAP")):
            env.pop(name)
    return env


def _wall(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    cwd = env["PYTHONPATH"]  # `-m` and `-c` put the working directory first on sys.path
    subprocess.run(args, env=env, cwd=cwd, capture_output=True, check=True)  # bytecode written
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, env=env, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times) * 1000, statistics.median(times) * 1000


def _imports(args: list[str], env: dict[str, str]) -> tuple[dict[str, float], list[str]]:
    """Cumulative import time (ms) of the top modules, and the heavy packages loaded."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE, *args],
        env=env,
        cwd=env["PYTHONPATH"],
        capture_output=True,
        text=True,
        check=True,
    )
    cumulative: dict[str, float] = {}
    loaded: list[str] = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cum, name = line.split("|", 2)
            if name.strip() in ("assistant.cli", "assistant.service"):
                cumulative.setdefault(name.strip(), int(cum) / 1000)
        elif line.startswith("LOADED "):
            loaded = [m for m in json.loads(line[7:]) if m in HEAVY]
    return cumulative, loaded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT, help="the code to measure")
    code_root = parser.parse_args().root.resolve()
    env = _env(code_root)
    py = sys.executable
    loaded = subprocess.run(
        [py, "-c", "import assistant; print(assistant.__file__)"],
        env=env, cwd=code_root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(f"code: {loaded.stdout.strip()}   load average: {os.getloadavg()[0]:.2f}   runs: {RUNS}")
    base_best, base_median = _wall([py, "-c", "pass"], env)
    print(f"{'python -c pass':<28} best {base_best:6.0f} ms   median {base_median:6.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        subprocess.run(
            [py, "-m", "assistant", "demo", "--no-tui", "--home", str(home)],
            env=env,
            cwd=code_root,
            capture_output=True,
            check=True,
        )
        for label, args in (
            ("relance --help", ["--help"]),
            ("relance drafts", ["--home", str(home), "drafts"]),
            ("relance drafts --json", ["--home", str(home), "drafts", "--json"]),
        ):
            best, median = _wall([py, "-m", "assistant", *args], env)
            cumulative, loaded = _imports(args, env)
            imports = "  ".join(f"{k} {v:.0f} ms" for k, v in cumulative.items())
            print(f"{label:<28} best {best:6.0f} ms   median {median:6.0f} ms   import {imports}")
            print(f"{'':<28} heavy packages loaded: {', '.join(loaded) or 'none'}")


if __name__ == "__main__":
    main()
