"""The complaint book (Buku Pengaduan) and the record of its handling."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow

CHANNELS = ("letter", "suggestion_box", "email", "website", "telephone", "fax", "sms", "face_to_face", "web_form")
WEIGHTS = ("ringan", "sedang", "berat")


class Complaint(Model):
    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    complainant_name: Mapped[str] = mapped_column(String(200))
    complainant_phone: Mapped[Optional[str]] = mapped_column(String(20))
    complainant_email: Mapped[Optional[str]] = mapped_column(String(200))
    complainant_address: Mapped[Optional[str]] = mapped_column(Text)
    weight: Mapped[Optional[str]] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"), index=True)
    service_id: Mapped[Optional[int]] = mapped_column(ForeignKey("service.id"))
    status: Mapped[str] = mapped_column(String(20), default="received")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    due_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    reply: Mapped[Optional[str]] = mapped_column(Text)
    replied_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    replied_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    case = relationship("Case")
    events: Mapped[list["ComplaintEvent"]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id")


class ComplaintEvent(Model):
    """Who did what with a complaint and when (sorting, coordination, reply, review)."""

    __tablename__ = "complaint_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    actor: Mapped[Optional[str]] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[Optional[str]] = mapped_column(Text)
    complaint: Mapped[Complaint] = relationship(back_populates="events")
