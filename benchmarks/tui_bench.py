"""Queue responsiveness with 10,000 pending drafts: first paint (cold), then scrolling.

Run: python benchmarks/tui_bench.py [--drafts N] [--runs R]
Target: the first paint of a 10,000-draft queue under 0.5 s.

"Cold" is a new interpreter for each run, as `relance review` starts: the modules are imported
(reported apart), then the clock runs from `make_app` until the first page of rows is painted.
The empty queue is the baseline (Textual and our start-up, no rows). Each figure is the best of
R runs, as wall time and as CPU time (user + sys of the process): on a shared machine the wall
time mostly measures the other processes, the CPU time what the start costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 24)
TARGET_S = 0.5


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(home: Path, n: int, freeze: bool = True) -> None:
    """One cold start: import, then time the first paint. Prints one JSON line."""
    wall0, cpu0 = time.perf_counter(), cpu()
    import gc

    from textual.widgets import DataTable

    from assistant.config import Settings
    from assistant.service import Service
    from tui.app import make_app
    from tui.screens.queue import PAGE_SIZE

    if freeze:  # as `relance review` does once the UI is imported (assistant/cli.py run_tui)
        gc.freeze()
    imported = (time.perf_counter() - wall0, cpu() - cpu0)
    service = Service.open(Settings(RELANCE_HOME=home))

    async def first_paint() -> tuple[float, float]:
        wall1, cpu1 = time.perf_counter(), cpu()
        app = make_app(service, AS_OF)
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one("#drafts", DataTable)
            while table.row_count < min(n, PAGE_SIZE):
                await pilot.pause()
            await pilot.pause()  # the frame with the rows is painted
            return time.perf_counter() - wall1, cpu() - cpu1

    painted = asyncio.run(first_paint())
    print(json.dumps({"import": imported, "paint": painted}))
    os._exit(0)  # a worker still validating policies (unknown verdict) is not waited for


def cold(home: Path, n: int, runs: int) -> dict[str, tuple[float, float]]:
    """Best wall and best CPU of `runs` cold starts."""
    found: list[dict[str, tuple[float, float]]] = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(home), "--drafts", str(n)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found.append(json.loads(out.strip().splitlines()[-1]))
    return {
        k: (min(r[k][0] for r in found), min(r[k][1] for r in found)) for k in ("import", "paint")
    }


def line(label: str, figures: tuple[float, float], target: bool = False) -> str:
    wall, spent = figures
    verdict = ""
    if target:
        verdict = f"  [target < {TARGET_S} s: {'met' if spent < TARGET_S else 'NOT met'} on CPU]"
    return f"{label}: {spent:.3f} s CPU, {wall:.3f} s wall{verdict}"


async def interactions(service: object, n: int) -> None:
    """In the same process (warm): scroll, search, next page."""
    from textual.widgets import DataTable

    from tui.app import make_app
    from tui.screens.queue import PAGE_SIZE

    app = make_app(service, AS_OF)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#drafts", DataTable)
        while table.row_count < min(n, PAGE_SIZE):
            await pilot.pause()
        await pilot.pause()
        scroll_start = time.perf_counter()
        for _ in range(50):
            await pilot.press("pagedown")
        await pilot.pause()
        scroll = time.perf_counter() - scroll_start
        filter_start = time.perf_counter()
        await pilot.press("slash", *"Client 99")
        await pilot.pause(0.3)  # the filter is debounced by 0.25 s
        search = time.perf_counter() - filter_start
        page_start = time.perf_counter()
        await pilot.press("escape", "right_square_bracket")
        await pilot.pause()
        page = time.perf_counter() - page_start
    print(f"  50 x page down: {scroll * 1000:.0f} ms ({scroll * 20:.1f} ms per page)")
    print(f"  typing a 9-letter search (debounced 0.25 s, then filtered): {search * 1000:.0f} ms")
    print(f"  next page: {page * 1000:.0f} ms")


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--drafts", type=int, default=10_000)
    args.add_argument("--runs", type=int, default=5)
    args.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args.add_argument("--no-freeze", action="store_true", help=argparse.SUPPRESS)  # older code
    opts = args.parse_args()
    n = opts.drafts
    if opts.child is not None:
        child(opts.child, n, freeze=not opts.no_freeze)
        return
    from assistant.config import Settings
    from assistant.service import Service
    from benchmarks.draft_bench import portfolio

    with tempfile.TemporaryDirectory() as tmp:
        empty_home, full_home = Path(tmp) / "empty", Path(tmp) / "full"
        empty = Service.open(Settings(RELANCE_HOME=empty_home))
        empty.policy_problems()  # the verdict on the policy files, remembered as after any start
        empty.close()
        service = Service.open(Settings(RELANCE_HOME=full_home))
        portfolio(service, n)
        built = time.perf_counter()
        service.draft(AS_OF, offline=True)
        print(f"setup: {n} drafts in {time.perf_counter() - built:.1f} s")
        print(f"load average {os.getloadavg()[0]:.1f}; best of {opts.runs} cold starts each")
        base = cold(empty_home, 0, opts.runs)
        full = cold(full_home, n, opts.runs)
        print(line("baseline: empty queue, first paint", base["paint"]))
        print(line(f"queue with {n} drafts, first paint", full["paint"], target=True))
        print(line("  imports before the first paint (not in the figures above)", full["import"]))
        (full_home / ".cache" / "policy-check.json").unlink()  # as after an upgrade or an edit
        unknown = cold(full_home, n, 1)
        print(line("  same, policy verdict unknown (checked by a worker)", unknown["paint"]))
        asyncio.run(interactions(service, n))
        service.close()


if __name__ == "__main__":
    main()
