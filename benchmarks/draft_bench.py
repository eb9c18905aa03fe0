"""Drafting throughput: 1,000 LLM rewrites against the stub server (300 ms per answer,
concurrency 16), and the per-draft overhead of template mode.

The stub serves from a process of its own, as a real provider would be remote: the figures
are the client's (prompt assembly, HTTP, checks, logging, storing), not the stub's.

Run: python benchmarks/draft_bench.py [--drafts N] [--latency S] [--concurrency C]
Targets: wall <= 1.2 x ideal (N x latency / C); template mode <= 5 ms per draft.
The machine's load average is printed with the figures (other work on it stretches the wall),
and so is a run of the stub alone (a client doing nothing else): its ratio is the floor.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.models import Customer, Invoice, InvoiceStatus  # noqa: E402
from assistant.service import Service  # noqa: E402
from assistant.storage import repo  # noqa: E402

AS_OF = date(2026, 11, 24)


def portfolio(svc: Service, n: int) -> None:
    """n customers, each with one invoice five days late (a first reminder each)."""
    customers = [
        Customer(id=f"C{i:05d}", name=f"Client {i}", email=f"c{i}@example.com") for i in range(n)
    ]
    invoices = [
        Invoice(
            number=f"F{i:05d}",
            customer_id=f"C{i:05d}",
            issue_date=AS_OF - timedelta(days=35),
            due_date=AS_OF - timedelta(days=5),
            amount_cents=100_000 + i,
            outstanding_cents=100_000 + i,
            status=InvoiceStatus.OPEN,
        )
        for i in range(n)
    ]
    with svc.store.transaction():
        repo.upsert_customers(svc.store, customers, actor="bench")
        repo.upsert_invoices(svc.store, invoices, actor="bench")


def stub_alone(base_url: str, n: int, concurrency: int) -> tuple[float, float]:
    """Wall and mean latency of `n` requests from a client doing nothing else (aiohttp, the
    SDK's transport): what the stub and the machine cost before any client work."""
    import asyncio
    import json

    import aiohttp

    template = json.dumps({"subject": "Relance", "body": "Bonjour,"})
    body = {
        "model": "bench",
        "messages": [
            {"role": "system", "content": "Tu réécris un e-mail."},
            {"role": "user", "content": f"<template>{template}</template>"},
        ],
    }

    async def run() -> tuple[float, float]:
        latencies: list[float] = []
        gate = asyncio.Semaphore(concurrency)
        async with aiohttp.ClientSession() as session:

            async def one() -> None:
                async with gate:
                    start = time.perf_counter()
                    async with session.post(f"{base_url}/chat/completions", json=body) as r:
                        await r.read()
                    latencies.append(time.perf_counter() - start)

            start = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return time.perf_counter() - start, sum(latencies) / n

    return asyncio.run(run())


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--drafts", type=int, default=1000)
    args.add_argument("--latency", type=float, default=0.3)
    args.add_argument("--concurrency", type=int, default=16)
    args.add_argument("--stub-alone", type=int, default=400, help="requests (0: skip)")
    opts = args.parse_args()
    n = opts.drafts
    with tempfile.TemporaryDirectory() as tmp:
        offline = Service.open(Settings(RELANCE_HOME=Path(tmp) / "offline"))
        portfolio(offline, n)
        offline.check_policies()  # once per policy version (see below), not per draft
        plan_start = time.perf_counter()
        offline.plan(AS_OF)
        plan_s = time.perf_counter() - plan_start
        start = time.perf_counter()
        report = offline.draft(AS_OF, offline=True)
        template_s = time.perf_counter() - start
        assert len(report.created) == n, report.as_json()
        per_draft = (template_s - plan_s) / n * 1000
        print(f"template mode: {n} drafts in {template_s:.2f} s (plan {plan_s * 1000:.0f} ms)")
        print(f"  overhead per draft (render twice + store): {per_draft:.2f} ms  [target <= 5 ms]")

        stub = subprocess.Popen(
            [sys.executable, "-m", "tests.support.llm_stub", "--latency", str(opts.latency)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert stub.stdout is not None
            settings = Settings(
                RELANCE_HOME=Path(tmp) / "llm",
                OPENAI_API_KEY="sk-bench",
                OPENAI_BASE_URL=stub.stdout.readline().strip(),
                RELANCE_LLM_CONCURRENCY=opts.concurrency,
                RELANCE_LLM_TIMEOUT=30,
            )
            if opts.stub_alone:
                alone, latency = stub_alone(settings.openai_base_url or "", opts.stub_alone,
                                            opts.concurrency)  # fmt: skip
                alone_ideal = opts.stub_alone * opts.latency / opts.concurrency
                print(
                    f"stub alone: {opts.stub_alone} requests in {alone:.2f} s ="
                    f" {alone / alone_ideal:.2f} x ideal, {latency * 1000:.0f} ms a request"
                    " (the stub and the machine, no client work)"
                )
            svc = Service.open(settings)
            portfolio(svc, n)
            # Validating every policy file compiles every template: once per policy version,
            # then remembered in the home (`checked_policy_problems`), as on every daily run
            # but the first after a change. Timed apart; the wall below is a daily run's.
            check = time.perf_counter()
            svc.check_policies()
            check_s = time.perf_counter() - check
            start, cpu = time.perf_counter(), time.process_time()
            report = svc.draft(AS_OF)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            stub.terminate()
            stub.wait()
        ideal = n * opts.latency / opts.concurrency
        rows = svc.store.query(
            "SELECT AVG(prompt_tokens) AS p, AVG(completion_tokens) AS c, COUNT(*) AS n"
            " FROM llm_calls"
        )[0]
        print(f"LLM mode: {report.llm} rewritten, {report.fallbacks} fallbacks, {rows['n']} calls")
        print(
            f"  wall {wall:.2f} s vs ideal {ideal:.2f} s = {wall / ideal:.2f} x  [target <= 1.2 x]"
        )
        first = wall + check_s
        print(
            f"  first run of a policy version (+ policy check {check_s:.2f} s): {first:.2f} s"
            f" = {first / ideal:.2f} x"
        )
        print(f"  client CPU {cpu:.2f} s = {cpu / n * 1000:.1f} ms per rewrite")
        print("  load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(
            f"  prompt ~{rows['p']:.0f} tokens, answer ~{rows['c']:.0f} tokens per rewrite"
            " (stub estimate: characters / 4)"
        )


if __name__ == "__main__":
    main()
