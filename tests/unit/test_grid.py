"""The drafts listing's table (`assistant.grid`) draws exactly what Rich's `Table` draws with the
same column widths: accents, wide (CJK) characters, emoji and names cut with "…" stay aligned."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from assistant.grid import Column, draw, widths

COLUMNS = (
    Column("#", right=True, min_width=3),
    Column("Client", max_width=24, shrink=True),
    Column("Étape", min_width=16, shrink=True),
    Column("Montant", right=True, min_width=12),
)
ROWS = [
    ("1", "Société Générale d'Équipement Électrique", "Pré-échéance", "4 950,00 €"),
    ("22", "東京スカイツリー株式会社 Tokyo", "Relance 1", "12,00 €"),
    ("333", "Café 🍰 Crème", "Appel (avis commercial)", "1 234 567,89 €"),
    ("4444", "Ōsaka ß Ça", "Mise en demeure", "0,00 €"),
    ("5", "[/] [link=https://evil.test]x", "Relance 2", "9,99 €"),
]


def _plain(renderable: object, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, highlight=False, markup=False).print(renderable, crop=False)
    return buffer.getvalue()


def _rich_table(title: str, sizes: list[int]) -> Table:
    table = Table(title=title, title_justify="left")
    for column, size in zip(COLUMNS, sizes, strict=True):
        table.add_column(
            column.header,
            justify="right" if column.right else "left",
            no_wrap=True,
            overflow="ellipsis",
            width=size,
        )
    for row in ROWS:
        table.add_row(*row)
    return table


def test_the_lines_are_those_rich_draws_with_the_same_widths() -> None:
    sizes = widths(COLUMNS, ROWS, room=200)
    assert sizes[1] == 24  # the longest name is cut at the column's maximum
    ours = _plain(draw("5 brouillon(s)", COLUMNS, ROWS, 200), 200)
    assert ours == _plain(_rich_table("5 brouillon(s)", sizes), 200)
    assert "Société Générale d'Équi…" in ours and "│ 東京スカイツリー株式会 … │" in ours
    lines = ours.splitlines()
    assert len({cell_len(line.rstrip()) for line in lines[1:]}) == 1  # every row as wide


def test_a_narrow_terminal_narrows_names_and_steps_first() -> None:
    wide = widths(COLUMNS, ROWS, room=200)
    narrow = widths(COLUMNS, ROWS, room=60)
    assert narrow[0] == wide[0] and narrow[3] == wide[3]  # ids and amounts are never cut
    assert sum(narrow) + 3 * len(COLUMNS) + 1 <= 60
    drawn = _plain(draw("t", COLUMNS, ROWS, 60), 60).splitlines()
    assert {cell_len(line) for line in drawn[1:]} == {sum(narrow) + 3 * len(COLUMNS) + 1}
    assert "│ 1 234 567,89 € │" in drawn[6] and "│ Société Géné… │" in drawn[4]
    assert "│ Appel (avis com… │" in drawn[6]  # the step keeps its minimum (16)


def test_names_keep_their_floor_even_if_the_table_is_wider_than_the_terminal() -> None:
    columns = (Column("Client", min_width=20, max_width=24, shrink=True), Column("n", min_width=30))
    rows = [("[link=https://evil.test]Cliquez ici[/link]", "x")]
    assert widths(columns, rows, room=40) == [20, 30]
    assert "[link=https://evil.…" in _plain(draw("t", columns, rows, 40), 40)


def test_a_cell_never_breaks_a_row() -> None:
    drawn = _plain(
        draw("t", COLUMNS, [("1", "Dupont\nSARL\tBis\x07", "Relance 1", "1,00 €")], 80), 80
    )
    assert len(drawn.splitlines()) == 6  # title, top, header, rule, one row, bottom
    assert "Dupont SARL Bis" in drawn
