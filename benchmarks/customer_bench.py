"""Per-customer work on a large store: `brief` and `log-call` on one customer.

Builds two stores with the plan_bench generator (ten invoices per customer on average:
100,000 and 1,000,000 invoices by default), then, for each, in a fresh interpreter:
- the `Service` calls `brief(customer, offline)` and `log_call(customer, no-answer)`: the first
  call (cold) and the median of `--repeat` more;
- the real CLI (`relance brief C --offline`, `relance log-call C --outcome no-answer`) as a
  subprocess, minus `relance --help` (the CLI start): the time "beyond CLI start".
Targets: the large store within 1.5 x of the small one; each under 150 ms beyond CLI start.

Run: python benchmarks/customer_bench.py [--sizes 100000 1000000] [--repeat 5] [--keep DIR]
(`--keep DIR` keeps the built stores there and reuses them on the next run.)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plan_bench import AS_OF, fill  # noqa: E402

CLOCK_ENV = {"RELANCE_TODAY": AS_OF.isoformat()}


def customer_of(db: Path) -> str:
    """A customer with open invoices (the same shape in every size: about ten invoices)."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT c.id FROM customers c WHERE c.do_not_contact = 0 AND c.id >= 'C000100'"
            " AND EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id"
            " AND i.status = 'open') ORDER BY c.id LIMIT 1"
        ).fetchone()
        return str(row[0])
    finally:
        conn.close()


def service_phase(home: str, cid: str, repeat: int) -> dict[str, Any]:
    """In a fresh interpreter: open the service, time brief and log-call."""
    from datetime import UTC, datetime

    from assistant.config import Settings
    from assistant.service import Service

    def clock() -> datetime:
        return datetime(AS_OF.year, AS_OF.month, AS_OF.day, 9, tzinfo=UTC)

    service = Service.open(Settings(RELANCE_HOME=home, RELANCE_LLM="off"), clock=clock)
    out: dict[str, Any] = {}
    for name, call in (
        ("brief", lambda: service.brief(cid, AS_OF, offline=True)),
        ("log-call", lambda: service.log_call(cid, "no-answer", on=AS_OF)),
    ):
        times = []
        for _ in range(repeat + 1):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        out[name] = (times[0], statistics.median(times[1:]))
    service.close()
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:5.0f}"


def in_child(func: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(func, args)


def cli_seconds(home: Path, *args: str) -> float:
    relance = Path(sys.executable).parent / "relance"
    env = {**os.environ, "RELANCE_HOME": str(home), "RELANCE_LLM": "off", **CLOCK_ENV}
    start = time.perf_counter()
    done = subprocess.run([str(relance), *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"relance {' '.join(args)}: {done.stderr.strip()}")
    return elapsed


def cli_phase(home: Path, cid: str, repeat: int) -> dict[str, float]:
    start_only = statistics.median(cli_seconds(home, "--help") for _ in range(repeat))
    out = {"start": start_only}
    for name, args in (
        ("brief", ("brief", cid, "--offline")),
        ("log-call", ("log-call", cid, "--outcome", "no-answer")),
    ):
        out[name] = statistics.median(cli_seconds(home, *args) for _ in range(repeat))
    return out


def build(folder: Path, invoices: int) -> Path:
    home = folder / f"home-{invoices}"
    db = home / "relance.db"
    if db.exists():
        print(f"store of {invoices} invoices: reused ({db})")
        return home
    home.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    fill(db, invoices, max(invoices // 10, 10))
    print(f"store of {invoices} invoices, {invoices // 10} customers: built in "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    return home


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--sizes", type=int, nargs=2, default=[100_000, 1_000_000])
    args.add_argument("--repeat", type=int, default=5)
    args.add_argument("--keep", type=Path, default=None)
    args.add_argument("--no-cli", action="store_true", help="only the Service calls")
    opts = args.parse_args()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="relance-customer-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    try:
        for size in opts.sizes:
            home = build(folder, size)
            cid = customer_of(home / "relance.db")
            got = in_child(service_phase, str(home), cid, opts.repeat)
            if not opts.no_cli:
                got["cli"] = cli_phase(home, cid, opts.repeat)
            results[size] = got
            print(f"{size} invoices, customer {cid}:")
            for name in ("brief", "log-call"):
                cold, warm = got[name]
                line = f"  {name:8} service: first {ms(cold)} ms, then {ms(warm)} ms"
                if "cli" in got:
                    cli = got["cli"]
                    line += (f"   CLI: {ms(cli[name])} ms, beyond start ({ms(cli['start'])} ms):"
                             f" {ms(cli[name] - cli['start'])} ms")  # fmt: skip
                print(line)
        small, large = (results[s] for s in opts.sizes)
        for name in ("brief", "log-call"):
            ratio = large[name][1] / small[name][1]
            text = f"{name}: large / small = {ratio:.2f} x (service, warm)"
            if "cli" in large:
                beyond = [r["cli"][name] - r["cli"]["start"] for r in (small, large)]
                text += f"; beyond CLI start {beyond[1] / beyond[0]:.2f} x"
            print(text + "  [targets: <= 1.5 x; < 150 ms beyond CLI start]")
    finally:
        if opts.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
