"""Planning speed and memory: 1,000,000 invoices over 100,000 customers.

Prints (a) a plain full scan of the invoices table into Python (`SELECT *`, fetchall), (b) loading
the snapshot, (c) the pure planning, their ratio, and the peak memory of (b) + (c).
Target: snapshot + plan under 15 s and <= 5 x the full scan.

Each measure runs in a fresh interpreter (multiprocessing, spawn), so the peak resident memory
(VmHWM, or `getrusage` ru_maxrss off Linux) is that of the planning process, not of building
the test database; the part taken by the interpreter and imports is printed next to it.
`--tracemalloc` adds an untimed run reporting the peak of Python allocations (tracemalloc).
Other processes on the machine make timings noisy: compare the ratios, measured side by side.

Run: python benchmarks/plan_bench.py [--invoices N] [--customers M] [--repeat R] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.rules import Planner, load_scenario, load_snapshot  # noqa: E402
from assistant.storage.db import open_store  # noqa: E402

AS_OF = date(2026, 11, 24)
STATUSES = ["open"] * 6 + ["paid"] * 3 + ["disputed"]


def fill(path: Path, invoices: int, customers: int) -> None:
    store = open_store(path)
    rng = random.Random(7)
    late = random.Random(8)  # paid dates: a separate stream keeps the invoices of seed 7
    now = "2026-11-24T00:00:00+00:00"
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO customers (id, name, email, strategic, sms_opt_in, do_not_contact,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (f"C{i:06d}", f"Client {i}", f"c{i}@example.com", int(i % 97 == 0),
                 int(i % 3 == 0), int(i % 211 == 0), now, now)
                for i in range(customers)
            ),
        )  # fmt: skip
        rows = []
        for n in range(invoices):
            due = AS_OF + timedelta(days=rng.randint(-120, 30))
            amount = rng.randint(5_000, 5_000_000)
            status = rng.choice(STATUSES)
            outstanding = 0 if status == "paid" else amount
            paid = None
            if status == "paid":  # as imports do: a paid invoice has its payment day
                paid = min(due + timedelta(days=late.randint(-10, 45)), AS_OF).isoformat()
            rows.append(
                (f"F{n:07d}", f"C{rng.randrange(customers):06d}",
                 (due - timedelta(days=30)).isoformat(), due.isoformat(), amount,
                 outstanding, status, paid, now, now)
            )  # fmt: skip
        store.conn.executemany(
            "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
            " outstanding_cents, status, paid_date, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # a third of the invoices past J+3 had their first reminder, paid since or not
        store.conn.execute(
            "INSERT INTO invoice_steps (invoice_number, step, done_on, source)"
            " SELECT number, 'reminder_1', date(due_date, '+3 days'), 'bench' FROM invoices"
            " WHERE status IN ('open', 'paid') AND due_date < date(?, '-3 days')"
            " AND rowid % 3 = 0",
            (AS_OF.isoformat(),),
        )
        # one customer in 100 promised to pay an invoice; one in 500 has a payment plan
        open_rows = [r for r in rows if r[6] == "open"]
        store.conn.executemany(
            "INSERT INTO promises (customer_id, invoice_number, promised_date, made_on,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (
                (r[1], r[0], (AS_OF + timedelta(days=rng.randint(-20, 15))).isoformat(),
                 (AS_OF - timedelta(days=25)).isoformat(), now)
                for r in rng.sample(open_rows, min(len(open_rows), customers // 100))
            ),
        )  # fmt: skip
        for r in rng.sample(open_rows, min(len(open_rows), customers // 500)):
            plan_id = store.conn.execute(
                "INSERT INTO payment_plans (customer_id, agreed_on, total_cents, created_at)"
                " VALUES (?, ?, ?, ?)",
                (r[1], (AS_OF - timedelta(days=20)).isoformat(), r[5], now),
            ).lastrowid
            store.conn.execute("INSERT INTO payment_plan_invoices VALUES (?, ?)", (plan_id, r[0]))
            store.conn.executemany(
                "INSERT INTO instalments (plan_id, seq, due_date, amount_cents) VALUES (?,?,?,?)",
                (
                    (plan_id, k, (AS_OF + timedelta(days=30 * k - 25)).isoformat(), r[5] // 3 + 1)
                    for k in (1, 2, 3)
                ),
            )
    store.close()


def _peak_rss_mib() -> float:
    """Peak resident memory of this process: Linux VmHWM, else getrusage's ru_maxrss.

    VmHWM first because on Linux ru_maxrss survives exec: a spawned child would report the
    peak of the parent it was forked from (the one that built the test database).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def scan_phase(path: Path) -> float:
    store = open_store(path)
    start = time.perf_counter()
    rows = store.conn.execute("SELECT * FROM invoices").fetchall()
    elapsed = time.perf_counter() - start
    assert rows
    store.close()
    return elapsed


def plan_phase(path: Path, trace: bool = False) -> dict[str, Any]:
    """Snapshot + plan in this (fresh) process; with `trace`, under tracemalloc (untimed)."""
    import tracemalloc

    policy = load_scenario(None)
    store = open_store(path)
    baseline = _peak_rss_mib()  # interpreter + imports
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    snapshot = load_snapshot(store, policy, AS_OF)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    plan = Planner(policy).plan(snapshot)
    planned = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    store.close()
    return {
        "loaded": loaded,
        "planned": planned,
        "actions": len(plan.actions),
        "skips": len(plan.skipped),
        "baseline_mib": baseline,
        "peak_mib": _peak_rss_mib(),
        "traced_mib": traced,
    }


def in_child(func: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(func, args)


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--invoices", type=int, default=1_000_000)
    args.add_argument("--customers", type=int, default=100_000)
    args.add_argument("--repeat", type=int, default=3)
    args.add_argument("--tracemalloc", action="store_true")
    opts = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        start = time.perf_counter()
        fill(path, opts.invoices, opts.customers)
        print(f"setup: {opts.invoices} invoices, {opts.customers} customers in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        ratios, totals = [], []
        for run in range(1, opts.repeat + 1):
            scan = in_child(scan_phase, path)
            got = in_child(plan_phase, path)
            total = got["loaded"] + got["planned"]
            ratios.append(total / scan)
            totals.append(total)
            print(f"run {run}: full scan of invoices ({opts.invoices} rows): {scan:.2f} s")
            print(f"  load snapshot: {got['loaded']:.2f} s   plan: {got['planned']:.2f} s   "
                  f"total: {total:.2f} s   ratio to full scan: {total / scan:.1f} x")  # fmt: skip
            print(f"  {got['actions']} actions, {got['skips']} skips; peak RSS"
                  f" {got['peak_mib']:.0f} MiB, of which interpreter + imports"
                  f" {got['baseline_mib']:.0f} MiB")  # fmt: skip
        print(f"median of {opts.repeat}: total {statistics.median(totals):.2f} s, ratio "
              f"{statistics.median(ratios):.1f} x  [targets: < 15 s, <= 5 x]")  # fmt: skip
        if opts.tracemalloc:
            got = in_child(plan_phase, path, True)
            print(f"tracemalloc peak of snapshot + plan (untimed run): "
                  f"{got['traced_mib']:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
