"""A long listing drawn as Rich draws a `Table` (heavy-head box, one space of padding, "…" where a
cell does not fit), line by line.

Rich's `Table` measures and renders every cell through its layout engine: 220 ms for the 305
drafts of the demo, most of `relance drafts`. Here each line is a join of cells padded to their
column's width, measured with Rich's own cell widths (`rich.cells`), so accents, wide (CJK)
characters and emoji keep the columns aligned. tests/unit/test_grid.py checks that the lines are
exactly those Rich's `Table` draws with the same widths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.control import strip_control_codes
from rich.text import Text

SHRINK_FLOOR = 8  # a column narrowed to fit the terminal keeps at least this many cells


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False  # numbers: aligned on the right
    min_width: int = 0
    max_width: int | None = None
    shrink: bool = False  # may be narrowed, to min_width or SHRINK_FLOOR, on a narrow terminal


def clean(value: str) -> str:
    """One line of printable text: a cell never breaks a row."""
    return strip_control_codes(value).replace("\n", " ").replace("\t", " ")


def fit(value: str, width: int, *, right: bool = False) -> str:
    """`value` in exactly `width` cells: padded, or cut with "…" as Rich's `overflow="ellipsis"`."""
    if cell_len(value) > width:
        value = set_cell_size(value, width - 1) + "…"
    pad = " " * (width - cell_len(value))
    return pad + value if right else value + pad


def _floor(column: Column) -> int:
    return max(column.min_width, SHRINK_FLOOR)


def widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], room: int) -> list[int]:
    """Each column's width (its widest cell within its bounds), narrowed to fit `room` cells
    (the terminal) by taking from the widest shrinkable columns first, never below their floor
    (then the table is wider than the terminal, as Rich's was)."""
    found = [cell_len(c.header) for c in columns]
    for row in rows:
        found = [max(w, cell_len(cell)) for w, cell in zip(found, row, strict=True)]
    out = []
    for w, column in zip(found, columns, strict=True):
        if column.max_width is not None:
            w = min(w, column.max_width)
        out.append(max(w, column.min_width))
    frame = 3 * len(columns) + 1  # the borders and one space each side of every cell
    while sum(out) + frame > room:
        narrowable = [i for i, c in enumerate(columns) if c.shrink and out[i] > _floor(c)]
        if not narrowable:
            break
        out[max(narrowable, key=lambda i: out[i])] -= 1
    return out


def draw(title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]], room: int) -> Text:
    """The table as one `Text`: the title (italic), the header (bold), one line per row."""
    rows = [[clean(cell) for cell in row] for row in rows]
    sizes = widths(columns, rows, room)

    def line(cells: Sequence[str], bar: str) -> str:
        return bar + bar.join(f" {cell} " for cell in cells) + bar

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (w + 2) for w in sizes) + right

    full = sum(sizes) + 3 * len(sizes) + 1
    head = line([fit(c.header, w, right=c.right) for c, w in zip(columns, sizes, strict=True)], "┃")
    body = "\n".join(
        line([fit(v, w, right=c.right) for v, c, w in zip(row, columns, sizes, strict=True)], "│")
        for row in rows
    )
    text = Text(fit(title, full) + "\n", style="italic", no_wrap=True, overflow="ignore")
    text.append(rule("┏", "━", "┳", "┓") + "\n")
    text.append(head, style="bold")
    text.append("\n" + rule("┡", "━", "╇", "┩") + "\n")
    if body:
        text.append(body + "\n")
    text.append(rule("└", "─", "┴", "┘"))
    return text
