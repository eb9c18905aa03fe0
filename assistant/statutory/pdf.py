"""PDF documents (formal notice, litigation-file summary) with reportlab, from simple blocks.

Standard PDF fonts (Helvetica) with WinAnsi encoding: French accents, « », — and € are encoded
and come back out of text extraction; characters outside that set become "?" (babel's narrow
no-break space becomes a no-break space). Output is deterministic (`invariant`), so the same
facts give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)


def pdf_text(text: str) -> str:
    """Text the standard fonts can show: narrow spaces widened, anything else outside cp1252 '?'."""
    text = text.replace("\u202f", "\u00a0").replace("\u2009", " ")
    return text.encode("cp1252", "replace").decode("cp1252")


def _markup(text: str) -> str:
    return escape(pdf_text(text)).replace("\n", "<br/>")


@dataclass
class Doc:
    """A document as a list of blocks, rendered top to bottom."""

    title: str
    author: str = ""
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str) -> Doc:
        self.blocks.append(("heading", text))
        return self

    def para(self, text: str, *, bold: bool = False, right: bool = False) -> Doc:
        self.blocks.append(("bold" if bold else "right" if right else "para", text))
        return self

    def small(self, text: str) -> Doc:
        self.blocks.append(("small", text))
        return self

    def text(self, text: str) -> Doc:
        """Several paragraphs separated by blank lines (a letter's body)."""
        for chunk in text.split("\n\n"):
            if chunk.strip():
                self.para(chunk.strip("\n"))
        return self

    def columns(self, left: Sequence[str], right: Sequence[str]) -> Doc:
        self.blocks.append(("columns", (list(left), list(right))))
        return self

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 99
    ) -> Doc:
        self.blocks.append(("table", (list(header), [list(r) for r in rows], numeric_from)))
        return self

    def space(self, height_mm: float = 4) -> Doc:
        self.blocks.append(("space", height_mm))
        return self


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()["Normal"]
    normal = ParagraphStyle("n", parent=base, fontName="Helvetica", fontSize=10, leading=13.5)
    return {
        "para": ParagraphStyle("p", parent=normal, spaceAfter=6),
        "bold": ParagraphStyle("b", parent=normal, fontName="Helvetica-Bold", spaceAfter=6),
        "right": ParagraphStyle("r", parent=normal, alignment=TA_RIGHT, spaceAfter=6),
        "small": ParagraphStyle("s", parent=normal, fontSize=8, leading=10, spaceAfter=4),
        "heading": ParagraphStyle(
            "h",
            parent=normal,
            fontName="Helvetica-Bold",
            fontSize=11.5,
            leading=15,
            spaceBefore=8,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle("c", parent=normal, fontSize=8, leading=10),
        "cell_right": ParagraphStyle(
            "cr", parent=normal, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
    }


def render(doc: Doc) -> bytes:
    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=pdf_text(doc.title),
        author=pdf_text(doc.author),
        invariant=1,
    )
    styles = _styles()
    width = A4[0] - 40 * mm
    story: list[Flowable] = []
    heading: Paragraph | None = None  # kept on the page of the table that follows it
    for kind, value in doc.blocks:
        if heading is not None and kind != "table":
            story.append(heading)
            heading = None
        if kind == "space":
            story.append(Spacer(1, float(value) * mm))  # type: ignore[arg-type]
        elif kind == "columns":
            left, right = value  # type: ignore[misc]
            cells = [
                [
                    Paragraph(_markup("\n".join(left)), styles["para"]),
                    Paragraph(_markup("\n".join(right)), styles["para"]),
                ]
            ]
            table = Table(cells, colWidths=[width * 0.55, width * 0.45])
            table.setStyle(
                TableStyle(
                    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
                )
            )
            story.append(table)
        elif kind == "table":
            story.append(_table(value, styles, width, heading))  # type: ignore[arg-type]
            heading = None
        elif kind == "heading":
            heading = Paragraph(_markup(str(value)), styles[kind])
        else:
            story.append(Paragraph(_markup(str(value)), styles[kind]))
    if heading is not None:
        story.append(heading)
    template.build(story, onFirstPage=_footer(doc), onLaterPages=_footer(doc))
    return buf.getvalue()


def _table(
    value: tuple[list[str], list[list[str]], int],
    styles: dict[str, ParagraphStyle],
    width: float,
    heading: Paragraph | None = None,
) -> Flowable:
    header, rows, numeric_from = value

    def cell(text: str, col: int) -> Paragraph:
        style = styles["cell_right"] if col >= numeric_from else styles["cell"]
        return Paragraph(_markup(text), style)

    data = [[cell(h, i) for i, h in enumerate(header)]]
    data += [[cell(c, i) for i, c in enumerate(r)] for r in rows]
    # columns as wide as their longest text (within bounds), so numbers do not wrap
    longest = [
        min(max(len(str(x)) for x in [h, *(r[i] for r in rows)]), 60) + 2
        for i, h in enumerate(header)
    ]
    widths = [width * n / sum(longest) for n in longest]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9a9a9a")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    head = [heading] if heading is not None else []
    return KeepTogether([*head, table, Spacer(1, 3 * mm)])


def _footer(doc: Doc):  # type: ignore[no-untyped-def]
    def draw(canvas, template) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawRightString(
            A4[0] - 20 * mm, 10 * mm, f"{pdf_text(doc.title)} — {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    return draw
