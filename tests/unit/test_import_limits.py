"""Imports refuse what would exhaust memory or hang, with one clear line (issue 13, item 6)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from assistant.errors import ImportRejected, UserError
from assistant.service import Service
from benchmarks.hostile_files import padded_xlsx

# the documented caps (docs/hostile-input.md)
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_XLSX_UNPACKED = 128 * 1024 * 1024
MAX_FIELD_CHARS = 32 * 1024
MAX_ROWS = 40_000
HEADER = "N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC\n"
ROW = "F{n};C1;Alpha;15/10/2026;14/11/2026;10,00\n"


def refused(service: Service, path: Path | str) -> str:
    with pytest.raises(UserError) as caught:
        service.import_file("invoices", Path(path))
    assert service.store.scalar("SELECT COUNT(*) FROM invoices") == 0
    message = str(caught.value)
    if not isinstance(caught.value, ImportRejected):  # else: `file:line: problem` lines
        assert "\n" not in message
    return message


def test_a_device_is_refused_without_reading_it(service: Service) -> None:
    assert "n'est pas un fichier ordinaire" in refused(service, "/dev/zero")


def test_a_fifo_is_refused_at_once_not_waited_for(service: Service, tmp_path: Path) -> None:
    fifo = tmp_path / "factures.csv"
    os.mkfifo(fifo)
    outcome: list[str] = []

    def run() -> None:
        try:
            service.import_file("invoices", fifo)
        except UserError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the import waited on a FIFO"
    assert outcome and "n'est pas un fichier ordinaire" in outcome[0]


def test_a_file_above_the_size_cap_is_refused_before_it_is_read(
    service: Service, tmp_path: Path
) -> None:
    big = tmp_path / "factures.csv"
    with big.open("wb") as out:  # sparse: no disk used, but its size is what counts
        out.write(HEADER.encode())
        out.truncate(MAX_FILE_BYTES + 1)
    message = refused(service, big)
    assert "trop volumineux" in message and "découpez" in message


def test_a_workbook_that_unpacks_to_too_much_is_refused(service: Service, tmp_path: Path) -> None:
    bomb = tmp_path / "factures.xlsx"
    padded_xlsx(bomb, MAX_XLSX_UNPACKED + 1024 * 1024)
    assert bomb.stat().st_size < 1024 * 1024  # a small file...
    assert "trop volumineux une fois décompressé" in refused(service, bomb)


def test_a_cell_padded_with_spaces_is_refused(service: Service, tmp_path: Path) -> None:
    book = tmp_path / "factures.xlsx"
    padded_xlsx(book, 1024 * 1024, in_cell=True)
    assert "texte de plus de 32768 caractères" in refused(service, book)


def test_a_line_or_a_field_too_long_is_refused(service: Service, tmp_path: Path) -> None:
    long_line = tmp_path / "ligne.csv"
    long_line.write_text(HEADER + ROW.format(n=1).replace("Alpha", "A" * 300_000))
    assert "ligne.csv:2: ligne de plus de" in refused(service, long_line)
    long_field = tmp_path / "champ.csv"
    long_field.write_text(HEADER + ROW.format(n=1).replace("Alpha", '"' + "A" * 40_000 + '"'))
    assert f"champ.csv:2: valeur de plus de {MAX_FIELD_CHARS}" in refused(service, long_field)


def test_too_many_rows_is_refused_with_the_cap_named(service: Service, tmp_path: Path) -> None:
    many = tmp_path / "factures.csv"
    many.write_text(HEADER + "".join(ROW.format(n=n) for n in range(MAX_ROWS + 1)))
    assert "plus de 40 000 lignes de données" in refused(service, many)
