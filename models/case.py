"""Cases (applications) and everything recorded while they move through the SOP."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow

CASE_STATUSES = ("in_progress", "returned", "completed", "handed_over", "rejected", "cancelled")
OPEN_STATUSES = ("in_progress", "returned", "completed")


class Case(Model):
    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_status_step", "status", "current_step_no"),
        Index("ix_case_service_received", "service_id", "received_at"),
        Index("ix_case_status_due", "status", "step_due_at"),
        # Register order and date ranges (received_at, id): exports stream without sorting the table.
        Index("ix_case_received", "received_at", "id"),
        # The all-cases list filtered by status (and a date range), newest first.
        Index("ix_case_status_received", "status", "received_at", "id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    registration_no: Mapped[str] = mapped_column(String(40), unique=True)
    # Hash of the key printed on the receipt; tracking needs number + key.
    tracking_key_hash: Mapped[Optional[str]] = mapped_column(String(128))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    institution_id: Mapped[Optional[int]] = mapped_column(ForeignKey("institution.id"), index=True)
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    current_step_no: Mapped[Optional[int]] = mapped_column(Integer)
    # Optimistic lock: every action names the version it saw; a stale one is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    step_received_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    step_due_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # The SLA clock stops while the case waits for the applicant.
    paused_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    paused_working_minutes: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    signed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    signed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[Optional[str]] = mapped_column(String(200))
    received_id_no: Mapped[Optional[str]] = mapped_column(String(60))
    handed_over_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    reminder_queued_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))

    service = relationship("Service")
    applicant = relationship("Applicant")
    institution = relationship("Institution")
    requirements: Mapped[list["CaseRequirement"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseRequirement.id"
    )
    control_card: Mapped[list["ControlCardEntry"]] = relationship(
        back_populates="case", order_by="ControlCardEntry.seq"
    )
    inspection_reports: Mapped[list["InspectionReport"]] = relationship(
        back_populates="case", order_by="InspectionReport.id"
    )
    certificate: Mapped[Optional["Certificate"]] = relationship(back_populates="case", uselist=False)

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.registration_no


# The worklist's order over the open cases only (a third of the table at most):
# due time with nulls last (PostgreSQL's ascending order; SQLite walks the index
# and then its nulls), then id, with the columns it filters on, so the first page
# is read off the index in order. Queries must repeat the WHERE with literal
# values: SQLite proves a partial index usable only against literals.
Index(
    "ix_case_open_due",
    Case.step_due_at, Case.id, Case.service_id, Case.current_step_no, Case.status,
    sqlite_where=Case.status.in_(OPEN_STATUSES), postgresql_where=Case.status.in_(OPEN_STATUSES),
)


class CaseRequirement(Model):
    """One line of a case's requirements checklist."""

    __tablename__ = "case_requirement"
    __table_args__ = (UniqueConstraint("case_id", "requirement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    checked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    note: Mapped[Optional[str]] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="requirements")
    requirement = relationship("Requirement")
    scans: Mapped[list["RequirementScan"]] = relationship(
        back_populates="case_requirement", order_by="RequirementScan.id"
    )


class RequirementScan(Model):
    """An uploaded scan; kept forever (a new upload adds a row, never overwrites)."""

    __tablename__ = "requirement_scan"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_requirement_id: Mapped[int] = mapped_column(ForeignKey("case_requirement.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    case_requirement: Mapped[CaseRequirement] = relationship(back_populates="scans")


class ControlCardEntry(Model):
    """One row of the control card (kartu kendali). Append-only, hash-chained."""

    __tablename__ = "control_card_entry"
    __table_args__ = (UniqueConstraint("case_id", "seq"),
                      Index("ix_card_officer_acted", "officer_id", "acted_at"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    step_no: Mapped[Optional[int]] = mapped_column(Integer)
    step_kind: Mapped[Optional[str]] = mapped_column(String(20))
    role: Mapped[Optional[str]] = mapped_column(String(120))
    officer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    officer_name: Mapped[Optional[str]] = mapped_column(String(200))
    officer_initial: Mapped[Optional[str]] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(20))  # forward | return | reject | cancel | ...
    note: Mapped[Optional[str]] = mapped_column(Text)
    standard_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    spent_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    case: Mapped[Case] = relationship(back_populates="control_card")


class InspectionReport(Model):
    """Berita Acara Pemeriksaan (BAP) of the technical team's field survey."""

    __tablename__ = "inspection_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str] = mapped_column(String(20))  # memenuhi | tidak_memenuhi
    team: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    case: Mapped[Case] = relationship(back_populates="inspection_reports")


class CertificateCounter(Model):
    """The last certificate sequence drawn per service and year (gap-less numbering)."""

    __tablename__ = "certificate_counter"
    __table_args__ = (UniqueConstraint("service_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    year: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Certificate(Model):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("service_id", "year", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(120), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    signer_name: Mapped[Optional[str]] = mapped_column(String(200))
    signer_nip: Mapped[Optional[str]] = mapped_column(String(18))
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[Optional[str]] = mapped_column(Text)
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    case: Mapped[Case] = relationship(back_populates="certificate")
