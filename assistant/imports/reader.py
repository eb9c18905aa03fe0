"""Read an import file into a header and numbered rows: CSV (any usual encoding) or XLSX.

Encoding: strict UTF-8 (BOM or not), else strict Windows-1252 (ISO-8859-15 when its 8
different letters show: œ, €); UTF-16 with a BOM (Excel's "Unicode text") is accepted too.
Text that decodes but is garbage is refused line by line: mojibake (`Ã©` for `é`, a file
converted twice or mixing UTF-8 and Windows-1252), the replacement character `�`, control
characters. Storing such text would put garbage in emails.
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
from assistant.files import FileRefused, human_size, read_regular_file
from assistant.i18n import tr

CSV_DELIMITERS = (",", ";", "\t")

# Limits on what one import reads (docs/hostile-input.md): the whole file is validated in
# memory before anything is written (all-or-nothing), so its size is capped; larger exports
# are split. Under these caps an import stays below 500 MB of memory (benchmarks/).
MAX_FILE_BYTES = 32 * 1024 * 1024  # CSV, FEC or XLSX as stored
MAX_ROWS = 40_000  # data rows in one file
MAX_CELLS = 1_600_000  # rows x columns in one file
MAX_FIELD_CHARS = 32 * 1024  # one cell
MAX_LINE_CHARS = 256 * 1024  # one line of a text file
MAX_XLSX_UNPACKED = 128 * 1024 * 1024  # all the parts of a workbook, unpacked
MAX_XLSX_STRINGS = 32 * 1024 * 1024  # its shared strings, unpacked (all read at once)
MAX_XLSX_PARTS = 2_000
csv.field_size_limit(MAX_FIELD_CHARS)
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
# ISO-8859-15 (allowed for a FEC) differs from Windows-1252 on 8 bytes: € œ Œ Š š Ž ž Ÿ read
# as ¤ ½ ¼ ¦ ¨ ´ ¸ ¾. Those next to a letter ("C½ur", "12,00 ¤") mean the file is Latin-9,
# unless it uses bytes 0x80-0x9F, which only Windows-1252 prints.
_LATIN9_HINT = re.compile(r"¤|[A-Za-zÀ-ÿ][¦¨´¸¼½¾]|[¦¨´¸¼½¾][A-Za-zÀ-ÿ]")
_CP1252_ONLY = re.compile(b"[\x80-\x9f]")


@dataclass(frozen=True)
class Row:
    line: int  # line (CSV) or row (XLSX) number in the file, 1-based, for messages
    cells: list[Any]
    formulas: dict[int, str] | None = None  # XLSX: position -> formula with no computed value


@dataclass(frozen=True)
class Table:
    name: str
    headers: list[str]
    rows: list[Row]
    sha256: str
    encoding: str  # "utf-8", "cp1252", "iso-8859-15", "utf-16" or "xlsx"
    delimiter: str | None
    folder: Path | None = None  # where the file is: relative paths in it (PDFs) start there
    header_line: int = 1  # title lines above the header are skipped
    notes: dict[int, str] | None = None  # lenient reading: line -> what was wrong with its bytes
    attachments_root: Path | None = None  # PDFs named in the file: only from here (else folder)


def file_bytes(path: Path) -> bytes:
    """The file's bytes: a regular file only (not /dev/zero, a FIFO or a directory), at most
    MAX_FILE_BYTES; otherwise one clear line."""
    try:
        return read_regular_file(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        if "volumineux" in str(exc) or "too large" in str(exc):
            raise UserError(
                f"{exc} : "
                + tr(
                    "découpez l'export (par période ou par client) et importez chaque partie",
                    "split the export (by period or by customer) and import each part",
                )
            ) from None
        raise UserError(str(exc)) from None


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
            if _LATIN9_HINT.search(text) and not _CP1252_ONLY.search(data):
                text, encoding = data.decode("iso-8859-15"), "iso-8859-15"
    problems = garbage_lines(text, name, mixed=encoding == "cp1252")
    if problems:
        raise ImportRejected(name, problems)
    return text, encoding


def garbage_lines(text: str, name: str, *, mixed: bool = False) -> list[str]:
    """`file:line: why` for each line that is not clean text. `mixed`: the text was decoded
    as Windows-1252 because it is not UTF-8, so UTF-8 sequences in it mean mixed encodings."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            problems.append(
                tr(
                    "{f}:{n}: ligne de plus de {m} caractères (fichier binaire ou mal découpé ?)",
                    "{f}:{n}: line longer than {m} characters (binary or badly split file?)",
                    f=name,
                    n=number,
                    m=MAX_LINE_CHARS,
                )
            )
        elif problem := garbage_in(line, mixed=mixed):
            problems.append(f"{name}:{number}: {problem}")
        if len(problems) >= MAX_PROBLEMS:
            break
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


MAX_PROBLEMS = 1_000  # a file this broken is not read further


class _Count:
    """Rows and cells read so far, against MAX_ROWS and MAX_CELLS."""

    def __init__(self, name: str) -> None:
        self.name, self.rows, self.cells = name, 0, 0

    def add(self, cells: Sequence[Any]) -> None:
        self.rows += 1
        self.cells += len(cells)
        if self.rows > MAX_ROWS:
            raise _split(self.name, tr("plus de {m} lignes de données", "more than {m} data rows",
                                       m=f"{MAX_ROWS:,}".replace(",", " ")))  # fmt: skip
        if self.cells > MAX_CELLS:
            raise _split(self.name, tr("plus de {m} cellules", "more than {m} cells",
                                       m=f"{MAX_CELLS:,}".replace(",", " ")))  # fmt: skip


def _split(name: str, what: str) -> UserError:
    return UserError(
        tr(
            "{f} : {w} : découpez l'export (par période ou par client) et importez chaque partie",
            "{f}: {w}: split the export (by period or by customer) and import each part",
            f=name,
            w=what,
        )
    )


HEADER_SCAN = 30  # the header is searched in the first rows (title lines may come first)
MIN_HEADER_SCORE = 2  # known column names a row needs to be taken for the header


def header_score(cells: Sequence[Any], recognise: Callable[[str], bool]) -> int:
    """How many distinct known column names a row holds."""
    return len({c.strip() for c in cells if isinstance(c, str) and c.strip() and recognise(c)})


def find_header(
    text: str, candidates: Sequence[str], recognise: Callable[[str], bool], quoting: int
) -> tuple[str, int]:
    """(delimiter, line of the header): the row among the first ones that holds the most known
    column names, with the delimiter that splits it so (csv.Sniffer breaks ties). Unless a row
    holds at least 2 known names, the first non-empty line is the header, so the error names
    what was found there (not a "Total" row further down)."""
    head = "\n".join(text.splitlines()[: HEADER_SCAN * 2])
    try:
        sniffed: str | None = csv.Sniffer().sniff(head, delimiters="".join(candidates)).delimiter
    except csv.Error:
        sniffed = None
    first = next((n for n, line in enumerate(text.splitlines(), 1) if line.strip()), 1)
    best: tuple[int, bool, int, int] = (-1, False, 0, 0)
    best_first = best
    best_delimiter = first_delimiter = sniffed or candidates[0]
    for delimiter in candidates:
        for line, cells in _first_rows(head, delimiter, quoting):
            key = (header_score(cells, recognise), delimiter == sniffed, len(cells), -line)
            if key > best:
                best, best_delimiter = key, delimiter
            if line == first and key > best_first:
                best_first, first_delimiter = key, delimiter
    if best[0] < MIN_HEADER_SCORE:
        return first_delimiter, first
    return best_delimiter, -best[3]


def _first_rows(text: str, delimiter: str, quoting: int) -> list[tuple[int, list[str]]]:
    """The first non-empty rows of `text` split by `delimiter`, with their line numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    rows: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if any(c.strip() for c in cells):
                rows.append((start, cells))
            if len(rows) >= HEADER_SCAN:
                break
    except csv.Error:
        pass  # a broken line is reported when the whole file is read
    return rows


def read_table(
    path: Path,
    recognise: Callable[[str], bool],
    *,
    delimiters: Sequence[str] = CSV_DELIMITERS,
    quoting: int = csv.QUOTE_MINIMAL,
    lenient: bool = False,
) -> Table:
    """Header (the row with the most known column names among the first ones, normally the
    first non-empty row) and the non-empty rows after it, numbered as in the file."""
    data = file_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_XLSX_MAGIC):
        header_line, headers, rows = _read_xlsx(data, path.name, recognise)
        return Table(
            path.name, headers, rows, digest, "xlsx", None, path.resolve().parent, header_line
        )
    if data.startswith(_XLS_MAGIC):
        raise UserError(
            tr(
                "{f} : format Excel 97-2003 (.xls) non pris en charge :"
                " enregistrez en .xlsx ou .csv",
                "{f}: Excel 97-2003 (.xls) is not supported: save as .xlsx or .csv",
                f=path.name,
            )
        )
    notes: dict[int, str] | None = None
    if lenient:  # the caller judges each line (fec_text.py); bad bytes are only noted here
        from assistant.imports.fec_text import lenient_decode

        text, encoding, notes = lenient_decode(data)
    else:
        text, encoding = decode(data, path.name)
    if not text.strip():
        raise UserError(tr("{f} : fichier vide", "{f}: empty file", f=path.name))
    delimiter, header_line = find_header(text, delimiters, recognise, quoting)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    headers: list[str] = []
    rows: list[Row] = []
    count = _Count(path.name)
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if start < header_line or not any(c.strip() for c in cells):
                continue
            if start == header_line:
                headers = [c.strip() for c in cells]
            elif [c.strip() for c in cells] != headers:  # a header repeated on each page
                rows.append(Row(start, cells))
                count.add(cells)
    except csv.Error as exc:
        raise UserError(_csv_error(path.name, reader.line_num, exc)) from None
    return Table(
        path.name,
        headers,
        rows,
        digest,
        encoding,
        delimiter,
        path.resolve().parent,
        header_line,
        notes,
    )


def _csv_error(name: str, line: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return tr(
            '{f}:{n}: valeur de plus de {m} caractères (guillemet " non refermé ?)',
            '{f}:{n}: value longer than {m} characters (unclosed " quote?)',
            f=name,
            n=line,
            m=csv.field_size_limit(),
        )
    return tr(
        "{f}:{n}: ligne CSV illisible ({e})", "{f}:{n}: unreadable CSV line ({e})",
        f=name, n=line, e=exc,
    )  # fmt: skip


_ODS_MIME = b"application/vnd.oasis.opendocument"


def _read_xlsx(
    data: bytes, name: str, recognise: Callable[[str], bool]
) -> tuple[int, list[str], list[Row]]:
    """(header row, header, rows) of the sheet whose header holds the most known column names
    (the first sheet on a tie); cells keep their types (date, number). A formula without a
    computed value (a file written by a program, never opened in Excel) is noted on its row."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if _ODS_MIME in data[:100]:
        raise UserError(
            tr(
                "{f} : classeur OpenDocument (.ods) non pris en charge :"
                " enregistrez en .xlsx ou .csv",
                "{f}: OpenDocument spreadsheets (.ods) are not supported: save as .xlsx or .csv",
                f=name,
            )
        )
    has_formulas = check_xlsx(data, name)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = has_formulas and load_workbook(io.BytesIO(data), read_only=True)
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
        index, header_line = _find_sheet_header(workbook.worksheets, recognise)
        if header_line == 0:
            raise UserError(tr("{f} : classeur vide", "{f}: empty workbook", f=name))
        sheet = workbook.worksheets[index]
        source = sheet.iter_rows(min_row=header_line, values_only=True)
        written = (
            formulas.worksheets[index].iter_rows(min_row=header_line, values_only=True)
            if formulas
            else None
        )
        headers: list[str] = []
        rows: list[Row] = []
        count = _Count(name)
        for number, values in enumerate(source, start=header_line):
            raw = next(written, ()) if written is not None else ()
            cells = [v.strip() if isinstance(v, str) else v for v in values]
            if number == header_line:
                headers = ["" if c is None else str(c).strip() for c in cells]
                continue
            if all(c is None or c == "" for c in cells) or cells == headers:
                continue
            missing = {
                i: f for i, f in enumerate(raw) if isinstance(f, str) and f.startswith("=")
                and i < len(cells) and cells[i] is None
            }  # fmt: skip
            rows.append(Row(number, cells, missing or None))
            count.add(cells)
    finally:
        workbook.close()
        if formulas:
            formulas.close()
    problems = [
        f"{name}:{row.line}: {problem}"
        for row in rows
        for cell in row.cells
        if isinstance(cell, str) and (problem := garbage_in(cell))
    ]
    if problems:
        raise ImportRejected(name, problems)
    return header_line, headers, rows


_FORMULA = re.compile(rb"<f[ >]")
_CHUNK = 1024 * 1024


def check_xlsx(data: bytes, name: str) -> bool:
    """Refuse a workbook that unpacks to more than MAX_XLSX_UNPACKED (a zip bomb: 1.5 MB of
    spaces unpacking to gigabytes) or whose text holds a run longer than MAX_FIELD_CHARS,
    reading each part in chunks (never a whole part in memory). Returns whether a worksheet
    holds a formula."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UserError(
            tr("{f} : classeur Excel illisible ({e})", "{f}: unreadable Excel workbook ({e})",
               f=name, e=exc)
        ) from None  # fmt: skip
    with archive:
        parts = archive.infolist()
        declared = sum(info.file_size for info in parts)
        if len(parts) > MAX_XLSX_PARTS or declared > MAX_XLSX_UNPACKED:
            raise _unpacked_too_big(name, declared)
        strings = sum(i.file_size for i in parts if i.filename.endswith("sharedStrings.xml"))
        if strings > MAX_XLSX_STRINGS:
            raise _unpacked_too_big(name, strings, MAX_XLSX_STRINGS)
        has_formulas, total = False, 0
        for info in parts:
            if not info.filename.endswith(".xml"):
                continue
            sheet = info.filename.startswith("xl/worksheets/")
            tail = b""
            try:
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        total += len(chunk)
                        if total > MAX_XLSX_UNPACKED:
                            raise _unpacked_too_big(name, total)
                        window = tail + chunk
                        if _LONG_TEXT.search(window):
                            raise _cell_too_long(name, info.filename)
                        has_formulas = has_formulas or (sheet and bool(_FORMULA.search(window)))
                        tail = window[-_LONG_BYTES:]
            except (zipfile.BadZipFile, OSError, EOFError) as exc:  # bad CRC, truncated part
                raise UserError(
                    tr("{f} : classeur Excel abîmé ({e})", "{f}: damaged Excel workbook ({e})",
                       f=name, e=exc)
                ) from None  # fmt: skip
    return has_formulas


# A run of text (inside a cell or between elements) longer than a cell may be, in UTF-8 bytes.
# Anchored on a delimiter so that each run is scanned once (linear, whatever the content).
_LONG_BYTES = MAX_FIELD_CHARS * 4
_LONG_TEXT = re.compile(rb"(?:^|[<>])[^<>]{%d}" % _LONG_BYTES)


def _unpacked_too_big(name: str, size: int, cap: int = MAX_XLSX_UNPACKED) -> UserError:
    return UserError(
        tr(
            "{f} : classeur trop volumineux une fois décompressé ({s}, au plus {m}) :"
            " enregistrez-le en CSV ou découpez-le",
            "{f}: workbook too large once unpacked ({s}, at most {m}): save it as CSV or split it",
            f=name,
            s=human_size(size),
            m=human_size(cap),
        )
    )


def _cell_too_long(name: str, part: str) -> UserError:
    return UserError(
        tr(
            "{f} : texte de plus de {m} caractères dans {p} (cellule remplie d'espaces ?)",
            "{f}: text longer than {m} characters in {p} (a cell padded with spaces?)",
            f=name,
            m=MAX_FIELD_CHARS,
            p=part,
        )
    )


def _find_sheet_header(sheets: Sequence[Any], recognise: Callable[[str], bool]) -> tuple[int, int]:
    """(sheet index, header row number; 0 if every sheet is empty)."""
    best: tuple[int, int, int] = (-1, 0, 0)  # (score, -sheet, -row)
    first: tuple[int, int, int] | None = None
    for index, sheet in enumerate(sheets):
        seen = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            key = (header_score(values, recognise), -index, -number)
            first = first or key
            if key > best:
                best = key
            seen += 1
            if seen >= HEADER_SCAN:
                break
    if best[0] < MIN_HEADER_SCORE and first is not None:
        best = first
    return -best[1], -best[2]
