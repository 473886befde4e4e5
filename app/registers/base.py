"""What a register is: named columns over one SQLAlchemy Core select, plus filters.

A register never loads ORM objects: the select yields plain rows that the CSV
and PDF writers stream, so a million rows cost the same memory as a hundred.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from app.core.errors import DomainError
from app.core.extensions import appbuilder
from app.core.formatting import local_midnight, to_local

# Column kinds fix how a value is written: CSV wants machine-readable values
# Excel recognises, the PDF wants what a reader expects on paper.
SERVICE_CODE_RE = re.compile(r"^[A-Z0-9-]{1,40}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RegisterError(DomainError):
    """Bad filter input (app.core.errors); 400 unless said, message first: `RegisterError(message, status)`."""

    def __init__(self, message: Any, status: int = 400):
        super().__init__(status, message)


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # lazy msgid, English in code, Indonesian in the catalog
    kind: str = "text"
    width: float = 1.0  # relative width on the PDF page
    labels: dict | None = None  # value -> lazy label, for kinds "label" and "flag" (a short yes/no, never wrapped)
    total: str | None = None  # "mean" prints the column average on the totals row


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    service: str | None = None
    status: str | None = None

    def as_args(self) -> dict:
        """The query-string form (`from`, `to`, `service`, `status`), empty values left out."""
        out = {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "service": self.service,
            "status": self.status,
        }
        return {k: v for k, v in out.items() if v}


@dataclass
class Register:
    name: str
    title: Any
    columns: list[Column]
    base_select: Callable[[], Select]
    date_column: Any  # the column the from/to range applies to
    order_by: Callable[[], list]
    service_column: Any = None  # None: the register has no service filter
    status_column: Any = None
    statuses: tuple | None = None  # allowed status values; None with a status column: any slug
    status_labels: dict = field(default_factory=dict)
    # Rows shown when no status is asked for (None: every row), and the line the PDF prints then.
    default_statuses: tuple | None = None
    default_note: Any = None

    @property
    def permission_view(self) -> str:
        """The FAB view-menu of this register's ("can_export", ...) pair."""
        return f"Register {self.name}"

    def select(self, filters: Filters) -> Select:
        """The register's rows under `filters`, in register order."""
        stmt = self.base_select()
        col = self.date_column
        if filters.date_from:
            stmt = stmt.where(col >= _bound(col, filters.date_from))
        if filters.date_to:
            stmt = stmt.where(col < _bound(col, filters.date_to + timedelta(days=1)))
        if filters.service:
            from models import Service

            stmt = stmt.where(
                self.service_column == select(Service.id).where(Service.code == filters.service).scalar_subquery()
            )
        if filters.status:
            stmt = stmt.where(self.status_column == filters.status)
        elif self.default_statuses:
            stmt = stmt.where(self.status_column.in_(self.default_statuses))
        return stmt.order_by(*self.order_by())

    def count(self, filters: Filters) -> Select:
        return select(func.count()).select_from(self.select(filters).order_by(None).subquery())

    def parse_filters(self, args: Any) -> Filters:
        """Read `from`, `to`, `service`, `status` from a query string; RegisterError on bad input."""
        date_from = _parse_date(args.get("from"), _l("Start date"))
        date_to = _parse_date(args.get("to"), _l("End date"))
        if date_from and date_to and date_from > date_to:
            raise RegisterError(_l("The start date is after the end date."))
        service = (args.get("service") or "").strip() or None
        if service:
            if self.service_column is None:
                raise RegisterError(_l("This register cannot be filtered by service."))
            if not SERVICE_CODE_RE.match(service):
                raise RegisterError(_l("Unknown service code."))
        status = (args.get("status") or "").strip() or None
        if status:
            if self.status_column is None:
                raise RegisterError(_l("This register cannot be filtered by status."))
            allowed = self.statuses
            if (allowed and status not in allowed) or not re.match(r"^[a-z_]{1,20}$", status):
                raise RegisterError(_l("Unknown status."))
        return Filters(date_from, date_to, service, status)

    def formatter(self, style: str) -> Callable[[Any], list]:
        """A function from a select row to the printed cells (`style` is csv or pdf).

        CSV leaves plain text and numbers to the csv module (None becomes an
        empty cell) and converts only the columns that need it: a million rows
        make every per-cell call count.
        """
        writers = [
            (i, _cell_writer(c, style))
            for i, c in enumerate(self.columns)
            if style != "csv" or c.kind not in ("text", "int")
        ]

        def fmt(row: Any) -> list:
            cells = list(row)
            for i, write in writers:
                cells[i] = write(cells[i])
            return cells

        return fmt

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]


def _bound(col: Any, day: date) -> Any:
    """Midnight of `day` in the office time zone, for timestamp columns; the date itself otherwise."""
    if _is_datetime(col):
        return local_midnight(day)
    return day


def _is_datetime(col: Any) -> bool:
    from sqlalchemy import DateTime

    from models.base import UTCDateTime

    return isinstance(getattr(col, "type", None), (DateTime, UTCDateTime))


def _parse_date(raw: str | None, label: Any) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    from app.core.parsing import bounded_date

    day = bounded_date(raw)
    if day is None:
        raise RegisterError(_l("%(field)s must be a date written YYYY-MM-DD.", field=label))
    return day


def reader_sees_nik() -> bool:
    """Whether the reader of this request reads whole NIKs (the counter); decided before any streaming."""
    from app.cases.access import reveals_nik

    return reveals_nik(_reader())


def _cell_writer(col: Column, style: str, reveal_nik: bool | None = None) -> Callable[[Any], str]:
    """Per-kind writers, chosen once per export rather than once per cell."""
    csv = style == "csv"
    # On paper the dense register uses numeric dates (28/11/2026 14.05) so a
    # row stays on one line; the period line above it spells the months out.
    if col.kind == "date":
        return (lambda v: v.isoformat() if v else "") if csv else (lambda v: v.strftime("%d/%m/%Y") if v else "")
    if col.kind == "datetime":
        if csv:
            return _csv_datetime
        return lambda v: to_local(v).strftime("%d/%m/%Y %H.%M") if v else ""
    if col.kind == "int":
        return lambda v: "" if v is None else str(v)
    if col.kind in ("label", "flag"):
        labels = {k: str(v) for k, v in (col.labels or {}).items()}
        return lambda v: labels.get(v, v or "")
    if col.kind == "nik":
        # UU PDP: the whole NIK only for the counter (`cases.register`), decided
        # once per export for the reader of this request.
        from app.cases.access import mask_nik

        shown = (lambda v: v or "") if (reader_sees_nik() if reveal_nik is None else reveal_nik) else mask_nik
        if csv:
            # Typed in the console, so free text: a leading = + - @ stays text in Excel, masked or not.
            return lambda v: ("'" + shown(v)) if shown(v).startswith(FORMULA_START) else shown(v)
        return shown
    if col.kind == "user_text" and csv:
        # A cell starting with = + - @ is a formula to Excel: keep it text.
        return lambda v: ("'" + v) if v and v.startswith(FORMULA_START) else (v or "")
    return lambda v: "" if v is None else str(v)


def _reader() -> Any:
    """The user reading the register now (session or bearer token); None outside a request."""
    from flask import has_request_context

    if not has_request_context():
        return None
    return appbuilder().sm.current_user


def _csv_datetime(v: datetime | None) -> str:
    """`2026-11-28 14:05` in the office's time zone, which Excel reads as a date and time."""
    if not v:
        return ""
    return to_local(v).isoformat(" ", "minutes")[:16]


def totals_row(register: Register, rows_count: int, sums: dict[int, float]) -> list[str]:
    """The closing row: the number of rows, and column averages where a column asks for them."""
    out = [""] * len(register.columns)
    out[0] = str(_l("Total: %(n)s rows", n=f"{rows_count:,}".replace(",", ".")))
    for i, col in enumerate(register.columns):
        if col.total == "mean" and rows_count:
            out[i] = f"{sums.get(i, 0) / rows_count:.2f}".replace(".", ",")
    return out


def accumulate(register: Register) -> tuple[list[int], Callable[[Iterable, dict], None]]:
    """Indexes of columns that need a running sum, and the function adding a row to the sums."""
    idx = [i for i, c in enumerate(register.columns) if c.total == "mean"]

    def add(row: Any, sums: dict) -> None:
        for i in idx:
            sums[i] = sums.get(i, 0) + (row[i] or 0)

    return idx, add
