"""The complaint book (Buku Pengaduan) and the record of its handling."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, UTCDateTime, utcnow
from models.vocabulary import Vocabulary


class ComplaintChannel(Vocabulary):
    """How a complaint came in (component 6, point a); the reply goes back the same way."""

    LETTER = "letter", _l("Letter")
    SUGGESTION_BOX = "suggestion_box", _l("Suggestion box")
    EMAIL = "email", _l("Email")
    WEBSITE = "website", _l("Website")
    TELEPHONE = "telephone", _l("Telephone")
    FAX = "fax", _l("Fax")
    SMS = "sms", _l("SMS")
    FACE_TO_FACE = "face_to_face", _l("Face to face")
    # The public web form only; officers record the other channels.
    WEB_FORM = "web_form", _l("Web form")


class ComplaintWeight(Vocabulary):
    """The weight set when a complaint is sorted (point j); None until then."""

    RINGAN = "ringan", _l("Light")
    SEDANG = "sedang", _l("Moderate")
    BERAT = "berat", _l("Serious")


# A complaint not sorted yet has no weight; screens and reports say so in these words.
UNSORTED_LABEL = _l("Not sorted yet")


class ComplaintStatus(Vocabulary):
    """The complaint book's status machine (app.complaints.book)."""

    RECEIVED = "received", _l("Received, not yet sorted")
    COORDINATION = "coordination", _l("Coordination")
    HANDLING = "handling", _l("Being handled")
    REVIEW = "review", _l("Under review by the Sekretaris")
    CORRECTION = "correction", _l("Being corrected")
    CLOSED = "closed", _l("Approved by the Sekretaris")


CHANNELS = tuple(ComplaintChannel)
WEIGHTS = tuple(ComplaintWeight)
STATUSES = tuple(ComplaintStatus)


def weight_label(weight: str | None, locale: str | None = None) -> str:
    """A complaint's weight in words, `Not yet sorted` before it is sorted."""
    if weight is not None:
        return ComplaintWeight.label_of(weight, locale)
    if locale is None:
        return str(UNSORTED_LABEL)
    with force_locale(locale):
        return str(UNSORTED_LABEL)


class Complaint(Model):
    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status_due", "status", "due_at"),)
    # The complaint book (app.complaints.book) is the only writer; the console reads
    # the handling record, while the complainant's contact details stay in the book.
    __console__ = {
        "label": "Complaint book",
        "readonly": True,
        "list": [
            "number",
            "received_at",
            "channel",
            "weight",
            "service",
            "subject",
            "status",
            "due_at",
            "replied_at",
            "closed_at",
        ],
        "search": ["number", "subject"],
        "filters": ["service", "status", "channel", "weight", "received_at", "due_at"],
        "hidden": ["complainant_phone", "complainant_email", "complainant_address"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, info={"label": "Complaint no."})
    channel: Mapped[str] = mapped_column(String(20), info={"label": "Channel", "choices": ComplaintChannel})
    complainant_name: Mapped[str] = mapped_column(String(200), info={"label": "Complainant"})
    complainant_phone: Mapped[str | None] = mapped_column(String(20))
    complainant_email: Mapped[str | None] = mapped_column(String(200))
    complainant_address: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[str | None] = mapped_column(String(10), info={"label": "Weight", "choices": ComplaintWeight})
    subject: Mapped[str] = mapped_column(String(300), info={"label": "Subject"})
    description: Mapped[str] = mapped_column(Text, info={"label": "Description"})
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True, info={"label": "Case (id)"})
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), info={"label": "Service (id)"})
    status: Mapped[str] = mapped_column(
        String(20), default=ComplaintStatus.RECEIVED.value, info={"label": "Status", "choices": ComplaintStatus}
    )
    received_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True, info={"label": "Received at"}
    )
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Due"})
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id"), info={"label": "Recorded by (user id)"}
    )
    reply: Mapped[str | None] = mapped_column(Text, info={"label": "Reply"})
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Replied at"})
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Replied by (user id)"})
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Closed at"})
    case = relationship("Case")
    # Read-only: the complaint book sets service_id from the case it names.
    service = relationship("Service", viewonly=True)
    events: Mapped[list[ComplaintEvent]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id")


class ComplaintEvent(Model):
    """Who did what with a complaint and when (sorting, coordination, reply, review)."""

    __tablename__ = "complaint_event"
    __console__ = {
        "label": "Complaint events",
        "readonly": True,
        "list": ["complaint.number", "at", "actor", "action", "note"],
        "search": ["actor", "action", "complaint.number"],
        "filters": ["complaint", "action", "at"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True, info={"label": "Complaint (id)"})
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Time"})
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "User (id)"})
    actor: Mapped[str | None] = mapped_column(String(200), info={"label": "Officer"})
    action: Mapped[str] = mapped_column(String(40), info={"label": "Action", "labels": "complaint_event"})
    note: Mapped[str | None] = mapped_column(Text, info={"label": "Note"})
    complaint: Mapped[Complaint] = relationship(back_populates="events")
