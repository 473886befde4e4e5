"""Stream a register as CSV in constant memory, whatever the number of rows.

The select runs on a connection of its own with `stream_results` (a server-side
cursor on PostgreSQL; SQLite's cursor is lazy already) and `yield_per`, and the
rows leave as UTF-8 chunks of a few thousand lines each. The file opens with a
byte-order mark so Excel reads the Indonesian text as UTF-8.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Iterator

from flask import Response, stream_with_context
from flask_babel import gettext as _

from app.extensions import db

from .base import Filters, Register

BOM = "\ufeff"
CHUNK_ROWS = 2000


def iter_csv(register: Register, filters: Filters, chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The CSV file as byte chunks: BOM and header first, then one chunk per `chunk_rows` rows."""
    fmt = register.formatter("csv")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_("No"), *register.headers()])
    yield (BOM + buf.getvalue()).encode("utf-8")
    stmt = register.select(filters)
    number = 0
    with db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(stmt)
        for part in result.partitions():
            buf.seek(0)
            buf.truncate()
            lines = [fmt(row) for row in part]
            writer.writerows([n, *cells] for n, cells in enumerate(lines, number + 1))
            number += len(lines)
            yield buf.getvalue().encode("utf-8")


def export_filename(register: Register, filters: Filters, ext: str) -> str:
    """`register-cases-2026-01-01_2026-12-31.csv`: what was exported, readable in a folder."""
    span = "_".join(d.isoformat() for d in (filters.date_from, filters.date_to) if d) or date.today().isoformat()
    return f"register-{register.name}-{span}.{ext}"


def csv_response(register: Register, filters: Filters) -> Response:
    """A streamed download of the register; the request context stays open while it streams."""
    return Response(
        stream_with_context(iter_csv(register, filters)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{export_filename(register, filters, "csv")}"',
            "Cache-Control": "no-store",
        },
        content_type="text/csv; charset=utf-8",
    )
