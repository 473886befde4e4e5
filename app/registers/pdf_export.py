"""Print a register as a landscape A4 PDF with ReportLab's platypus, directly.

Why not xhtml2pdf (the documents' engine): it lays an HTML table out again for
every page it splits, so its cost grows with the square of the rows. Here the
rows go into many small tables of CHUNK_ROWS rows that stack seamlessly, and the
column header is drawn by the page template, so it repeats on every page
without any table having to carry it. "Halaman x dari y" needs the page count,
so the canvas keeps each page until the end and numbers them on save.

User text reaches ReportLab only as plain table cells, drawn as-is and never
parsed, so ReportLab's markup (`<font color=...>`, `<img src=...>`) in a
complainant's name prints literally. A cell too wide for its column is wrapped
here, into lines joined by newlines that the table draws one under the other:
a Paragraph per wrapped cell (parsed, measured and split again on every page
break) cost more than the rest of the register together.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from flask import Response, current_app, send_file
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Frame, LongTable, PageTemplate, TableStyle
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.formatting import format_date, format_datetime
from app.office.definition import current_office
from app.registers.base import Filters, Register, RegisterError, accumulate, totals_row

CHUNK_ROWS = 200
MAX_ROWS = 50_000  # about 1,500 pages: beyond that the CSV is the useful export
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONT_SIZE, LEADING, PAD = 7, 8.5, 2
PAGE = landscape(A4)
MARGIN = 1.2 * cm
TITLE_BLOCK = 1.9 * cm
SYSTEM_FONTS = "/usr/share/fonts/truetype/dejavu"

BODY_STYLE = [
    ("FONT", (0, 0), (-1, -1), FONT, FONT_SIZE, LEADING),
    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), PAD),
    ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
    ("TOPPADDING", (0, 0), (-1, -1), 1),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
]
HEAD_STYLE = TableStyle(
    [
        *BODY_STYLE,
        ("FONT", (0, 0), (-1, -1), FONT_BOLD, FONT_SIZE, LEADING),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#e8eef5")),
    ]
)
TOTAL_STYLE = TableStyle(
    [
        *BODY_STYLE,
        ("FONT", (0, 0), (-1, -1), FONT_BOLD, FONT_SIZE, LEADING),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f3f3")),
    ]
)
BODY = TableStyle(BODY_STYLE)


def register_fonts() -> None:
    """DejaVu (full Latin and Indonesian glyphs), vendored under app/static/fonts when present."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    vendored = os.path.join(current_app.root_path, "static", "fonts")
    for name in (FONT, FONT_BOLD):
        path = os.path.join(vendored, f"{name}.ttf")
        if not os.path.exists(path):
            path = os.path.join(SYSTEM_FONTS, f"{name}.ttf")
        pdfmetrics.registerFont(TTFont(name, path))


def _numbered_canvas(footer: Callable[[Any, int, int], None]) -> type:
    """A canvas that holds its pages until save, then draws each page's footer with the total."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                footer(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def describe_filters(register: Register, filters: Filters) -> str:
    """One line naming the period, service and status the register was printed for."""
    parts = []
    if filters.date_from or filters.date_to:
        parts.append(
            _("Period: %(a)s to %(b)s", a=format_date(filters.date_from) or "…", b=format_date(filters.date_to) or "…")
        )
    if filters.service:
        parts.append(_("Service: %(s)s", s=filters.service))
    if filters.status:
        label = register.status_labels.get(filters.status)
        parts.append(_("Status: %(s)s", s=str(label or filters.status)))
    elif register.default_note:
        parts.append(str(register.default_note))
    return " · ".join(parts) or _("All rows")


class _Widths(dict):
    """Glyph advance widths (1/1000 em) by code point; unknown glyphs get the font's default."""

    def __init__(self, face: Any):
        super().__init__(face.charWidths)
        self.default = face.defaultWidth

    def __missing__(self, key: int) -> float:
        return self.default


class _Cells:
    """Turns printed strings into table cells: as they are when they fit, wrapped into lines when not.

    Measuring every cell is the hot loop of a long register, so widths come
    from a glyph table summed in C rather than ReportLab's per-character path.
    """

    def __init__(self) -> None:
        self.glyphs = {name: _Widths(pdfmetrics.getFont(name).face) for name in (FONT, FONT_BOLD)}
        self.room: list[float] = []

    def width(self, text: str, font: str = FONT) -> float:
        return sum(map(self.glyphs[font].__getitem__, map(ord, text))) * FONT_SIZE / 1000

    def fit(self, headers: list[str], sample: list[list[str]], flexible: list[bool], avail: float) -> list[float]:
        """Column widths for the page: what the first rows need, wrapping only the free-text columns."""
        slack = 2 * PAD + 1
        need = []
        for i, head in enumerate(headers):
            words = max((self.width(w, FONT_BOLD) for w in head.split()), default=0)
            longest = max((self.width(row[i]) for row in sample), default=0)
            need.append(max(words, longest, 12) + slack)
        total = sum(need)
        if total <= avail:
            widths = [w * avail / total for w in need]
        else:
            fixed = sum(w for w, f in zip(need, flexible, strict=False) if not f)
            flex = total - fixed
            room = avail - fixed
            if flex and room >= 45 * sum(flexible):
                widths = [w * room / flex if f else w for w, f in zip(need, flexible, strict=False)]
            else:
                widths = [w * avail / total for w in need]
        self.room = [w - slack for w in widths]
        return widths

    def row(self, values: list[str], font: str = FONT) -> list[str]:
        out = []
        for text, room in zip(values, self.room, strict=False):
            if "\n" not in text and self.width(text, font) <= room:
                out.append(text)
            else:
                out.append("\n".join(self.wrap(text, room, font)))
        return out

    def wrap(self, text: str, room: float, font: str = FONT) -> list[str]:
        """Greedy word wrap to `room` points; a word wider than the column is cut between letters."""
        lines: list[str] = []
        space = self.width(" ", font)
        for para in text.split("\n"):
            line, used = "", 0.0
            for word in para.split():
                w = self.width(word, font)
                if line and used + space + w <= room:
                    line, used = f"{line} {word}", used + space + w
                    continue
                if line:
                    lines.append(line)
                while w > room and len(word) > 1:
                    cut = self._cut(word, room, font)
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = self.width(word, font)
                line, used = word, w
            lines.append(line)
        return lines

    def _cut(self, word: str, room: float, font: str) -> int:
        """How many leading letters of `word` fit in `room` (at least one)."""
        widths = self.glyphs[font]
        used = 0.0
        for i, ch in enumerate(word):
            used += widths[ord(ch)] * FONT_SIZE / 1000
            if used > room:
                return max(i, 1)
        return len(word)


def write_pdf(register: Register, filters: Filters, out: BinaryIO, *, printed_by: str | None = None) -> int:
    """Write the register to `out`; returns the number of rows. RegisterError when it is too long to print."""
    stmt = register.select(filters)
    with db.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
        if n > MAX_ROWS:
            raise RegisterError(
                _(
                    "%(n)s rows are too many for a PDF (at most %(max)s). Narrow the filters or export CSV.",
                    n=n,
                    max=MAX_ROWS,
                )
            )
        register_fonts()
        width = PAGE[0] - 2 * MARGIN
        fmt = register.formatter("pdf")
        _idx, add = accumulate(register)
        sums: dict[int, float] = {}
        result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(stmt)
        parts = result.partitions()
        first_rows: Sequence[Any] = next(parts, [])
        for row in first_rows:
            add(row, sums)
        first = [[str(i), *fmt(r)] for i, r in enumerate(first_rows, 1)]
        headers = [_("No"), *register.headers()]
        cells = _Cells()
        # The number column must hold the last row's number, not only the first chunk's.
        sample = [*first, [str(n), *([""] * len(register.columns))]]
        widths = cells.fit(
            headers, sample, [False] + [c.kind in ("user_text", "label") for c in register.columns], width
        )
        head = LongTable([cells.row(headers, FONT_BOLD)], colWidths=widths, style=HEAD_STYLE)
        head_h = head.wrap(width, PAGE[1])[1]
        frame_top = PAGE[1] - MARGIN - TITLE_BLOCK - head_h
        story = []
        number = len(first)
        if first:
            story.append(LongTable([cells.row(r) for r in first], colWidths=widths, style=BODY))
        for part in parts:
            data = []
            for row in part:
                number += 1
                add(row, sums)
                data.append(cells.row([str(number), *fmt(row)]))
            story.append(LongTable(data, colWidths=widths, style=BODY))
    story.append(
        LongTable(
            [cells.row(["", *totals_row(register, number, sums)], FONT_BOLD)], colWidths=widths, style=TOTAL_STYLE
        )
    )

    title = str(register.title)
    office = current_office().name
    subtitle = describe_filters(register, filters)
    printed = _("Printed %(at)s", at=format_datetime(datetime.now(UTC)))
    if printed_by:
        printed += " · " + printed_by

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        top = PAGE[1] - MARGIN
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(MARGIN, top - 11, title)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, top - 24, office)
        canvas.drawString(MARGIN, top - 35, subtitle)
        canvas.drawRightString(PAGE[0] - MARGIN, top - 11, printed)
        head.drawOn(canvas, MARGIN, frame_top)
        canvas.restoreState()

    def footer(canvas: Any, page: int, pages: int) -> None:
        canvas.setFont(FONT, 7.5)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN * 0.6, _("Page %(x)s of %(y)s", x=page, y=pages))
        canvas.drawString(MARGIN, MARGIN * 0.6, title)

    frame = Frame(
        MARGIN,
        MARGIN,
        width,
        frame_top - MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="rows",
    )
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=office,
        creator="SP-Backoffice",
    )
    doc.addPageTemplates([PageTemplate(id="register", frames=[frame], onPage=on_page)])
    doc.build(story, canvasmaker=_numbered_canvas(footer))
    return number


def pdf_response(register: Register, filters: Filters, printed_by: str | None = None) -> Response:
    """The register as a PDF download; spooled to disk past a few megabytes."""
    from app.registers.csv_export import export_filename

    # Not a `with`: the response streams the file and closes it when sent.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_pdf(register, filters, cast(BinaryIO, spool), printed_by=printed_by)
    spool.seek(0)
    response = send_file(
        spool, mimetype="application/pdf", as_attachment=True, download_name=export_filename(register, filters, "pdf")
    )
    response.headers["Cache-Control"] = "no-store"
    return response
