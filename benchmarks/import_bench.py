"""Benchmark: import the largest accepted file (MAX_ROWS = 40,000 invoices, French CSV,
~4,000 customers) through the service.

Run: python benchmarks/import_bench.py [--rows N] [--customers N]
Prints the time of a first import (everything added), of a re-import (everything unchanged)
and of a dry run, with rows/s. Target: under 20 s for 100,000 rows on a 2-core machine, i.e.
under 8 s for 40,000 (one file holds at most MAX_ROWS rows: docs/hostile-input.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import Settings
from assistant.imports.reader import MAX_ROWS
from assistant.service import Service

HEADER = [
    "N° facture", "Code client", "Raison sociale", "E-mail", "Date facture", "Date d'échéance",
    "Montant TTC", "Reste à payer", "Devise", "Statut", "Référence", "Montant HT",
]  # fmt: skip
WORDS = ["Boulangerie", "Garage", "Société", "Atelier", "Menuiserie", "Café", "Pharmacie",
         "Électricité", "Transports", "Crèmerie"]  # fmt: skip
TOWNS = ["Lyon", "Nîmes", "Orléans", "Besançon", "Périgueux", "Angoulême", "Sète", "Évry"]


def french_amount(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", " ") + f",{rest:02d}"


def generate(path: Path, rows: int, customers: int, seed: int = 42) -> None:
    rng = random.Random(seed)
    names = [f"{rng.choice(WORDS)} {rng.choice(TOWNS)} n°{i}" for i in range(customers)]
    start = date(2025, 1, 1)
    lines = [";".join(HEADER)]
    for n in range(rows):
        c = rng.randrange(customers)
        issued = start + timedelta(days=rng.randrange(600))
        amount = rng.randrange(5_000, 5_000_000)
        outstanding = amount if rng.random() < 0.7 else rng.choice([0, amount // 2])
        status = rng.choice(["ouverte", "ouverte", "ouverte", "litige"]) if outstanding else "payée"
        lines.append(";".join([
            f"FA{n:07d}", f"C{c:05d}", names[c], f"compta{c}@client{c}.fr",
            issued.strftime("%d/%m/%Y"), (issued + timedelta(days=30)).strftime("%d/%m/%Y"),
            french_amount(amount), french_amount(outstanding), "EUR", status,
            f"BC-{rng.randrange(10**6)}", french_amount(amount * 5 // 6),
        ]))  # fmt: skip
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def timed(label: str, rows: int, action) -> None:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    report = action()
    elapsed = time.perf_counter() - began
    print(
        f"{label:<22} {elapsed:7.2f} s  {rows / elapsed:9,.0f} rows/s  "
        f"added={report.added} updated={report.updated} unchanged={report.unchanged} "
        f"customers_added={report.customers_added}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=MAX_ROWS)
    parser.add_argument("--customers", type=int, default=MAX_ROWS // 10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "factures.csv"
        began = time.perf_counter()
        generate(csv_path, args.rows, args.customers)
        size = csv_path.stat().st_size / 1e6
        print(f"generated {args.rows:,} invoices / {args.customers:,} customers "
              f"({size:.1f} MB, cp1252, ';') in {time.perf_counter() - began:.2f} s")  # fmt: skip
        service = Service.open(Settings(RELANCE_HOME=Path(tmp) / "home"))
        try:
            timed("dry run (empty db)", args.rows,
                  lambda: service.import_file("invoices", csv_path, dry_run=True))  # fmt: skip
            timed("first import", args.rows, lambda: service.import_file("invoices", csv_path))
            timed("re-import (no change)", args.rows,
                  lambda: service.import_file("invoices", csv_path))  # fmt: skip
        finally:
            service.close()


if __name__ == "__main__":
    main()
