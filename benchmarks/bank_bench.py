"""Benchmark: match 50,000 bank lines against 200,000 open invoices, against the plain import.

Run: python benchmarks/bank_bench.py [--lines N] [--invoices N] [--customers N]
Builds a store with the invoices (direct inserts, not timed), writes a CAMT.053 statement whose
credits are a realistic mix (60 % name an invoice and pay it exactly, 15 % pay part of a named
invoice, 10 % only the payer's name, 10 % only an amount, 5 % unrelated), then, each on its own
copy of the same store and in the same run: the plain import (parse + store the lines, no
matching) and the import with matching (index, proposals, automatic applications, payments).
Target: matching <= 3 x the plain import.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import Settings
from assistant.service import Service
from assistant.storage.db import open_store

ACCOUNT = "FR7630006000011234567890189"
WORDS = ["Boulangerie", "Garage", "Atelier", "Menuiserie", "Café", "Pharmacie", "Transports",
         "Imprimerie", "Plomberie", "Librairie", "Fromagerie", "Serrurerie"]  # fmt: skip
SURNAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
]
TOWNS = ["Lyon", "Nîmes", "Orléans", "Besançon", "Périgueux", "Angoulême", "Sète", "Évry",
         "Brest", "Colmar", "Annecy", "Vannes"]  # fmt: skip
DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def build_store(path: Path, invoices: int, customers: int, rng: random.Random) -> list[tuple]:
    store = open_store(path, clock=lambda: NOW)
    now = NOW.isoformat()
    names = [
        f"{rng.choice(WORDS)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)} {rng.choice(TOWNS)}"
        for _ in range(customers)
    ]
    rows = []
    for n in range(invoices):
        c = rng.randrange(customers)
        issued = DAY - timedelta(days=rng.randrange(20, 200))
        cents = rng.randrange(5_000, 2_000_000)
        due = (issued + timedelta(days=30)).isoformat()
        rows.append((f"FA{n:07d}", f"C{c:05d}", issued.isoformat(), due, cents, cents, now, now))
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO customers (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(f"C{i:05d}", names[i], now, now) for i in range(customers)],
        )
        store.conn.executemany(
            "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
            " outstanding_cents, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    store.close()
    return [(r[0], r[1], r[4], names[int(r[1][1:])]) for r in rows]


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def write_statement(path: Path, invoices: list[tuple], lines: int, rng: random.Random) -> None:
    picked = rng.sample(invoices, lines)
    entries = []
    for i, (number, _cid, cents, name) in enumerate(picked):
        kind = rng.random()
        payer, text, amount = name.upper(), f"FACTURE {number}", cents
        if kind < 0.60:
            pass
        elif kind < 0.75:
            amount = max(100, cents * rng.randrange(20, 80) // 100)
            text = f"ACOMPTE {number}"
        elif kind < 0.85:
            text = "REGLEMENT"
        elif kind < 0.95:
            payer, text = "CLIENT", "VIREMENT"
        else:
            payer, text, amount = "AXA FRANCE", f"REMBOURSEMENT {i}", rng.randrange(100, 99_999)
        day = DAY - timedelta(days=rng.randrange(0, 10))
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{_money(amount)}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>"
            f"<AcctSvcrRef>BENCH{i:08d}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr>"
            f"<Nm>{payer}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf>"
            "</TxDtls></NtryDtls></Ntry>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        'camt.053.001.02"><BkToCstmrStmt><Stmt><Id>BENCH</Id>'
        f"<Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt>'
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{DAY.isoformat()}</Dt></Dt></Bal>"
        + "\n".join(entries)
        + "</Stmt></BkToCstmrStmt></Document>\n",
        encoding="utf-8",
    )


def run(home: Path, statement: Path, match: bool) -> tuple[float, object]:
    service = Service.open(Settings(RELANCE_HOME=home), clock=lambda: NOW)
    try:
        began = time.perf_counter()
        report = service.import_bank(statement, match=match)
        return time.perf_counter() - began, report
    finally:
        service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        seed_db = base / "seed.db"
        began = time.perf_counter()
        invoices = build_store(seed_db, args.invoices, args.customers, rng)
        statement = base / "releve.xml"
        write_statement(statement, invoices, args.lines, rng)
        print(f"setup: {args.invoices:,} open invoices, {args.customers:,} customers,"
              f" {args.lines:,} credits ({statement.stat().st_size / 1e6:.1f} MB CAMT.053)"
              f" in {time.perf_counter() - began:.1f} s")  # fmt: skip
        results = {}
        for label, match in (("plain import (no matching)", False), ("import + matching", True)):
            home = base / label.split()[0]
            home.mkdir()
            shutil.copy(seed_db, home / "relance.db")
            elapsed, report = run(home, statement, match)
            results[match] = elapsed
            extra = ""
            if match:
                extra = (f" · applied {report.applied:,}, to confirm {report.proposed:,},"
                         f" unmatched {report.unmatched:,}")  # fmt: skip
            print(f"{label:28} {elapsed:6.2f} s  ({args.lines / elapsed:,.0f} lines/s){extra}")
        ratio = results[True] / results[False]
        print(f"matching / plain import: {ratio:.2f} x (target <= 3 x)")


if __name__ == "__main__":
    main()
