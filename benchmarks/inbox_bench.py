"""Reading replies: `inbox import` of N messages (mixed shapes) into a home with many customers.

Prints the time per message for parsing + cleaning + linking + rule suggestion + storing, and
the hold sources' cost in a plan. Run: python benchmarks/inbox_bench.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.models import Customer, Invoice  # noqa: E402
from assistant.service import Service  # noqa: E402
from assistant.storage import repo  # noqa: E402
from tests.support.mail import bounce, message  # noqa: E402

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)
BODIES = [
    "Bonjour,\n\nNous avons réglé la facture {inv} le 2 décembre par virement de 1 250,00 €.\n\n"
    "Cordialement,\nSophie\n\nLe mar. 24 nov. 2026 à 10:30, Atelier <compta@atelier.example> a"
    " écrit :\n> Bonjour,\n> Sauf erreur de notre part, la facture {inv} reste impayée.\n",
    "Peut-on régler en trois fois ?\n\nEnvoyé de mon iPhone\n\n> Le 24 nov. 2026 à 10:30,"
    " Atelier <compta@atelier.example> a écrit :\n> Bonjour,\n",
    "Hello,\n\nCould you send us a copy of invoice {inv}?\n\nBest regards,\nJohn\n\nOn Tue, Nov"
    " 24, 2026 at 10:30 AM Atelier <compta@atelier.example> wrote:\n> Hello,\n",
    "La livraison était incomplète, nous contestons la facture {inv}.\n\nDe : Atelier"
    " <compta@atelier.example>\nEnvoyé : mardi 24 novembre 2026 10:30\nÀ : x\nObjet : Relance\n",
]


def main(count: int = 2_000, customers: int = 5_000) -> None:
    home = Path(tempfile.mkdtemp(prefix="relance-inbox-bench-"))
    svc = Service.open(
        Settings(RELANCE_HOME=home, RELANCE_FROM="compta@atelier.example"), clock=lambda: NOW
    )
    with svc.store.transaction():
        repo.upsert_customers(
            svc.store,
            [
                Customer(id=f"C{i:05d}", name=f"Client {i}", email=f"compta@client-{i}.example")
                for i in range(customers)
            ],
            actor="bench",
        )
        repo.upsert_invoices(
            svc.store,
            [
                Invoice(
                    number=f"FA-{i:06d}",
                    customer_id=f"C{i % customers:05d}",
                    issue_date=date(2026, 10, 1),
                    due_date=date(2026, 11, 1),
                    amount_cents=125_000,
                    outstanding_cents=125_000,
                )
                for i in range(customers * 2)
            ],
            actor="bench",
        )
    folder = home / "mail"
    folder.mkdir()
    for i in range(count):
        cid = i % customers
        when = NOW - timedelta(minutes=count - i)
        if i % 50 == 49:
            raw = bounce(
                failed=f"compta@client-{cid}.example",
                original_id=f"<x{i}@a>",
                when=when,
                message_id=f"<dsn{i}@mx>",
            )
        else:
            raw = message(
                sender=f"Compta <compta@client-{cid}.example>",
                body=BODIES[i % len(BODIES)].format(inv=f"FA-{cid:06d}"),
                when=when,
                message_id=f"<m{i}@client-{cid}.example>",
            )
        (folder / f"{i:06d}.eml").write_bytes(raw)
    started = time.perf_counter()
    report = svc.import_replies(folder, suggest=False)
    spent = time.perf_counter() - started
    print(
        f"inbox import: {count} messages, {customers} customers: {spent:.2f} s,"
        f" {spent / count * 1000:.2f} ms per message ({len(report.added)} added,"
        f" {report.kinds['bounce']} bounces, {len(report.held)} customers held)"
    )
    started = time.perf_counter()
    again = svc.import_replies(folder, suggest=False)
    print(
        f"same folder again: {time.perf_counter() - started:.2f} s"
        f" ({again.duplicates} already known, {len(again.added)} added)"
    )
    started = time.perf_counter()
    plan = svc.plan(NOW.date())
    tasks = sum(1 for a in plan.actions if a.channel == "task")
    print(f"plan with the hold sources: {time.perf_counter() - started:.2f} s ({tasks} tasks)")
    svc.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
