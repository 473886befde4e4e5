"""The shared declarative base and small column helpers."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_appbuilder import Model
from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Timestamps are stored in UTC (timezone-aware); screens show Asia/Jakarta."""
    return datetime.now(timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


__all__ = ["Model", "TimestampMixin", "utcnow"]
