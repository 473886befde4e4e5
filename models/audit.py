"""The audit log: who changed what, when, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, UTCDateTime, utcnow


class AuditLog(Model):
    __tablename__ = "audit_log"
    # Admin reads it in the console; nobody edits or deletes it there.
    __console__ = {
        "label": "Audit log",
        "readonly": True,
        "list": ["at", "username", "action", "object_type", "object_id", "ip"],
        "search": ["username", "action", "object_type", "object_id"],
        "filters": ["action", "object_type", "at"],
    }
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"label": "Time"})
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    username: Mapped[str | None] = mapped_column(String(100), info={"label": "User"})
    action: Mapped[str] = mapped_column(String(40), info={"label": "Action", "labels": "audit_action"})
    object_type: Mapped[str] = mapped_column(String(60), info={"label": "Object type", "labels": "audit_object"})
    object_id: Mapped[str | None] = mapped_column(String(60), info={"label": "Object id"})
    before: Mapped[dict | None] = mapped_column(JSON, info={"label": "Before"})
    after: Mapped[dict | None] = mapped_column(JSON, info={"label": "After"})
    ip: Mapped[str | None] = mapped_column(String(45), info={"label": "IP address"})
    # The request's X-Request-ID (app/setup/request_log.py): the same id as the log lines of that request.
    request_id: Mapped[str | None] = mapped_column(String(64), info={"label": "Request id"})
