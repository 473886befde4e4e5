"""Small helpers of the outbox tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.core.extensions import db
from models import OutboxMessage


def soon() -> datetime:
    """A clock a minute ahead, so messages queued just now are due."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


def outbox() -> list[OutboxMessage]:
    """Every outbox row, fresh from the database, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
