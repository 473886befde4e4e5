"""The notification outbox: SMS, e-mail and letters waiting to be delivered."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, UTCDateTime, utcnow
from models.vocabulary import Vocabulary


class OutboxStatus(Vocabulary):
    """Where a message stands in the outbox (app.notify.outbox moves it)."""

    QUEUED = "queued", _l("Waiting to be sent")
    SENDING = "sending", _l("Being sent")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")


class OutboxChannel(Vocabulary):
    """How a message is delivered."""

    SMS = "sms", _l("SMS")
    EMAIL = "email", _l("Email")
    LETTER = "letter", _l("Letter")


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
    channel: Mapped[str] = mapped_column(String(10), info={"label": "Channel", "choices": OutboxChannel})
    recipient: Mapped[str] = mapped_column(String(300), info={"label": "Recipient"})
    subject: Mapped[str | None] = mapped_column(String(300), info={"label": "Subject"})
    body: Mapped[str] = mapped_column(Text, info={"label": "Message"})
    # Enqueuing twice for the same event is a no-op ('case-12-ready').
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True, info={"label": "Deduplication key"})
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True, info={"label": "Case"})
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint.id"), index=True, info={"label": "Complaint"}
    )
    status: Mapped[str] = mapped_column(String(10), default="queued", info={"label": "Status", "choices": OutboxStatus})
    attempts: Mapped[int] = mapped_column(Integer, default=0, info={"label": "Attempts"})
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Next attempt"})
    locked_by: Mapped[str | None] = mapped_column(String(120), info={"label": "Claimed by"})
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Claimed at"})
    last_error: Mapped[str | None] = mapped_column(Text, info={"label": "Last error"})
    provider_ref: Mapped[str | None] = mapped_column(String(200), info={"label": "Provider reference"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Queued at"})
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Sent at"})
