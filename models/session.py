"""Per-user session version: logout and every password change bump it.

A login stores the version in the Flask session and in the JWT (claim `sv`);
every request compares it with this row, so a cookie or token issued before
the bump is refused. A user without a row is at version 0.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model


class UserSessionVersion(Model):
    __tablename__ = "user_session_version"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
