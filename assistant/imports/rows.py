"""Row access with error collection: every problem of every row, as `file:line: column: what`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from assistant.errors import ImportRejected
from assistant.i18n import tr
from assistant.imports.columns import ColumnMap, fold
from assistant.imports.reader import Row, Table

T = TypeVar("T")


class Problems:
    """The problems found in one file, and which lines are bad."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self._found: list[tuple[int, str]] = []
        self.bad_lines: set[int] = set()

    def add(self, line: int, column: str | None, message: str) -> None:
        where = f"{self.file_name}:{line}: " + (f"{column}: " if column else "")
        self._found.append((line, where + message))
        self.bad_lines.add(line)

    @property
    def messages(self) -> list[str]:
        """Every problem, in file order (a row's problems in the order they were found)."""
        return [message for _, message in sorted(self._found, key=lambda item: item[0])]

    def __bool__(self) -> bool:
        return bool(self._found)

    def raise_if_any(self, rows_read: int) -> None:
        """All-or-nothing: any problem rejects the whole file, listing every one of them."""
        if self._found:
            raise RowsRejected(self.file_name, self.messages, rows_read, len(self.bad_lines))


class RowsRejected(ImportRejected):
    """ImportRejected that also says how many rows were read and how many were bad."""

    def __init__(self, path: str, problems: list[str], rows_read: int, rejected: int) -> None:
        super().__init__(path, problems)
        self.rows_read = rows_read
        self.rejected = rejected


class RowView:
    """One data row seen through the column map; parse errors go to `problems`."""

    def __init__(self, row: Row, columns: ColumnMap, problems: Problems) -> None:
        self.line = row.line
        self._cells = row.cells
        self._formulas = row.formulas
        self._columns = columns
        self._problems = problems
        self._failed: set[str] = set()
        self.ok = True

    def has(self, name: str) -> bool:
        return self._columns.has(name)

    def raw(self, name: str) -> Any:
        position = self._columns.positions.get(name)
        if position is None or position >= len(self._cells):
            return None
        return self._cells[position]

    def get(self, name: str, parser: Callable[[Any], T | None]) -> T | None:
        """The parsed cell, or None if empty/absent; a bad value is recorded, then None."""
        if name not in self._columns.positions:
            return None
        if self._formulas and (formula := self._formulas.get(self._columns.positions[name])):
            self.fail(
                name,
                tr(
                    "formule {f} sans valeur calculée (ouvrez et enregistrez le fichier"
                    " dans Excel, ou exportez en CSV)",
                    "formula {f} without a computed value (open and save the file in Excel,"
                    " or export as CSV)",
                    f=formula,
                ),
            )
            return None
        try:
            return parser(self.raw(name))
        except ValueError as exc:
            self.fail(name, str(exc))
            return None

    def require(self, name: str, parser: Callable[[Any], T | None]) -> T | None:
        """Like `get`, but an empty cell is a problem too."""
        value = self.get(name, parser)
        if value is None and name not in self._failed:  # a bad value is reported once
            self.fail(name, tr("valeur obligatoire manquante", "required value missing"))
        return value

    def has_failed(self, name: str) -> bool:
        return name in self._failed

    def fail(self, name: str | None, message: str) -> None:
        column = self._columns.header(name) if name in self._columns.positions else name
        self._problems.add(self.line, column, message)
        self._failed.add(name or "")
        self.ok = False


_TOTAL = re.compile(r"(sous )?(total|totaux|cumul)\b")
_TOTAL_INITIALS = frozenset("TtSsCc")


def split_totals(
    rows: Sequence[Row], columns: ColumnMap, required: Sequence[str]
) -> tuple[list[Row], list[int]]:
    """(data rows, lines of totals rows). A totals row ("Total", "Sous-total client",
    "Totaux") is one whose first value says so, whose key column (the first required one) is
    empty or holds that word, and which lacks another required value: a customer coded
    `TOTAL` or named "Total Energies" on a complete row is data, not a total."""
    key, others = (
        columns.positions.get(required[0]),
        [columns.positions[n] for n in required[1:] if n in columns.positions],
    )
    data: list[Row] = []
    totals: list[int] = []
    for row in rows:
        cells = row.cells
        first = next((i for i, c in enumerate(cells) if c is not None and str(c).strip()), None)
        if (
            first is not None
            and isinstance(cells[first], str)
            and cells[first].lstrip()[:1] in _TOTAL_INITIALS  # cheap test before folding
            and _TOTAL.match(fold(cells[first]))
            and (key is None or key == first or _empty(cells, key))
            and any(_empty(cells, position) for position in others)
        ):
            totals.append(row.line)
        else:
            data.append(row)
    return data, totals


def _empty(cells: Sequence[Any], position: int) -> bool:
    return position >= len(cells) or cells[position] is None or not str(cells[position]).strip()


# Set by `run.py` while an import runs with a progress display: (rows checked, rows).
ROW_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "row_progress", default=None
)


def iter_rows(
    table: Table, columns: ColumnMap, problems: Problems, rows: Sequence[Row] | None = None
) -> Iterator[RowView]:
    """Each data row (of `rows`, default all the table's rows); rows with more values than
    the header has columns are reported."""
    width = len(table.headers)
    chosen = table.rows if rows is None else rows
    progress, total = ROW_PROGRESS.get(), len(chosen)
    for done, row in enumerate(chosen):
        if progress is not None and done % 1000 == 0:
            progress(done, total + 1)
        view = RowView(row, columns, problems)
        extra = [c for c in row.cells[width:] if c not in (None, "")]
        if extra:
            view.fail(
                None,
                tr(
                    "{n} valeurs pour {m} colonnes (séparateur ou guillemets mal placés ?)",
                    "{n} values for {m} columns (wrong delimiter or quotes?)",
                    n=len(row.cells),
                    m=width,
                ),
            )
        yield view
    if progress is not None:
        progress(total, total + 1)  # the last step: writing, then the commit
