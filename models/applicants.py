"""Self-service applicant accounts: e-mail verification links and institution profiles.

Both belong to a login (ab_user). The applicant record itself (NIK, name, phone)
is models.people.Applicant: an online account only claims it until the counter
confirms the person's identity (app.cases.workflow.confirm_applicant_identity).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, TimestampMixin, UTCDateTime, utcnow


class EmailVerification(Model):
    """One verification link sent to a new account: stored hashed, used once, expiring."""

    __tablename__ = "email_verification"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    # sha256 of the random part of the link; the link itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InstitutionProfile(TimestampMixin, Model):
    """An institution (company, school) an applicant account keeps and reuses across applications."""

    __tablename__ = "institution_profile"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(Text)
    license_no: Mapped[str | None] = mapped_column(String(120))
