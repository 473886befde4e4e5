"""The community satisfaction survey (SKM, PermenPANRB 14/2017)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, utcnow

ELEMENTS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")


class SurveyResponse(Model):
    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_survey_service_date", "service_id", "date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))
    date: Mapped[date] = mapped_column(Date)
    u1: Mapped[int] = mapped_column(SmallInteger)
    u2: Mapped[int] = mapped_column(SmallInteger)
    u3: Mapped[int] = mapped_column(SmallInteger)
    u4: Mapped[int] = mapped_column(SmallInteger)
    u5: Mapped[int] = mapped_column(SmallInteger)
    u6: Mapped[int] = mapped_column(SmallInteger)
    u7: Mapped[int] = mapped_column(SmallInteger)
    u8: Mapped[int] = mapped_column(SmallInteger)
    u9: Mapped[int] = mapped_column(SmallInteger)
    sex: Mapped[Optional[str]] = mapped_column(String(1))
    age: Mapped[Optional[int]] = mapped_column(Integer)
    education: Mapped[Optional[str]] = mapped_column(String(10))
    occupation: Mapped[Optional[str]] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(10), default="paper")  # paper | online
    suggestion: Mapped[Optional[str]] = mapped_column(Text)
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SurveyInvitation(Model):
    """A one-time link (and QR code) handed to the applicant at handover."""

    __tablename__ = "survey_invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class SurveyFollowUp(Model):
    """The follow-up plan for an element graded 'kurang baik' or worse."""

    __tablename__ = "survey_follow_up"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    element: Mapped[str] = mapped_column(String(3))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    nrr: Mapped[Optional[float]]
    plan: Mapped[str] = mapped_column(Text)
    responsible: Mapped[Optional[str]] = mapped_column(String(200))
    target_date: Mapped[Optional[date]] = mapped_column(Date)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
