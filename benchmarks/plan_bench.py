"""Planning speed: 1,000,000 invoices over 100,000 customers.

Prints (a) a plain full scan of the invoices into Python, (b) loading the snapshot, (c) the
pure planning, and their ratio. Target: snapshot + plan under 15 s and <= 5 x the full scan.

Run: python benchmarks/plan_bench.py [--invoices N] [--customers M]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.rules import Planner, load_scenario, load_snapshot  # noqa: E402
from assistant.storage.db import open_store  # noqa: E402

AS_OF = date(2026, 11, 24)
STATUSES = ["open"] * 6 + ["paid"] * 3 + ["disputed"]


def fill(path: Path, invoices: int, customers: int) -> None:
    store = open_store(path)
    rng = random.Random(7)
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
            rows.append(
                (f"F{n:07d}", f"C{rng.randrange(customers):06d}",
                 (due - timedelta(days=30)).isoformat(), due.isoformat(), amount,
                 outstanding, status, now, now)
            )  # fmt: skip
        store.conn.executemany(
            "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
            " outstanding_cents, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # a third of the overdue invoices already had their first reminder
        store.conn.execute(
            "INSERT INTO invoice_steps (invoice_number, step, done_on, source)"
            " SELECT number, 'reminder_1', date(due_date, '+3 days'), 'bench' FROM invoices"
            " WHERE status = 'open' AND due_date < date(?, '-3 days') AND rowid % 3 = 0",
            (AS_OF.isoformat(),),
        )
    store.close()


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--invoices", type=int, default=1_000_000)
    args.add_argument("--customers", type=int, default=100_000)
    opts = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        start = time.perf_counter()
        fill(path, opts.invoices, opts.customers)
        print(f"setup: {opts.invoices} invoices, {opts.customers} customers in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        store = open_store(path)
        start = time.perf_counter()
        scanned = store.conn.execute("SELECT * FROM invoices").fetchall()
        scan = time.perf_counter() - start
        policy = load_scenario(None)
        start = time.perf_counter()
        snapshot = load_snapshot(store, policy, AS_OF)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        plan = Planner(policy).plan(snapshot)
        planned = time.perf_counter() - start
        total = loaded + planned
        print(f"full scan of invoices ({len(scanned)} rows): {scan:.2f} s")
        print(f"load snapshot: {loaded:.2f} s   plan: {planned:.2f} s   total: {total:.2f} s")
        print(f"  {len(plan.actions)} actions, {len(plan.skipped)} skips")
        print(f"  ratio to full scan: {total / scan:.1f} x  [targets: < 15 s, <= 5 x]")
        store.close()


if __name__ == "__main__":
    main()
