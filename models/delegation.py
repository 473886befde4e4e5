"""Delegation to an acting official (Plt./Plh.): a role's step permissions for a date range.

The row is the grant itself: who acts (`acting_user_id`), for which role
(`role_id`, a FAB role that is an SOP executor column), as Plt. or Plh., on
which decree, from `start_date` to `end_date` inclusive (office dates). Nothing
schedules it: app.delegation.effective reads, at each request, the rows whose
window holds today's office date and that were not revoked.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, UTCDateTime, utcnow
from models.vocabulary import Vocabulary


class DelegationKind(Vocabulary):
    """Plt. (Pelaksana Tugas: the post is vacant or its holder is away for long) or
    Plh. (Pelaksana Harian: the holder is away for a short while)."""

    PLT = "plt", _l("Plt. (Pelaksana Tugas, acting official)")
    PLH = "plh", _l("Plh. (Pelaksana Harian, daily acting official)")


# The abbreviation printed before a title ("Plt. Kepala Dinas"): the same in every language.
ABBREVIATIONS = {DelegationKind.PLT.value: "Plt.", DelegationKind.PLH.value: "Plh."}

DECREE_NO_MAX = 100
REASON_MAX = 500


class Delegation(Model):
    __tablename__ = "delegation"
    __table_args__ = (Index("ix_delegation_acting_window", "acting_user_id", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("ab_role.id"), info={"label": "Role"})
    acting_user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Acting official"})
    kind: Mapped[str] = mapped_column(String(10), info={"label": "Kind", "choices": DelegationKind})
    decree_no: Mapped[str] = mapped_column(String(DECREE_NO_MAX), info={"label": "Decree number"})
    start_date: Mapped[date] = mapped_column(Date, info={"label": "From"})
    end_date: Mapped[date] = mapped_column(Date, info={"label": "Until"})
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Granted by"})
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Granted at"})
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Revoked at"})
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Revoked by"})
    revoke_reason: Mapped[str | None] = mapped_column(Text, info={"label": "Reason for revoking"})

    role: Mapped[Role] = relationship(Role, foreign_keys=[role_id])
    acting_user: Mapped[User] = relationship(User, foreign_keys=[acting_user_id])
    granted_by: Mapped[User | None] = relationship(User, foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(User, foreign_keys=[revoked_by_id])

    @property
    def abbreviation(self) -> str:
        return ABBREVIATIONS.get(self.kind, self.kind)

    def state(self, today: date) -> str:
        """`revoked`, `future`, `active` or `ended` on the office date `today`."""
        if self.revoked_at is not None:
            return "revoked"
        if today < self.start_date:
            return "future"
        if today > self.end_date:
            return "ended"
        return "active"
