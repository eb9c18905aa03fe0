"""Reading the policies from the team's database (docs/policies-db.md) against the home's files.

Nothing caches a policy across operations on PostgreSQL (a second desk's save must be seen by
the next operation), so every operation reads the rows again. This prints what that costs per
operation, on SQLite (the home's folder) and on PostgreSQL (the `policy_files` table), with
the same edited files (the scenario, the company and two templates) on both:
- `policy_version`: the content hash recorded on each draft (read several times per operation);
- `scenario`: the scenario policy loaded and validated (what a plan reads);
- `render`: a new TemplateStore and one template rendered in the sandbox (one preview).

The PostgreSQL server is `--to URL` (or RELANCE_DATABASE_URL), else a throwaway cluster made
like the tests' one (tests/support/postgres.py).

Run: python benchmarks/policy_db_bench.py [--rounds N] [--to URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.drafting.templates import TemplateStore  # noqa: E402
from assistant.policy_edit import sample_context  # noqa: E402
from assistant.service import Service  # noqa: E402
from benchmarks.pg_server import database  # noqa: E402

TEMPLATE = "templates/fr/reminder_1.j2"


def edit(service: Service) -> None:
    scenario = service.read_policy("scenario.yaml").replace("min_gap_days: 5", "min_gap_days: 6")
    service.save_policy("scenario.yaml", scenario)
    for name in (TEMPLATE, "templates/fr/reminder_2.j2"):
        service.save_policy(name, service.read_policy(name).replace("Bonjour,", "Madame,"))


def per_call(rounds: int, work: Callable[[], object]) -> float:
    work()  # warm: imports, first connection
    start = time.perf_counter()
    for _ in range(rounds):
        work()
    return (time.perf_counter() - start) / rounds * 1000


def measure(home: Path, rounds: int) -> dict[str, float]:
    service = Service.open(Settings(RELANCE_HOME=home), create=True)  # type: ignore[call-arg]
    try:
        service.init_home()
        edit(service)
        context = sample_context(TEMPLATE.removeprefix("templates/"))
        name = TEMPLATE.removeprefix("templates/")
        return {
            "policy_version": per_call(rounds, service.policy_version),
            "scenario": per_call(rounds, service.scenario),
            "render": per_call(rounds, lambda: TemplateStore(home).render(name, context)),
        }
    finally:
        service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--to", default=os.environ.get("RELANCE_DATABASE_URL"))
    args = parser.parse_args()
    os.environ.pop("RELANCE_DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure(Path(tmp) / "sqlite", args.rounds)
        with database(args.to) as url:
            os.environ["RELANCE_DATABASE_URL"] = url
            try:
                pg = measure(Path(tmp) / "pg", args.rounds)
            finally:
                os.environ.pop("RELANCE_DATABASE_URL", None)
    print(f"per operation, mean of {args.rounds}   SQLite (files)   PostgreSQL (rows)   ratio")
    for key in sqlite:
        ratio = pg[key] / sqlite[key]
        print(f"  {key:<28} {sqlite[key]:>9.2f} ms   {pg[key]:>12.2f} ms   {ratio:5.1f}x")


if __name__ == "__main__":
    main()
