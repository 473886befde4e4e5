"""Write a register as an Excel workbook (.xlsx) in constant memory, whatever the number of rows.

Why XlsxWriter in `constant_memory` mode rather than openpyxl's write-only
mode: both keep one row in memory and spool the sheet to a temporary file, but
XlsxWriter is pure Python without dependencies (openpyxl pulls et-xmlfile),
actively maintained, writes cells without building a cell object each, and
can freeze the header row and set an autofilter in that mode. openpyxl, which
reads as well as writes, is what the tests open the file with.

What Excel set to Indonesian gets: identifiers (registration, certificate and
complaint numbers, NIK, NIP, phone numbers) as text cells, so a 16-digit NIK
never turns into 1,47E+15 and a leading zero or `+62` stays; a cell starting
with `=` is a string, never a formula. Dates and timestamps are real Excel
dates in the office's time zone (app.core.timezone.office_tz), counts and
scores are numbers, status labels are the vocabulary's (as in the CSV). The
header row is bold, frozen and carries an autofilter.

A zip file cannot be sent before it is finished, so the workbook is written to
an anonymous temporary file (the rows to XlsxWriter's own temporary file on the
way), then streamed back from disk: the process never holds the whole file.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter
from flask import Response, send_file
from flask_babel import gettext as _

from app.core.extensions import db
from app.core.timezone import office_tz
from app.registers.base import Filters, Register, RegisterError, _cell_writer, reader_sees_nik

CHUNK_ROWS = 2000
MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDTH_UNIT = 12  # Excel characters per unit of `Column.width` (the PDF's relative widths)

Writer = Callable[[int, int, Any], Any]  # (row, column, value): writes one cell


def write_xlsx(
    register: Register, filters: Filters, out: str | IO[bytes], *, reveal_nik: bool = False, max_rows: int = MAX_ROWS
) -> int:
    """Write the register to `out` (a path or a binary file); returns the number of rows.

    RegisterError when the register has more rows than an Excel sheet holds.
    `reveal_nik` (decided by the caller for the request's user) writes whole NIKs.
    """
    workbook = xlsxwriter.Workbook(
        out,
        {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "strings_to_numbers": False},
    )
    try:
        sheet = workbook.add_worksheet(_sheet_name(str(register.title)))
        head = workbook.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True})
        formats = {
            "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
            "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        }
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 7)
        for i, col in enumerate(register.columns, 1):
            sheet.set_column(i, i, max(col.width * WIDTH_UNIT, len(str(col.header)) + 2))
        sheet.write_row(0, 0, [_("No"), *register.headers()], head)
        writers = [(i, _xlsx_writer(sheet, col, formats, reveal_nik)) for i, col in enumerate(register.columns, 1)]
        number = 0
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
            result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(register.select(filters))
            write_number = sheet.write_number
            for part in result.partitions():
                if number + len(part) > max_rows:
                    raise RegisterError(
                        _(
                            "More than %(max)s rows do not fit in an Excel sheet. Narrow the filters or export CSV.",
                            max=max_rows,
                        )
                    )
                for row in part:
                    number += 1
                    write_number(number, 0, number)
                    for i, write in writers:
                        value = row[i - 1]
                        if value is not None:
                            write(number, i, value)
        sheet.autofilter(0, 0, max(number, 1), len(register.columns))
    finally:
        workbook.close()
    return number


def _xlsx_writer(sheet: Any, col: Any, formats: dict, reveal_nik: bool) -> Writer:
    """How one column's values become cells: text, number or Excel date, chosen once per export."""
    if col.kind == "int":
        return lambda r, c, v: sheet.write_number(r, c, v)
    if col.kind == "date":
        fmt = formats["date"]
        return lambda r, c, v: sheet.write_datetime(r, c, datetime.combine(v, datetime.min.time()), fmt)
    if col.kind == "datetime":
        fmt, tz = formats["datetime"], office_tz()
        # Excel has no time zones: the office's wall-clock time, as on the screens.
        return lambda r, c, v: sheet.write_datetime(r, c, v.astimezone(tz).replace(tzinfo=None), fmt)
    if col.kind in ("label", "flag", "nik"):
        # The PDF's writers: vocabulary labels, the NIK masked unless the reader sees it (no formula guard:
        # a string cell is never a formula).
        text = _cell_writer(col, "pdf", reveal_nik)
        return lambda r, c, v: sheet.write_string(r, c, text(v))
    # Identifiers and user text: always a string cell, whatever it looks like.
    return lambda r, c, v: sheet.write_string(r, c, v if isinstance(v, str) else _plain(v))


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sheet_name(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\\`."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Register"


def xlsx_response(register: Register, filters: Filters) -> Response:
    """The register as an .xlsx download, written to a temporary file and streamed back from it."""
    from app.registers.csv_export import export_filename

    # Not a `with`: the response streams the file and closes (so deletes) it when sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write_xlsx(register, filters, spool, reveal_nik=reader_sees_nik())
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = send_file(
        spool, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=export_filename(register, filters, "xlsx")
    )
    response.headers["Cache-Control"] = "no-store"
    return response
