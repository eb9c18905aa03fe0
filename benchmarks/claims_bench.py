"""What versions and claims cost (docs/concurrency.md): opening a draft (claim + release), the
queue's read of the claims, approving with and without the version a person saw.

Run: python benchmarks/claims_bench.py [--drafts N]
Targets: claim + release <= 5 ms per draft; the queue's claims read <= 20 ms with 1,000 live
claims; approving with `--version` within 10 % of approving without.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.people import add_user  # noqa: E402
from assistant.service import Service  # noqa: E402
from benchmarks.draft_bench import AS_OF, portfolio  # noqa: E402
from tests.conftest import write_company  # noqa: E402


def team_home(root: Path, n: int) -> Path:
    home = root / "home"
    write_company(home)
    svc = Service.open(Settings(RELANCE_HOME=home))
    try:
        portfolio(svc, n)
        created = svc.draft(AS_OF, offline=True).created
        assert len(created) == n
        for name, role in (("boss", "admin"), ("alice", "accountant"), ("bob", "accountant")):
            add_user(svc.store, name, role, None, "bench")
    finally:
        svc.close()
    return home


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--drafts", type=int, default=2000)
    n = args.parse_args().drafts
    with tempfile.TemporaryDirectory() as tmp:
        home = team_home(Path(tmp), n)
        alice = Service.open(Settings(RELANCE_HOME=home, RELANCE_USER="alice"))
        bob = Service.open(Settings(RELANCE_HOME=home, RELANCE_USER="bob"))
        ids = [d.id for d in alice.drafts("pending", texts=False)]
        half = n // 2

        start = time.perf_counter()
        for i in ids:
            alice.claim_draft(i)
            alice.release_draft(i)
        per_open = (time.perf_counter() - start) / n * 1000
        print(f"open a draft (claim + release): {per_open:.2f} ms  [target <= 5 ms]")

        for i in ids[:1000]:
            alice.claim_draft(i)
        start = time.perf_counter()
        rounds = 20
        for _ in range(rounds):
            seen = bob.draft_claims()
        read_ms = (time.perf_counter() - start) / rounds * 1000
        assert len(seen) == min(1000, n)
        print(f"the queue's read of {len(seen)} live claims: {read_ms:.1f} ms  [target <= 20 ms]")
        for i in ids[:1000]:
            alice.release_draft(i)

        start = time.perf_counter()
        for i in ids[:half]:
            bob.approve([i])
        plain = (time.perf_counter() - start) / half * 1000
        views = {d.id: d.version for d in bob.drafts("pending", texts=False)}
        start = time.perf_counter()
        for i in ids[half:]:
            bob.approve([i], versions={i: views[i]})
        checked = (time.perf_counter() - start) / (n - half) * 1000
        print(
            f"approve one draft: {plain:.2f} ms without a version, {checked:.2f} ms with"
            f" ({(checked / plain - 1) * 100:+.0f} %)  [target within +10 %]"
        )
        alice.close()
        bob.close()


if __name__ == "__main__":
    main()
