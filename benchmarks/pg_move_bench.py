"""`relance migrate` copy rate: a large generated SQLite home moved into PostgreSQL.

Builds a home like plan_bench's (invoices, customers, steps, promises, plans) plus one payment
per paid invoice and three events per invoice, then times `move_home` (schema, COPY of every
table, sequences, verification of counts and sums, commit) into an empty database. Printed
beside it: a plain read of every row of the SQLite file (the floor set by the source).

The target is `--to URL` (or RELANCE_DATABASE_URL), else a throwaway cluster made like the
tests' one (tests/support/postgres.py: initdb as the `postgres` user, fsync off, so the figure
is the copy's, not the disk's).

Run: python benchmarks/pg_move_bench.py [--invoices N] [--customers M] [--to URL]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.storage.pg.move import move_home  # noqa: E402
from benchmarks.pg_server import database  # noqa: E402
from benchmarks.plan_bench import fill  # noqa: E402


def add_payments_and_events(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO payments (invoice_number, date, amount_cents, source, import_key,"
        " created_at) SELECT number, COALESCE(paid_date, due_date), amount_cents, 'import',"
        " 'k' || number, created_at FROM invoices WHERE status = 'paid'"
    )
    for kind in ("invoice_imported", "reminder_planned", "draft_created"):
        conn.execute(
            "INSERT INTO events (at, on_date, actor, kind, customer_id, invoice_number, data)"
            " SELECT created_at, issue_date, 'cli', ?, customer_id, number,"
            " '{\"amount_cents\": ' || amount_cents || '}' FROM invoices",
            (kind,),
        )
    conn.execute("COMMIT")
    conn.close()


def read_all(path: Path) -> tuple[int, float]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    start = time.perf_counter()
    rows = 0
    names = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    for (table,) in conn.execute(names).fetchall():
        cur = conn.execute(f'SELECT * FROM "{table}"')
        while batch := cur.fetchmany(5000):
            rows += len(batch)
    elapsed = time.perf_counter() - start
    conn.close()
    return rows, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--to", default=os.environ.get("RELANCE_DATABASE_URL"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "relance.db"
        start = time.perf_counter()
        fill(db, args.invoices, args.customers)
        add_payments_and_events(db)
        size_mb = db.stat().st_size / 1e6
        print(f"home built in {time.perf_counter() - start:.1f} s: {size_mb:.0f} MB")
        rows, read_s = read_all(db)
        print(f"SQLite read of every row  : {rows:>10,} rows in {read_s:6.2f} s"
              f"  ({rows / read_s:>10,.0f} rows/s)")  # fmt: skip

        with database(args.to) as url:
            start = time.perf_counter()
            report = move_home(db, url)
            move_s = time.perf_counter() - start
        assert report.rows == rows, (report.rows, rows)
        print(f"relance migrate (verified): {report.rows:>10,} rows in {move_s:6.2f} s"
              f"  ({report.rows / move_s:>10,.0f} rows/s,"
              f" {size_mb / move_s:.1f} MB/s of SQLite file)")  # fmt: skip
        print(f"ratio migrate / SQLite read: {move_s / read_s:.1f} x")
        for t in sorted(report.tables, key=lambda t: -t.rows)[:5]:
            print(f"  {t.table:<18} {t.rows:>10,} rows")


if __name__ == "__main__":
    main()
