"""Read an import file into a header and numbered rows: CSV (any usual encoding) or XLSX.

Encoding: strict UTF-8 (BOM or not), else strict Windows-1252; UTF-16 with a BOM (Excel's
"Unicode text") is accepted too. Text that decodes but is garbage is refused line by line:
mojibake (`Ã©` for `é`, a file converted twice or mixing UTF-8 and Windows-1252), the
replacement character `�`, control characters. Storing such text would put garbage in emails.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ImportRejected, UserError
from assistant.i18n import tr

CSV_DELIMITERS = (",", ";", "\t")
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _cp1252_class(low: int, high: int) -> str:
    """Regex class of the characters Windows-1252 encodes as bytes low..high."""
    chars = []
    for byte in range(low, high + 1):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            continue
    return "[" + "".join(re.escape(c) for c in chars) + "]"


# UTF-8 bytes of Latin letters (lead C2..C5) or of ’ “ ” € … (lead E2) read as Windows-1252.
_CONT = _cp1252_class(0x80, 0xBF)
_MOJIBAKE = re.compile(f"{_cp1252_class(0xC2, 0xC5)}{_CONT}|\u00e2{_CONT}{_CONT}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Row:
    line: int  # line (CSV) or row (XLSX) number in the file, 1-based, for messages
    cells: list[Any]


@dataclass(frozen=True)
class Table:
    name: str
    headers: list[str]
    rows: list[Row]
    sha256: str
    encoding: str  # "utf-8", "cp1252", "utf-16" or "xlsx"
    delimiter: str | None
    folder: Path | None = None  # where the file is: relative paths in it (PDFs) start there


def file_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(tr("fichier introuvable : {p}", "file not found: {p}", p=path)) from None
    except IsADirectoryError:
        raise UserError(tr("{p} est un dossier", "{p} is a directory", p=path)) from None
    except OSError as exc:
        raise UserError(
            tr("lecture impossible : {p} ({e})", "cannot read {p} ({e})", p=path, e=exc.strerror)
        ) from None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) of a text file, or ImportRejected naming the lines that are garbage."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _undecodable(name, data, "utf-16") from None
    elif b"\x00" in data:
        raise UserError(
            tr(
                "{f} : fichier binaire ou UTF-16 sans BOM :"
                " exportez en CSV (UTF-8 ou Windows-1252)",
                "{f}: binary file or UTF-16 without BOM: export as CSV (UTF-8 or Windows-1252)",
                f=name,
            )
        )
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise _undecodable(name, data, "cp1252") from None
    problems = garbage_lines(text, name, mixed=encoding == "cp1252")
    if problems:
        raise ImportRejected(name, problems)
    return text, encoding


def garbage_lines(text: str, name: str, *, mixed: bool = False) -> list[str]:
    """`file:line: why` for each line that is not clean text. `mixed`: the text was decoded
    as Windows-1252 because it is not UTF-8, so UTF-8 sequences in it mean mixed encodings."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if problem := garbage_in(line, mixed=mixed):
            problems.append(f"{name}:{number}: {problem}")
    return problems


def garbage_in(value: str, *, mixed: bool = False) -> str | None:
    """Why this text is not clean, or None."""
    if (match := _MOJIBAKE.search(value)) and mixed:
        return tr(
            "encodages mélangés : texte UTF-8 ({s!r}) dans un fichier Windows-1252",
            "mixed encodings: UTF-8 text ({s!r}) in a Windows-1252 file",
            s=match.group(),
        )
    if match:
        return tr(
            "texte mal encodé ({s!r} : fichier converti deux fois ?)",
            "badly encoded text ({s!r}: file converted twice?)",
            s=match.group(),
        )
    if "\ufffd" in value:
        return tr(
            "caractère illisible '\ufffd' (encodage perdu avant l'export)",
            "unreadable character '\ufffd' (encoding lost before the export)",
        )
    if _CONTROL.search(value):
        return tr(
            "caractère de contrôle inattendu (fichier binaire ?)",
            "unexpected control character (binary file?)",
        )
    return None


def _undecodable(name: str, data: bytes, encoding: str) -> ImportRejected:
    """One problem per line whose bytes are neither UTF-8 nor `encoding`."""
    problems = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                problems.append(
                    tr(
                        "{f}:{n}: octet {b} illisible (ni UTF-8 ni {enc})",
                        "{f}:{n}: unreadable byte {b} (neither UTF-8 nor {enc})",
                        f=name,
                        n=number,
                        b=f"0x{line[exc.start]:02X}",
                        enc=encoding,
                    )
                )
    return ImportRejected(
        name, problems or [tr("{f} : encodage illisible", "{f}: unreadable encoding", f=name)]
    )


def choose_delimiter(text: str, candidates: Sequence[str], recognise: Callable[[str], bool]) -> str:
    """csv.Sniffer limited to `candidates`, checked against the header: the delimiter that
    splits the header into the most known column names wins (the sniffer breaks ties)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    sample = "\n".join(text.splitlines()[:50])
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters="".join(candidates)).delimiter
    except csv.Error:
        sniffed = None

    def score(delimiter: str) -> tuple[int, bool, int]:
        header = next(csv.reader([first], delimiter=delimiter), [])
        return (sum(recognise(h) for h in header), delimiter == sniffed, len(header))

    return max(candidates, key=score)


def read_table(
    path: Path,
    recognise: Callable[[str], bool],
    *,
    delimiters: Sequence[str] = CSV_DELIMITERS,
    quoting: int = csv.QUOTE_MINIMAL,
) -> Table:
    """Header (first non-empty row) and the non-empty rows after it, numbered as in the file."""
    data = file_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_XLSX_MAGIC):
        headers, rows = _read_xlsx(data, path.name)
        return Table(path.name, headers, rows, digest, "xlsx", None, path.resolve().parent)
    if data.startswith(_XLS_MAGIC):
        raise UserError(
            tr(
                "{f} : format Excel 97-2003 (.xls) non pris en charge :"
                " enregistrez en .xlsx ou .csv",
                "{f}: Excel 97-2003 (.xls) is not supported: save as .xlsx or .csv",
                f=path.name,
            )
        )
    text, encoding = decode(data, path.name)
    delimiter = choose_delimiter(text, delimiters, recognise)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    headers: list[str] | None = None
    rows: list[Row] = []
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
            else:
                rows.append(Row(start, cells))
    except csv.Error as exc:
        raise UserError(
            tr(
                "{f}:{n}: ligne CSV illisible ({e})",
                "{f}:{n}: unreadable CSV line ({e})",
                f=path.name,
                n=reader.line_num,
                e=exc,
            )
        ) from None
    if headers is None:
        raise UserError(tr("{f} : fichier vide", "{f}: empty file", f=path.name))
    return Table(path.name, headers, rows, digest, encoding, delimiter, path.resolve().parent)


def _read_xlsx(data: bytes, name: str) -> tuple[list[str], list[Row]]:
    """First sheet; header = first non-empty row; cells keep their types (date, number)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UserError(
            tr(
                "{f} : classeur Excel illisible ({e})",
                "{f}: unreadable Excel workbook ({e})",
                f=name,
                e=exc,
            )
        ) from None
    try:
        sheet = workbook.worksheets[0]
        headers: list[str] | None = None
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [v.strip() if isinstance(v, str) else v for v in values]
            if all(c is None or c == "" for c in cells):
                continue
            if headers is None:
                headers = ["" if c is None else str(c).strip() for c in cells]
            else:
                rows.append(Row(number, cells))
    finally:
        workbook.close()
    if headers is None:
        raise UserError(tr("{f} : classeur vide", "{f}: empty workbook", f=name))
    problems = [
        f"{name}:{row.line}: {problem}"
        for row in rows
        for cell in row.cells
        if isinstance(cell, str) and (problem := garbage_in(cell))
    ]
    if problems:
        raise ImportRejected(name, problems)
    return headers, rows
