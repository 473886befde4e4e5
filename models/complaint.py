"""The complaint book (Buku Pengaduan) and the record of its handling."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, utcnow

CHANNELS = ("letter", "suggestion_box", "email", "website", "telephone", "fax", "sms", "face_to_face", "web_form")
WEIGHTS = ("ringan", "sedang", "berat")
# The complaint book's statuses (app.complaints.book.STATUSES), for the console's labels.
STATUSES = ("received", "coordination", "handling", "review", "correction", "closed")


class Complaint(Model):
    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status_due", "status", "due_at"),)
    # The complaint book (app.complaints.book) is the only writer; the console reads
    # the handling record, while the complainant's contact details stay in the book.
    __console__ = {"label": "Complaint book", "readonly": True,
                   "list": ["number", "received_at", "channel", "weight", "service", "subject", "status", "due_at",
                            "replied_at", "closed_at"],
                   "search": ["number", "subject"],
                   "filters": ["service", "status", "channel", "weight", "received_at", "due_at"],
                   "hidden": ["complainant_phone", "complainant_email", "complainant_address"],
                   "capabilities": {"console.records": ["list", "export"]}}
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, info={"label": "Complaint no."})
    channel: Mapped[str] = mapped_column(String(20), info={"label": "Channel", "choices": CHANNELS})
    complainant_name: Mapped[str] = mapped_column(String(200), info={"label": "Complainant"})
    complainant_phone: Mapped[Optional[str]] = mapped_column(String(20))
    complainant_email: Mapped[Optional[str]] = mapped_column(String(200))
    complainant_address: Mapped[Optional[str]] = mapped_column(Text)
    weight: Mapped[Optional[str]] = mapped_column(String(10), info={"label": "Weight", "choices": WEIGHTS})
    subject: Mapped[str] = mapped_column(String(300), info={"label": "Subject"})
    description: Mapped[str] = mapped_column(Text, info={"label": "Description"})
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"), index=True, info={"label": "Case (id)"})
    service_id: Mapped[Optional[int]] = mapped_column(ForeignKey("service.id"), info={"label": "Service (id)"})
    status: Mapped[str] = mapped_column(String(20), default="received", info={"label": "Status", "choices": STATUSES})
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True,
                                                  info={"label": "Received at"})
    due_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), info={"label": "Due"})
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"),
                                                          info={"label": "Recorded by (user id)"})
    reply: Mapped[Optional[str]] = mapped_column(Text, info={"label": "Reply"})
    replied_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), info={"label": "Replied at"})
    replied_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"),
                                                         info={"label": "Replied by (user id)"})
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), info={"label": "Closed at"})
    case = relationship("Case")
    # Read-only: the complaint book sets service_id from the case it names.
    service = relationship("Service", viewonly=True)
    events: Mapped[list["ComplaintEvent"]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id")


class ComplaintEvent(Model):
    """Who did what with a complaint and when (sorting, coordination, reply, review)."""

    __tablename__ = "complaint_event"
    __console__ = {"label": "Complaint events", "readonly": True,
                   "list": ["complaint.number", "at", "actor", "action", "note"],
                   "search": ["actor", "action", "complaint.number"],
                   "filters": ["complaint", "action", "at"],
                   "capabilities": {"console.records": ["list", "export"]}}
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True, info={"label": "Complaint (id)"})
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, info={"label": "Time"})
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), info={"label": "User (id)"})
    actor: Mapped[Optional[str]] = mapped_column(String(200), info={"label": "Officer"})
    action: Mapped[str] = mapped_column(String(40), info={"label": "Action"})
    note: Mapped[Optional[str]] = mapped_column(Text, info={"label": "Note"})
    complaint: Mapped[Complaint] = relationship(back_populates="events")
