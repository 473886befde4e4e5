"""Cases (applications) and everything recorded while they move through the SOP."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, UTCDateTime, utcnow
from models.service import STEP_KINDS
from models.vocabulary import Vocabulary


class CaseStatus(Vocabulary):
    """Where a case stands (DESIGN.md, case lifecycle); the one place its words are said."""

    IN_PROGRESS = "in_progress", _l("In progress")
    # Waiting for the applicant: the SLA clock stops.
    RETURNED = "returned", _l("Returned to the applicant")
    # Numbered and waiting at the handover step; the applicant is sent an SMS.
    COMPLETED = "completed", _l("Completed, ready for pick-up")
    HANDED_OVER = "handed_over", _l("Handed over")
    REJECTED = "rejected", _l("Rejected")
    CANCELLED = "cancelled", _l("Cancelled")


class CaseOutcome(Vocabulary):
    """What one action did to a case, as its control-card row records it."""

    FORWARD = "forward", _l("Forwarded")
    RETURN = "return", _l("Returned")
    REJECT = "reject", _l("Rejected")
    CANCEL = "cancel", _l("Cancelled")
    RESUBMIT = "resubmit", _l("Resubmitted")


class CertificateStatus(Vocabulary):
    """Whether an issued certificate is in force (derived from `revoked_at`, never stored)."""

    VALID = "valid", _l("Valid")
    REVOKED = "revoked", _l("Revoked")


# Plain strings (not members) where SQL renders them as literals: index DDL, literal_execute.
CASE_STATUSES = tuple(s.value for s in CaseStatus)
OPEN_STATUSES = tuple(s.value for s in (CaseStatus.IN_PROGRESS, CaseStatus.RETURNED, CaseStatus.COMPLETED))


class Case(Model):
    __tablename__ = "case"
    # The case engine is the only writer: the console reads the cases (never
    # the tracking-key hash, the form's answers or the collector's ID number).
    __console__ = {
        "label": "Case files",
        "readonly": True,
        "list": [
            "registration_no",
            "service",
            "applicant.name",
            "status",
            "current_step_no",
            "received_at",
            "due_at",
            "closed_at",
        ],
        "search": ["registration_no"],
        "filters": ["service", "status", "received_at", "due_at", "closed_at"],
        "hidden": ["tracking_key_hash", "form_data", "received_id_no", "applicant"],
        "capabilities": {"console.records": ["list", "export"]},
    }
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
    registration_no: Mapped[str] = mapped_column(String(40), unique=True, info={"label": "Registration no."})
    # Hash of the key printed on the receipt; tracking needs number + key.
    tracking_key_hash: Mapped[str | None] = mapped_column(String(128))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True, info={"label": "Service (id)"})
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True, info={"label": "Applicant (id)"})
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id"), index=True, info={"label": "Institution (id)"}
    )
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(
        String(20), default=CaseStatus.IN_PROGRESS.value, info={"label": "Status", "choices": CaseStatus}
    )
    current_step_no: Mapped[int | None] = mapped_column(Integer, info={"label": "Current step"})
    # Optimistic lock: every action names the version it saw; a stale one is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, info={"label": "Version"})

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Received at"})
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Due"})
    step_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Step received at"})
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Step due"})
    # The SLA clock stops while the case waits for the applicant.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Paused since"})
    paused_working_minutes: Mapped[int] = mapped_column(Integer, default=0, info={"label": "Working minutes paused"})
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Completed at"})
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Closed at"})

    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Signed by (user id)"})
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Signed at"})
    received_by: Mapped[str | None] = mapped_column(String(200), info={"label": "Collected by"})
    received_id_no: Mapped[str | None] = mapped_column(String(60))
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Handed over at"})
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Reminder queued at"})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Created by (user id)"})

    service = relationship("Service")
    applicant = relationship("Applicant")
    institution = relationship("Institution")
    requirements: Mapped[list[CaseRequirement]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseRequirement.id"
    )
    control_card: Mapped[list[ControlCardEntry]] = relationship(back_populates="case", order_by="ControlCardEntry.seq")
    inspection_reports: Mapped[list[InspectionReport]] = relationship(
        back_populates="case", order_by="InspectionReport.id"
    )
    certificate: Mapped[Certificate | None] = relationship(back_populates="case", uselist=False)

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
    Case.step_due_at,
    Case.id,
    Case.service_id,
    Case.current_step_no,
    Case.status,
    sqlite_where=Case.status.in_(OPEN_STATUSES),
    postgresql_where=Case.status.in_(OPEN_STATUSES),
)


class CaseRequirement(Model):
    """One line of a case's requirements checklist."""

    __tablename__ = "case_requirement"
    __table_args__ = (UniqueConstraint("case_id", "requirement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="requirements")
    requirement = relationship("Requirement")
    # The current scans (read-only view): a removed or replaced scan stays in `all_scans`, on record.
    scans: Mapped[list[RequirementScan]] = relationship(
        primaryjoin="and_(CaseRequirement.id == RequirementScan.case_requirement_id, "
        "RequirementScan.removed_at.is_(None))",
        order_by="RequirementScan.id",
        viewonly=True,
    )
    all_scans: Mapped[list[RequirementScan]] = relationship(
        back_populates="case_requirement", order_by="RequirementScan.id"
    )


class RequirementScan(Model):
    """An uploaded scan; kept forever (a new upload adds a row, never overwrites).

    A wrong scan is removed by marking it (`removed_at`, `removed_by_id`): the row
    and the file stay, and only `CaseRequirement.scans` stops showing it.
    """

    __tablename__ = "requirement_scan"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_requirement_id: Mapped[int] = mapped_column(ForeignKey("case_requirement.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    case_requirement: Mapped[CaseRequirement] = relationship(back_populates="all_scans")


class ControlCardEntry(Model):
    """One row of the control card (kartu kendali). Append-only, hash-chained."""

    __tablename__ = "control_card_entry"
    # Written by the case engine only; the chain's hashes are never shown.
    __console__ = {
        "label": "Control card entries",
        "readonly": True,
        "list": [
            "case",
            "seq",
            "step_no",
            "step_kind",
            "role",
            "officer_name",
            "received_at",
            "acted_at",
            "outcome",
            "spent_minutes",
            "late",
        ],
        "search": ["officer_name", "role", "case.registration_no"],
        "filters": ["case", "step_kind", "outcome", "late", "acted_at"],
        "hidden": ["prev_hash", "hash"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    __table_args__ = (UniqueConstraint("case_id", "seq"), Index("ix_card_officer_acted", "officer_id", "acted_at"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True, info={"label": "Case (id)"})
    seq: Mapped[int] = mapped_column(Integer, info={"label": "Row"})
    step_no: Mapped[int | None] = mapped_column(Integer, info={"label": "Step"})
    step_kind: Mapped[str | None] = mapped_column(String(20), info={"label": "Step kind", "choices": STEP_KINDS})
    role: Mapped[str | None] = mapped_column(String(120), info={"label": "Role"})
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Officer (user id)"})
    officer_name: Mapped[str | None] = mapped_column(String(200), info={"label": "Officer"})
    officer_initial: Mapped[str | None] = mapped_column(String(20), info={"label": "Initials"})
    # The officer's NIP from their personnel record when they acted (None: no record).
    officer_nip: Mapped[str | None] = mapped_column(String(18), info={"label": "Officer's NIP"})
    # Set when the officer's right to act on the step came only from a delegation
    # (app.delegation): "Plt. Kepala Dinas". None: acting in their own role.
    acting_as: Mapped[str | None] = mapped_column(String(200), info={"label": "Acting as"})
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"label": "Received at"})
    acted_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"label": "Acted at"})
    # forward | return | reject | cancel | ...
    outcome: Mapped[str] = mapped_column(String(20), info={"label": "Outcome", "choices": CaseOutcome})
    note: Mapped[str | None] = mapped_column(Text, info={"label": "Note"})
    standard_minutes: Mapped[int | None] = mapped_column(Integer, info={"label": "Standard time (minutes)"})
    spent_minutes: Mapped[int | None] = mapped_column(Integer, info={"label": "Time taken (minutes)"})
    late: Mapped[bool] = mapped_column(Boolean, default=False, info={"label": "Late"})
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    case: Mapped[Case] = relationship(back_populates="control_card")


class InspectionReport(Model):
    """Berita Acara Pemeriksaan (BAP) of the technical team's field survey."""

    __tablename__ = "inspection_report"
    # Recorded at the inspection step of the case engine; read-only in the console.
    __console__ = {
        "label": "Field inspection reports",
        "readonly": True,
        "list": ["case", "date", "recommendation", "team"],
        "search": ["findings", "case.registration_no"],
        "filters": ["case", "recommendation", "date"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True, info={"label": "Case (id)"})
    date: Mapped[date] = mapped_column(Date, info={"label": "Date"})
    findings: Mapped[str] = mapped_column(Text, info={"label": "Findings"})
    recommendation: Mapped[str] = mapped_column(
        String(20), info={"label": "Recommendation", "choices": ("memenuhi", "tidak_memenuhi")}
    )
    team: Mapped[list] = mapped_column(JSON, default=list, info={"label": "Team"})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Created by (user id)"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    case: Mapped[Case] = relationship(back_populates="inspection_reports")


class CertificateCounter(Model):
    """The last sequence drawn per service, kind of number and year (gap-less numbering).

    `kind` is "certificate" for the product's number, else the numbered document's
    kind (DocumentNumber.kind): one counter mechanism for every number the office gives.
    """

    __tablename__ = "certificate_counter"
    __table_args__ = (UniqueConstraint("service_id", "kind", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    kind: Mapped[str] = mapped_column(String(30), default="certificate", server_default="certificate")
    year: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class DocumentNumber(Model):
    """The number of a case's numbered letter (surat tugas, BAP): drawn once, printed every time.

    One per case and kind (a case never gets a second one), unique per service,
    kind, year and sequence, drawn from CertificateCounter like certificate numbers.
    """

    __tablename__ = "document_number"
    __table_args__ = (UniqueConstraint("case_id", "kind"), UniqueConstraint("service_id", "kind", "year", "seq"))
    # Drawn by app.cases.numbering when the document is first issued; read-only.
    __console__ = {
        "label": "Document numbers",
        "readonly": True,
        "list": ["number", "kind", "case", "issued_at"],
        "search": ["number", "case.registration_no"],
        "filters": ["kind", "issued_at"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True, info={"label": "Case (id)"})
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), info={"label": "Service (id)"})
    # assignment_letter | bap (app.cases.numbering.DOCUMENT_KINDS)
    kind: Mapped[str] = mapped_column(String(30), info={"label": "Document"})
    year: Mapped[int] = mapped_column(Integer, info={"label": "Year"})
    seq: Mapped[int] = mapped_column(Integer, info={"label": "Sequence no."})
    number: Mapped[str] = mapped_column(String(120), unique=True, info={"label": "Number"})
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Issued at"})
    case: Mapped[Case] = relationship()


class Certificate(Model):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("service_id", "year", "seq"),)
    # Numbered and signed by the case engine; the verification token opens the
    # public check of the certificate and is never shown.
    __console__ = {
        "label": "Issued certificates",
        "readonly": True,
        "list": ["number", "service", "case", "issued_at", "signer_name", "revoked_at"],
        "search": ["number", "signer_name"],
        "filters": ["service", "issued_at", "revoked_at"],
        "hidden": ["verify_token", "signed_pdf_key"],
        "capabilities": {"console.records": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True, info={"label": "Case (id)"})
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), info={"label": "Service (id)"})
    year: Mapped[int] = mapped_column(Integer, info={"label": "Year"})
    seq: Mapped[int] = mapped_column(Integer, info={"label": "Sequence no."})
    number: Mapped[str] = mapped_column(String(120), unique=True, info={"label": "Certificate no."})
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"label": "Issued at"})
    signer_name: Mapped[str | None] = mapped_column(String(200), info={"label": "Signed by"})
    signer_nip: Mapped[str | None] = mapped_column(String(18), info={"label": "Signer's NIP"})
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Revoked at"})
    revoked_reason: Mapped[str | None] = mapped_column(Text, info={"label": "Reason for revocation"})
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), info={"label": "Revoked by (user id)"})
    # The electronically signed PDF (app.signing), kept in the scan storage: every download
    # serves these bytes; their SHA-256 is what the public check compares. None: not signed.
    signed_pdf_key: Mapped[str | None] = mapped_column(String(80), info={"label": "Signed file"})
    signed_pdf_sha256: Mapped[str | None] = mapped_column(
        String(64), unique=True, info={"label": "Signed file SHA-256"}
    )
    signed_pdf_size: Mapped[int | None] = mapped_column(Integer, info={"label": "Signed file size"})
    signed_pdf_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"label": "Signed electronically at"})
    case: Mapped[Case] = relationship(back_populates="certificate")
    # Read-only: the service is set from the case when the number is drawn.
    service = relationship("Service", viewonly=True)

    @property
    def status(self) -> CertificateStatus:
        """In force until revoked (the certificates register computes the same in SQL)."""
        return CertificateStatus.VALID if self.revoked_at is None else CertificateStatus.REVOKED
