"""The notification outbox: SMS, e-mail and letters waiting to be delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, UTCDateTime, utcnow


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    __console__ = {
        "label": "Notification outbox",
        "readonly": True,
        "list": ["created_at", "channel", "recipient", "status", "attempts", "sent_at", "last_error"],
        "search": ["recipient", "dedupe_key"],
        "filters": ["channel", "status"],
    }
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), info={"label": "Channel"})  # sms | email | letter
    recipient: Mapped[str] = mapped_column(String(300), info={"label": "Recipient"})
    subject: Mapped[str | None] = mapped_column(String(300), info={"label": "Subject"})
    body: Mapped[str] = mapped_column(Text, info={"label": "Message"})
    # Enqueuing twice for the same event is a no-op ('case-12-ready').
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(10), default="queued", info={"label": "Status"}
    )  # queued | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, info={"label": "Attempts"})
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Next attempt"})
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, info={"label": "Last error"})
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Queued at"})
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Sent at"})
