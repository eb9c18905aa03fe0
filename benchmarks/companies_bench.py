"""What several companies in one PostgreSQL database cost (docs/companies.md): creating a
company (its schema, every table and index), opening a command's store with and without
`--company` (the registry read), `company list` across the companies, and a write in one
company while another company's writer holds its lock.

Run: python benchmarks/companies_bench.py [--companies N]
The server is a throwaway cluster on 127.0.0.1 made like the tests' one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.firm import accesses, add_company  # noqa: E402
from assistant.people import add_user  # noqa: E402
from assistant.service import Service  # noqa: E402
from benchmarks.pg_bench import databases  # noqa: E402
from tests.conftest import write_company  # noqa: E402


def median_ms(run: object, times: int) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        spent.append((time.perf_counter() - start) * 1000)
    return statistics.median(spent)


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--companies", type=int, default=20)
    n = args.parse_args().companies
    with databases() as new, tempfile.TemporaryDirectory() as tmp:
        url = new()
        os.environ["RELANCE_DATABASE_URL"] = url
        home = Path(tmp) / "home"
        write_company(home)
        settings = Settings(RELANCE_HOME=home, RELANCE_USER="boss")
        svc = Service.open(settings)
        add_user(svc.store, "boss", "admin", None, "bench")
        start = time.perf_counter()
        for i in range(n):
            add_company(svc, f"c{i:03d}", f"Client {i}")
        per_add = (time.perf_counter() - start) / n * 1000
        svc.close()
        print(f"company add (schema, tables, indexes, its admin): {per_add:.0f} ms per company")

        chosen = settings.model_copy(update={"company": "c000"})
        plain = median_ms(lambda: Service.open(settings).close(), 30)
        scoped = median_ms(lambda: Service.open(chosen).close(), 30)
        print(f"open a command's store: {plain:.1f} ms; with --company: {scoped:.1f} ms")
        listed = median_ms(lambda: accesses(settings), 10)
        print(f"company list over {n + 1} companies: {listed:.1f} ms")

        a = Service.open(chosen)
        b = Service.open(settings.model_copy(update={"company": "c001"}))
        held = threading.Event()
        done = threading.Event()

        def long_writer() -> None:
            with a.store.transaction():
                a.store.record_event("bench.hold", actor="boss")
                held.set()
                done.wait(10)

        worker = threading.Thread(target=long_writer)
        worker.start()
        held.wait(10)
        start = time.perf_counter()
        for _ in range(100):
            with b.store.transaction():
                b.store.record_event("bench.write", actor="boss")
        per_write = (time.perf_counter() - start) / 100 * 1000
        done.set()
        worker.join()
        print(f"a write in c001 while c000's writer holds its lock: {per_write:.2f} ms")
        a.close()
        b.close()


if __name__ == "__main__":
    main()
