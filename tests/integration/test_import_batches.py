"""An invoices import writes its customers, events and observed payments in batches
(`executemany`): the same rows, in the same order, on both stores (`store_kind`)."""

from __future__ import annotations

import os
from pathlib import Path

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import StoreKind
from tests.support.stores import query

HEADER = (
    "N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC;Reste dû;Statut"
)
FIRST = [
    "F1;C1;Société Dupré;05/01/2026;04/02/2026;1000,00;400,00;ouverte",
    "F2;C1;Société Dupré;10/01/2026;09/02/2026;500,00;500,00;ouverte",
    "F3;C2;Martin SA;10/01/2026;09/02/2026;300,00;300,00;ouverte",
]
SECOND = [
    "F1;C1;Société Dupré;05/01/2026;04/02/2026;1000,00;100,00;ouverte",
    "F2;C1;Société Dupré;10/01/2026;09/02/2026;500,00;500,00;litige",
    "F3;C2;Martin SA;10/01/2026;09/02/2026;300,00;0,00;payée",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252"))
    return path


def test_an_import_records_every_event_and_observed_payment(
    tmp_path: Path, store_kind: StoreKind
) -> None:
    home = tmp_path / "home"
    url = os.environ.get("RELANCE_DATABASE_URL")
    settings = Settings(RELANCE_HOME=home, **({"RELANCE_DATABASE_URL": url} if url else {}))
    service = Service.open(settings, create=True)
    try:
        service.import_file("invoices", write(tmp_path / "a.csv", FIRST))
        service.import_file("invoices", write(tmp_path / "b.csv", SECOND))
    finally:
        service.close()
    events = query(home, "SELECT kind, customer_id, invoice_number FROM events ORDER BY id")
    assert [e for e in events if not e[0].startswith("import.")] == [
        ("customer.created", "C1", None),
        ("customer.created", "C2", None),
        ("invoice.created", "C1", "F1"),
        ("invoice.created", "C1", "F2"),
        ("invoice.created", "C2", "F3"),
        ("invoice.updated", "C1", "F1"),
        ("invoice.updated", "C1", "F2"),
        ("invoice.updated", "C2", "F3"),
        ("dispute.opened", "C1", "F2"),
        ("invoice.paid", "C2", "F3"),
    ]
    observed = query(home, "SELECT number, observed_paid_cents FROM invoices ORDER BY number")
    assert observed == [("F1", 90000), ("F2", 0), ("F3", 30000)]
