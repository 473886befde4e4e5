"""The community satisfaction survey (SKM, PermenPANRB 14/2017)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, UTCDateTime, utcnow
from models.vocabulary import Vocabulary

ELEMENTS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")


class SurveySource(Vocabulary):
    """Where a survey answer came from."""

    INVITED = "invited", _l("One-time link")
    PAPER = "paper", _l("Paper form")
    OPEN = "open", _l("Open public form (not counted in the official IKM)")


SOURCES = tuple(SurveySource)
# Answers the office can vouch for: one per handover (the one-time link) or a
# paper form an officer typed in. The open public form can be posted by anyone
# any number of times, so it is kept and shown apart, never in the official index.
SOURCES_OFFICIAL = (SurveySource.INVITED, SurveySource.PAPER)


class SurveyResponse(Model):
    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_survey_service_date", "service_id", "date"),)
    # Answers come from the survey forms only (app.survey.ikm). The case an online
    # answer came from is never shown: the answers are anonymous.
    __console__ = {
        "label": "Survey answers",
        "readonly": True,
        "list": ["date", "service", "source", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"],
        "search": ["suggestion", "occupation"],
        "filters": ["service", "source", "date", "education"],
        "hidden": ["case_id"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), info={"label": "Service (id)"})
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    date: Mapped[date] = mapped_column(Date, info={"label": "Date"})
    u1: Mapped[int] = mapped_column(SmallInteger, info={"label": "U1 Requirements"})
    u2: Mapped[int] = mapped_column(SmallInteger, info={"label": "U2 Procedure"})
    u3: Mapped[int] = mapped_column(SmallInteger, info={"label": "U3 Completion time"})
    u4: Mapped[int] = mapped_column(SmallInteger, info={"label": "U4 Fee"})
    u5: Mapped[int] = mapped_column(SmallInteger, info={"label": "U5 Product"})
    u6: Mapped[int] = mapped_column(SmallInteger, info={"label": "U6 Officers' competence"})
    u7: Mapped[int] = mapped_column(SmallInteger, info={"label": "U7 Officers' conduct"})
    u8: Mapped[int] = mapped_column(SmallInteger, info={"label": "U8 Complaint handling"})
    u9: Mapped[int] = mapped_column(SmallInteger, info={"label": "U9 Facilities"})
    sex: Mapped[str | None] = mapped_column(String(1), info={"label": "Sex"})
    age: Mapped[int | None] = mapped_column(Integer, info={"label": "Age"})
    education: Mapped[str | None] = mapped_column(String(10), info={"label": "Education"})
    occupation: Mapped[str | None] = mapped_column(String(60), info={"label": "Occupation"})
    # invited (the one-time link of a handover), paper (typed in by an officer),
    # open (the public form anyone may post): only SOURCES_OFFICIAL count in the IKM.
    source: Mapped[str] = mapped_column(
        String(10), default=SurveySource.PAPER.value, info={"label": "Source", "choices": SurveySource}
    )
    suggestion: Mapped[str | None] = mapped_column(Text, info={"label": "Suggestion"})
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Entered by (user id)"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Read-only, for the console's service column and filter.
    service = relationship("Service", viewonly=True)


class SurveyInvitation(Model):
    """A one-time link (and QR code) handed to the applicant at handover."""

    __tablename__ = "survey_invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyFollowUp(Model):
    """The follow-up plan for an element graded 'kurang baik' or worse."""

    __tablename__ = "survey_follow_up"
    # Recorded on the satisfaction-index report (surveys.follow_up); read-only here.
    __console__ = {
        "label": "Survey follow-up plans",
        "readonly": True,
        "list": ["service", "element", "period_from", "period_to", "nrr", "plan", "responsible", "target_date"],
        "search": ["plan", "responsible"],
        "filters": ["service", "element", "period_from", "target_date"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), info={"label": "Service (id)"})
    element: Mapped[str] = mapped_column(String(3), info={"label": "Element"})
    period_from: Mapped[date] = mapped_column(Date, info={"label": "Period from"})
    period_to: Mapped[date] = mapped_column(Date, info={"label": "Period to"})
    nrr: Mapped[float | None] = mapped_column(info={"label": "Average score (NRR)"})
    plan: Mapped[str] = mapped_column(Text, info={"label": "Follow-up plan"})
    responsible: Mapped[str | None] = mapped_column(String(200), info={"label": "Responsible"})
    target_date: Mapped[date | None] = mapped_column(Date, info={"label": "Target date"})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Created by (user id)"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Read-only, for the console's service column and filter.
    service = relationship("Service", viewonly=True)
