"""How long the demo takes: scenario generation, the store build, and `relance demo` end to end.

Run: python benchmarks/demo_bench.py   (target: `relance demo --no-tui` well under 2 s)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.demo.build import build_demo  # noqa: E402
from assistant.demo.scenario import make_scenario  # noqa: E402
from assistant.storage.db import open_store  # noqa: E402

AS_OF = date(2026, 11, 24)
RUNS = 5


def best_of(label: str, run) -> None:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    best, median = min(times) * 1000, sorted(times)[RUNS // 2] * 1000
    print(f"{label:<38} best {best:7.1f} ms   median {median:7.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1000))

        def build() -> None:
            store = open_store(Path(tmp) / f"b{next(counter)}.db")
            build_demo(store, AS_OF)
            store.close()

        def cli() -> None:
            home = Path(tmp) / "cli-home"
            subprocess.run(
                [sys.executable, "-m", "assistant", "--home", str(home), "demo", "--no-tui",
                 "--as-of", AS_OF.isoformat()],
                check=True, capture_output=True, cwd=ROOT,
            )  # fmt: skip

        make_scenario(AS_OF, 2026)  # warm the holiday tables once, as a real run does
        best_of("scenario (pure generation)", lambda: make_scenario(AS_OF, 2026))
        best_of("build_demo into a new SQLite file", build)
        best_of("`relance demo --no-tui` (subprocess)", cli)
        store = open_store(Path(tmp) / "count.db")
        build_demo(store, AS_OF)
        for table in ("customers", "invoices", "payments", "invoice_steps", "promises", "events"):
            print(f"{table:<14} {store.scalar(f'SELECT count(*) FROM {table}'):6d} rows")
        store.close()


if __name__ == "__main__":
    main()
