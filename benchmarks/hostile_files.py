"""Hostile and very large import files, written on demand (benchmarks and tests share them)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def _small_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["N° facture", "Code client", "Raison sociale", "Date facture",
                  "Date d'échéance", "Montant TTC"])  # fmt: skip
    sheet.append(["F1", "C1", "Alpha", "15/10/2026", "14/11/2026", "1200,00"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def padded_xlsx(path: Path, spaces: int, *, in_cell: bool = False) -> None:
    """A real workbook whose sheet XML is padded with `spaces` spaces (between two rows, or
    inside the value of one cell)."""
    source = zipfile.ZipFile(io.BytesIO(_small_workbook()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            marker = b"<t>Alpha</t>" if in_cell and b"<t>Alpha</t>" in data else b"</row>"
            head, tail = data.split(marker, 1)
            prefix = b"<t>Alpha" if marker == b"<t>Alpha</t>" else b"</row>"
            suffix = b"</t>" if marker == b"<t>Alpha</t>" else b""
            with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                part.write(head + prefix)
                block = b" " * (1024 * 1024)
                left = spaces
                while left > 0:
                    part.write(block[: min(left, len(block))])
                    left -= len(block)
                part.write(suffix + tail)


def big_csv(path: Path, size: int) -> None:
    """A valid-looking CSV of `size` bytes (realistic rows repeated)."""
    row = "FA{n:09d};C{c:05d};Boulangerie Lyon;compta@client.fr;15/10/2026;14/11/2026;1 200,00\n"
    with path.open("w", encoding="utf-8") as out:
        out.write("N° facture;Code client;Raison sociale;E-mail;Date facture;Date d'échéance;"
                  "Montant TTC\n")  # fmt: skip
        written, n = 0, 0
        while written < size:
            chunk = "".join(row.format(n=n + i, c=(n + i) % 10_000) for i in range(10_000))
            out.write(chunk)
            written += len(chunk)
            n += 10_000


def wide_csv(path: Path, rows: int, columns: int) -> None:
    """`rows` invoices with `columns - 6` filler columns (rows x columns = MAX_CELLS at most)."""
    filler = ";".join(f"Colonne {i}" for i in range(columns - 6))
    head = ("N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC;"
            + filler + "\n")  # fmt: skip
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for n in range(rows):
            extra = ";".join(f"v{n % 97}.{i}" for i in range(columns - 6))
            out.write(f"FA{n:08d};C{n % 10_000:05d};Client {n % 10_000};15/10/2026;"
                      f"14/11/2026;1 200,00;{extra}\n")  # fmt: skip


def largest_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["N° facture", "Code client", "Raison sociale", "E-mail", "Date facture",
                  "Date d'échéance", "Montant TTC", "Reste à payer", "Référence"])  # fmt: skip
    for n in range(rows):
        c = n % (rows // 10)
        sheet.append([f"FA{n:07d}", f"C{c:05d}", f"Boulangerie Lyon n°{c}",
                      f"compta{c}@client{c}.fr", "15/10/2026", "14/11/2026", "1 200,00",
                      "1 200,00", f"BC-{n}"])  # fmt: skip
    book.save(path)
