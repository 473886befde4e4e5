"""Stream a register as CSV in constant memory, whatever the number of rows.

The select runs on a connection of its own with `stream_results` (a server-side
cursor on PostgreSQL; SQLite's cursor is lazy already) and `yield_per`, and the
rows leave as UTF-8 chunks of a few thousand lines each. The file opens with a
byte-order mark so Excel reads the Indonesian text as UTF-8.

A million rows make every per-cell step count: the database writes dates and
times as text in office time itself (SQLite's `strftime`, PostgreSQL's
`to_char`), the same `2026-11-28 14:05` the Python writers print, so no
datetime object is built per cell; Python only maps status labels and guards
user text against Excel formulas.

On PostgreSQL even that leaves Python: app.registers.pg_copy puts labels,
NIK masking, the formula guard and the row number into the select and lets
`COPY … TO STDOUT` write the CSV (byte for byte the same file). The Python
path stays for SQLite, for what COPY cannot print, and when
`REGISTER_CSV_COPY = False` in the config (or `use_copy=False`) forces it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from flask import Response, current_app, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func

from app.core.extensions import db
from app.core.timezone import office_tz, sqlite_local_shift
from app.registers.base import Filters, Register, RegisterError, _cell_writer, reader_sees_nik

BOM = "\ufeff"
CHUNK_ROWS = 2000
# `sep=semicolon` (or `delimiter=;`): Excel set to Indonesian reads `;` as the field separator.
DELIMITERS = {"comma": ",", ",": ",", "semicolon": ";", ";": ";"}


def csv_delimiter(args: Any) -> str:
    """The field separator asked for by `sep` or `delimiter` in a query string: `,` unless `;` is asked."""
    raw = (args.get("sep") or args.get("delimiter") or "comma").strip()
    if raw not in DELIMITERS:
        raise RegisterError(_l("The separator must be comma or semicolon."))
    return DELIMITERS[raw]


def iter_csv(
    register: Register,
    filters: Filters,
    chunk_rows: int = CHUNK_ROWS,
    reveal_nik: bool = False,
    delimiter: str = ",",
    use_copy: bool | None = None,
) -> Iterator[bytes]:
    """The CSV file as byte chunks: BOM and header first, then one chunk per `chunk_rows` rows.

    `reveal_nik` (decided by the caller while the request's user is still loaded) prints whole NIKs.
    `use_copy`: None lets PostgreSQL write the rows with COPY where it can
    (unless the config says `REGISTER_CSV_COPY = False`); False forces the Python writer.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_("No"), *register.headers()])
    yield (BOM + buf.getvalue()).encode("utf-8")
    number = 0
    if use_copy is None:
        use_copy = bool(current_app.config.get("REGISTER_CSV_COPY", True))
    with db.engine.connect() as conn:
        if use_copy and conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
            from app.registers.pg_copy import copy_plan, database_speaks_utf8, iter_copy

            plan = copy_plan(register, filters, conn.dialect, reveal_nik, delimiter)
            if plan is not None and database_speaks_utf8(conn):
                yield from iter_copy(conn, plan)
                return
        if conn.dialect.name == "postgresql":
            # A server-side cursor is planned for its first 10% of rows (nested
            # loops); the export reads every row, so plan for all of them.
            conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
        stmt, writers = _csv_select(register, register.select(filters), conn.dialect.name, reveal_nik)
        result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(stmt)
        for part in result.partitions():
            buf.seek(0)
            buf.truncate()
            lines = [[n, *row] for n, row in enumerate(part, number + 1)]
            number += len(lines)
            for i, write in writers:
                for line in lines:
                    line[i] = write(line[i])
            writer.writerows(lines)
            yield buf.getvalue().encode("utf-8")


def _csv_select(
    register: Register, stmt: Select, dialect: str, reveal_nik: bool = False
) -> tuple[Select, list[tuple[int, Callable]]]:
    """The select with dates and times printed by the database, and the Python writers still needed.

    Writers are (line index, function): index 0 is the row number, so a
    register column i sits at i + 1.
    """
    columns, writers = [], []
    for i, (col, spec) in enumerate(zip(stmt.selected_columns, register.columns, strict=False)):
        as_text = _as_text(col, spec.kind, dialect) if spec.kind in ("date", "datetime") else None
        columns.append(col if as_text is None else as_text)
        if as_text is None and spec.kind not in ("text", "int"):
            writers.append((i + 1, _cell_writer(spec, "csv", reveal_nik)))
    return stmt.with_only_columns(*columns, maintain_column_froms=True), writers


def _as_text(col: Any, kind: str, dialect: str) -> Any:
    """`col` printed as CSV text by the database (`2026-11-28` or `2026-11-28 14:05` office time)."""
    if dialect == "sqlite":
        # SQLAlchemy keeps UTC timestamps as text without an offset.
        if kind == "datetime":
            return func.strftime("%Y-%m-%d %H:%M", col, sqlite_local_shift())
        return func.strftime("%Y-%m-%d", col)
    if dialect == "postgresql":
        if kind == "datetime":
            return func.to_char(func.timezone(office_tz().key, col), "YYYY-MM-DD HH24:MI")
        return func.to_char(col, "YYYY-MM-DD")
    return None  # another database: the Python writers format the value


def export_filename(register: Register, filters: Filters, ext: str) -> str:
    """`register-cases-2026-01-01_2026-12-31.csv`: what was exported, readable in a folder."""
    span = "_".join(d.isoformat() for d in (filters.date_from, filters.date_to) if d) or date.today().isoformat()
    return f"register-{register.name}-{span}.{ext}"


def csv_response(register: Register, filters: Filters, delimiter: str = ",") -> Response:
    """A streamed download of the register; the request context stays open while it streams."""
    return Response(
        stream_with_context(iter_csv(register, filters, reveal_nik=reader_sees_nik(), delimiter=delimiter)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{export_filename(register, filters, "csv")}"',
            "Cache-Control": "no-store",
        },
        content_type="text/csv; charset=utf-8",
    )
