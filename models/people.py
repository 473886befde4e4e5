"""Applicants, their institutions (schools) and the office's personnel."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, TimestampMixin


class Applicant(TimestampMixin, Model):
    __tablename__ = "applicant"
    __console__ = {
        "label": "Applicants",
        "list": ["nik", "name", "phone", "email"],
        "search": ["nik", "name", "phone", "email"],
        "capabilities": {"cases.register": ["list", "add", "edit"], "console.read": ["list"]},
        "lookups": {"user": "self_service_accounts"},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    # "check": the console refuses a malformed NIK like the counter does (app.core.nik).
    nik: Mapped[str] = mapped_column(String(16), unique=True, info={"label": "NIK", "check": "nik"})
    name: Mapped[str] = mapped_column(String(200), info={"label": "Name"})
    phone: Mapped[str | None] = mapped_column(String(20), info={"label": "Phone"})
    email: Mapped[str | None] = mapped_column(String(200), info={"label": "Email"})
    address: Mapped[str | None] = mapped_column(Text, info={"label": "Address"})
    # An applicant may also hold a login (role Pemohon) to follow their own cases.
    # Set only when a holder of `cases.register` confirms the person's identity
    # (app.cases.workflow.confirm_identity): a NIK is no secret, so typing one proves nothing.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), unique=True)
    user = relationship("User", foreign_keys=[user_id])
    # The self-service account that applied with this NIK and waits for that
    # confirmation: it reads only the cases it submitted itself meanwhile.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.nik})"


class Institution(TimestampMixin, Model):
    """The school (vocational school / institution) that runs the job exchange."""

    __tablename__ = "institution"
    __console__ = {
        "label": "Institutions",
        "list": ["name", "license_no", "address"],
        "search": ["name", "license_no"],
        "capabilities": {"cases.register": ["list", "add", "edit"], "console.read": ["list"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), info={"label": "Name"})
    address: Mapped[str | None] = mapped_column(Text, info={"label": "Address"})
    license_no: Mapped[str | None] = mapped_column(String(120), index=True, info={"label": "Operating licence no."})

    def __str__(self) -> str:
        return self.name


class Personnel(TimestampMixin, Model):
    """An officer's personnel record (Kepegawaian)."""

    __tablename__ = "personnel"
    __console__ = {
        "label": "Personnel",
        "list": ["nip", "name", "position", "rank", "education"],
        "search": ["nip", "name", "position"],
        "filters": ["education"],
        "capabilities": {"personnel": ["list", "add", "edit", "delete", "export"], "console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str | None] = mapped_column(String(18), unique=True, info={"label": "NIP"})
    name: Mapped[str] = mapped_column(String(200), info={"label": "Name"})
    position: Mapped[str | None] = mapped_column(String(200), info={"label": "Position"})
    rank: Mapped[str | None] = mapped_column(String(100), info={"label": "Rank / grade"})
    # SD, SMP, SMU, D3, S1, S2, S3: compared against each role's competency requirement.
    education: Mapped[str | None] = mapped_column(
        String(10), info={"label": "Education", "choices": ("SD", "SMP", "SMU", "D3", "S1", "S2", "S3")}
    )
    competencies: Mapped[str | None] = mapped_column(Text, info={"label": "Competencies / training"})
    # The officer's paraf on control cards; empty: the initials of their name
    # (app.cases.control_card.paraf keeps two officers on one card apart either way).
    paraf: Mapped[str | None] = mapped_column(String(20), info={"label": "Initials (paraf)"})
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), unique=True, info={"label": "User"})
    user = relationship("User")

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})" if self.nip else self.name
