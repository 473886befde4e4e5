"""A register's CSV rows written by PostgreSQL itself: `COPY (SELECT …) TO STDOUT`.

The Python path (csv_export.iter_csv) reads every row into Python, maps the
labels, guards formulas and hands the cells to the csv module: at a million
rows that is most of the time. Here the same cells are computed in the select
and PostgreSQL's CSV writer prints them, so Python only passes bytes along.

The output is byte-identical to the Python path (tests/registers/test_csv_copy.py
compares them), which takes care at four places where the two CSV writers differ:

- PostgreSQL quotes an empty string (`""`, to tell it from NULL) where Python's
  csv module writes nothing: every text cell is `NULLIF(…, '')`;
- PostgreSQL ends each line with `\\n`, Python with `\\r\\n`: the server sends one
  CopyData message per row, so the line end is swapped per message here
  (a newline inside a quoted cell is left as it is, as Python writes it);
- labels are the current request language's, sent as parameters of a CASE;
- the row number ("No") is `row_number()` over the register's own order.

Anything this module cannot print exactly like the Python writers (a column
kind or type it does not know, a database not in UTF-8) makes `copy_plan`
return None and the caller keeps the Python path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Boolean, Integer, String, func

from app.registers.base import FORMULA_START, Column, Filters, Register

# str.strip()'s whitespace (mask_nik strips it), for PostgreSQL's btrim: every
# character Python calls a space lies below U+3001.
PY_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# COPY sends rows as they come; they leave in chunks of about this many bytes.
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True)
class CopyPlan:
    """The COPY statement (psycopg `%(name)s` placeholders) and its parameters, bound client-side by psycopg."""

    sql: str
    params: dict[str, Any]


def copy_plan(register: Register, filters: Filters, dialect: Any, reveal_nik: bool, delimiter: str) -> CopyPlan | None:
    """The COPY of `register` under `filters`, or None when SQL cannot print some column as Python does."""
    from app.registers.csv_export import _as_text

    stmt = register.select(filters)
    cells = [func.row_number().over(order_by=register.order_by())]
    for col, spec in zip(stmt.selected_columns, register.columns, strict=True):
        cell = _cell(col, spec, reveal_nik, lambda c, kind: _as_text(c, kind, "postgresql"))
        if cell is None:
            return None
        cells.append(cell)
    select = stmt.with_only_columns(*cells, maintain_column_froms=True)
    compiled = select.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    if delimiter not in (",", ";"):
        return None  # csv_export.DELIMITERS: only these two are ever asked for
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER false, DELIMITER '{delimiter}')"
    return CopyPlan(sql, _bound_params(compiled))


def _bound_params(compiled: Any) -> dict[str, Any]:
    """The compiled select's parameters as the DBAPI would receive them (types' bind processors applied)."""
    raw = compiled.construct_params(escape_names=False)
    processors = compiled._bind_processors
    escaped = compiled.escaped_bind_names or {}
    out = {}
    for name, value in raw.items():
        process = processors.get(name)
        out[escaped.get(name, name)] = process(value) if callable(process) and value is not None else value
    return out


def _cell(col: Any, spec: Column, reveal_nik: bool, as_text: Any) -> Any:
    """The SQL printing one register column as base._cell_writer's "csv" style does; None if it cannot."""
    kind = spec.kind
    if kind in ("date", "datetime"):
        return as_text(col, kind)
    if kind == "int":
        # Python prints an int with str(); PostgreSQL's integer output is the same digits.
        return col if isinstance(col.type, Integer) and not isinstance(col.type, Boolean) else None
    if kind == "text":
        return _no_empty(col) if isinstance(col.type, String) else None
    if kind == "user_text":
        return _no_empty(_guarded(col)) if isinstance(col.type, String) else None
    if kind == "nik":
        if not isinstance(col.type, String):
            return None
        return _no_empty(_guarded(col) if reveal_nik else _masked_guarded(col))
    if kind in ("label", "flag"):
        return _labelled(col, spec.labels or {})
    return None


def _no_empty(expr: Any) -> Any:
    """An empty string as NULL: PostgreSQL would quote it (`""`), Python's csv writes nothing."""
    return func.nullif(expr, "")


def _guarded(expr: Any) -> Any:
    """A cell starting with = + - @ tab or CR gets a leading apostrophe (base._cell_writer's formula guard)."""
    first = func.left(expr, 1, type_=String)
    return sa.case((first.in_(FORMULA_START), sa.literal("'", String) + expr), else_=expr)


def _masked_guarded(expr: Any) -> Any:
    """`_guarded(mask_nik(v))` (app.cases.access.mask_nik) in SQL: first and last four characters, the rest starred.

    Written as one CASE: a short value is all stars (never a formula), a long
    one keeps its first character, so only that one is checked.
    """
    text = func.btrim(expr, PY_WHITESPACE, type_=String)
    length = func.char_length(text, type_=Integer)
    masked = (
        func.left(text, 4, type_=String)
        + func.repeat("*", length - 8, type_=String)
        + func.right(text, 4, type_=String)
    )
    return sa.case(
        (length <= 8, func.repeat("*", length, type_=String)),
        (func.left(text, 1, type_=String).in_(FORMULA_START), sa.literal("'", String) + masked),
        else_=masked,
    )


def _labelled(col: Any, labels: dict) -> Any:
    """`labels.get(v, v or "")` in the request's language, as a CASE over the stored values."""
    if labels and all(isinstance(k, bool) for k in labels):
        # A flag (the "Late" column): Python prints a missing True as "True", a missing False as "".
        yes = str(labels[True]) if True in labels else "True"
        no = str(labels[False]) if False in labels else None
        return _no_empty(sa.case((col.is_(True), sa.literal(yes)), (col.is_(False), sa.literal(no))))
    if not all(isinstance(k, str) for k in labels) or not isinstance(col.type, String):
        return None
    if not labels:
        return _no_empty(col)
    whens = {key: sa.literal(str(label)) for key, label in labels.items()}
    return _no_empty(sa.case(whens, value=col, else_=col))


def iter_copy(conn: Any, plan: CopyPlan, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The rows of `plan` as CSV byte chunks with `\\r\\n` line ends, streamed as the server sends them.

    `conn` is a SQLAlchemy connection on psycopg 3; stopping the iteration
    early cancels the COPY on the server (psycopg's Copy does it on exit).
    """
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        # The select is costed high (a million rows), so PostgreSQL would JIT-compile
        # its many small expressions: seconds of LLVM for microseconds of work per row
        # (5.5 s of 9 s at 200,000 rows, benchmarks/RESULTS.md). Off for this transaction only.
        cur.execute("SET LOCAL jit = off")
        yield from _copied(cur, plan, chunk_bytes)


def _copied(cur: Any, plan: CopyPlan, chunk_bytes: int) -> Iterator[bytes]:
    with cur.copy(plan.sql, plan.params) as copy:
        parts: list[Any] = []
        size = 0
        for row in copy:
            # One CopyData message per row, ending in "\n": swap it for Python's "\r\n".
            parts.append(row[:-1])
            size += len(row)
            if size >= chunk_bytes:
                parts.append(b"")
                yield b"\r\n".join(parts)
                parts, size = [], 0
        if parts:
            parts.append(b"")
            yield b"\r\n".join(parts)


def database_speaks_utf8(conn: Any) -> bool:
    """Whether the connection's client encoding is UTF-8, the bytes the Python path writes."""
    raw = conn.connection.driver_connection
    return str(getattr(raw.info, "encoding", "")).replace("-", "").lower() == "utf8"
