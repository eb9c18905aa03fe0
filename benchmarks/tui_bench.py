"""Queue responsiveness with 10,000 pending drafts: time to first paint and to scroll.

Run: python benchmarks/tui_bench.py [--drafts N]   (target: first paint under 1 s)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.widgets import DataTable  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.service import Service  # noqa: E402
from benchmarks.draft_bench import portfolio  # noqa: E402
from tui.app import make_app  # noqa: E402
from tui.screens.queue import PAGE_SIZE  # noqa: E402

AS_OF = date(2026, 11, 24)


async def startup(service: Service) -> float:
    """Baseline: the same app on an empty queue (Textual start-up, no rows)."""
    start = time.perf_counter()
    async with make_app(service, AS_OF).run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return time.perf_counter() - start


async def measure(service: Service, n: int) -> None:
    start = time.perf_counter()
    app = make_app(service, AS_OF)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#drafts", DataTable)
        while table.row_count < min(n, PAGE_SIZE):
            await pilot.pause()
        await pilot.pause()
        first_paint = time.perf_counter() - start
        scroll_start = time.perf_counter()
        for _ in range(50):
            await pilot.press("pagedown")
        await pilot.pause()
        scroll = time.perf_counter() - scroll_start
        filter_start = time.perf_counter()
        await pilot.press("slash", *"Client 99")
        await pilot.pause()
        search = time.perf_counter() - filter_start
        page_start = time.perf_counter()
        await pilot.press("escape", "right_square_bracket")
        await pilot.pause()
        page = time.perf_counter() - page_start
    print(f"queue with {n} drafts ({PAGE_SIZE} rows per page): first paint {first_paint:.2f} s")
    print("  [target < 1 s]")
    print(f"  50 x page down: {scroll * 1000:.0f} ms ({scroll * 20:.1f} ms per page)")
    print(f"  typing a 9-letter search (debounced filter): {search * 1000:.0f} ms")
    print(f"  next page: {page * 1000:.0f} ms")


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--drafts", type=int, default=10_000)
    n = args.parse_args().drafts
    with tempfile.TemporaryDirectory() as tmp:
        empty = Service.open(Settings(RELANCE_HOME=Path(tmp) / "empty"))
        print(f"baseline: empty queue painted in {asyncio.run(startup(empty)):.2f} s")
        service = Service.open(Settings(RELANCE_HOME=Path(tmp) / "full"))
        portfolio(service, n)
        built = time.perf_counter()
        service.draft(AS_OF, offline=True)
        print(f"setup: {n} drafts in {time.perf_counter() - built:.1f} s")
        asyncio.run(measure(service, n))


if __name__ == "__main__":
    main()
