"""relance on PostgreSQL beside SQLite, in the same run: plan of a large portfolio, import.

1. Plan: plan_bench's generated home (`--invoices`, `--customers`) is timed on SQLite (load the
   snapshot + plan), then moved into PostgreSQL with `relance migrate` and timed there the same
   way (the store `RELANCE_DATABASE_URL` selects).
2. Import: import_bench's generated export (`--rows`) imported into an empty home on each store
   (first import, then a re-import that changes nothing).

The server is a throwaway cluster on 127.0.0.1 made like the tests' one (tests/support/
postgres.py: fsync off, so the figures are relance's, not the disk's). Target: PostgreSQL
within 2x of SQLite.

Run: python benchmarks/pg_bench.py [--invoices N] [--customers M] [--rows R]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.imports.reader import MAX_ROWS  # noqa: E402
from assistant.rules import Planner, load_scenario, load_snapshot  # noqa: E402
from assistant.service import Service  # noqa: E402
from assistant.storage.db import Store, open_store  # noqa: E402
from assistant.storage.pg.move import move_home  # noqa: E402
from assistant.storage.pg.store import open_pg_store  # noqa: E402
from benchmarks.import_bench import generate  # noqa: E402
from benchmarks.pg_server import databases  # noqa: E402
from benchmarks.plan_bench import AS_OF, fill  # noqa: E402


def plan_on(store: Store) -> tuple[float, float, int]:
    policy = load_scenario(None)
    start = time.perf_counter()
    snapshot = load_snapshot(store, policy, AS_OF)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    plan = Planner(policy).plan(snapshot)
    return loaded, time.perf_counter() - start, len(plan.actions)


def split(csv_path: Path) -> list[Path]:
    """One export cut into files of at most MAX_ROWS rows (the most one file may hold)."""
    head, *rows = csv_path.read_bytes().split(b"\r\n")[:-1]
    parts = []
    for i in range(0, len(rows), MAX_ROWS):
        part = csv_path.with_name(f"{csv_path.stem}-{i // MAX_ROWS + 1}.csv")
        part.write_bytes(b"\r\n".join([head, *rows[i : i + MAX_ROWS]]) + b"\r\n")
        parts.append(part)
    return parts


def import_on(home: Path, parts: list[Path], url: str | None) -> list[tuple[str, float, int]]:
    env: dict[str, Any] = {"RELANCE_HOME": home}
    if url:
        env["RELANCE_DATABASE_URL"] = url
    service = Service.open(Settings(**env), create=True)
    timings = []
    try:
        for label in ("first import", "re-import (no change)"):
            start = time.perf_counter()
            added = sum(service.import_file("invoices", part).added for part in parts)
            timings.append((label, time.perf_counter() - start, added))
    finally:
        service.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.pop("RELANCE_DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp, databases() as new_database:
        root = Path(tmp)
        if args.invoices:
            plan_both(root, args.invoices, args.customers, new_database)
        # -- import ---------------------------------------------------------------------
        csv_path = root / "factures.csv"
        generate(csv_path, args.rows, max(args.rows // 10, 1))
        parts = split(csv_path)
        print(f"import of {args.rows:,} invoices ({len(parts)} files of at most {MAX_ROWS:,})")
        times: dict[str, float] = {}
        for name in ("SQLite", "PostgreSQL"):
            url = new_database() if name == "PostgreSQL" else None
            for label, seconds, added in import_on(root / f"import-{name}", parts, url):
                times[f"{name} {label}"] = seconds
                print(f"  {name:<11} {label:<22} {seconds:7.2f} s"
                      f"  {args.rows / seconds:9,.0f} rows/s  added={added}")  # fmt: skip
        first = times["PostgreSQL first import"] / times["SQLite first import"]
        print(f"ratio PostgreSQL / SQLite (first import): {first:.2f} x")


def plan_both(root: Path, invoices: int, customers: int, new_database: Callable[[], str]) -> None:
    """Snapshot + plan of the same generated home on SQLite, then moved to PostgreSQL."""
    db = root / "plan" / "relance.db"
    db.parent.mkdir()
    start = time.perf_counter()
    fill(db, invoices, customers)
    print(f"home: {invoices:,} invoices, {customers:,} customers"
          f" ({time.perf_counter() - start:.0f} s to build)")  # fmt: skip
    figures = {}
    store = open_store(db)
    figures["SQLite"] = plan_on(store)
    store.close()
    url = new_database()
    start = time.perf_counter()
    move_home(db, url)
    print(f"relance migrate into PostgreSQL: {time.perf_counter() - start:.1f} s")
    pg = open_pg_store(url, db.parent)
    figures["PostgreSQL"] = plan_on(pg)
    pg.close()
    print(f"{'plan':<12} {'snapshot s':>10} {'plan s':>8} {'total s':>8} {'actions':>9}")
    for name, (loaded, planned, actions) in figures.items():
        print(f"{name:<12} {loaded:>10.2f} {planned:>8.2f} {loaded + planned:>8.2f}"
              f" {actions:>9,}")  # fmt: skip
    base = sum(figures["SQLite"][:2])
    print(f"ratio PostgreSQL / SQLite: {sum(figures['PostgreSQL'][:2]) / base:.2f} x")
    assert figures["PostgreSQL"][2] == figures["SQLite"][2], "not the same plan"


if __name__ == "__main__":
    main()
