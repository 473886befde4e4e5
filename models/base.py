"""The shared declarative base and small column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Timestamps are stored in UTC (timezone-aware); screens show the office's time zone."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp column: written and read as an aware UTC datetime on every database.

    The column itself is the plain `DateTime(timezone=True)` of the migrations:
    PostgreSQL keeps a `timestamptz` (returned in the session's zone, turned
    back into UTC here); SQLite keeps text without an offset, so the value is
    written as naive UTC wall-clock time and read back as UTC.

    A naive value is refused (ValueError), not guessed: the code base has met
    naive values meaning UTC (SQLite's read-back) and naive values meaning
    office time (a typed form date), and a wrong guess shifts the instant by the
    zone's offset without any error. Flask-Admin's console filters, which parse
    naive datetimes, attach the office zone first (views.console).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a timestamp must be a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} for a UTC timestamp column: give it a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: the UTC wall-clock text written above
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_literal_param(self, value: Any, dialect: Dialect) -> Any:
        return self.process_bind_param(value, dialect)

    @property
    def python_type(self) -> type:
        return datetime


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


__all__ = ["Model", "TimestampMixin", "UTCDateTime", "utcnow"]
