"""The five registers the office keeps, each one select over the shared models."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import select

from app.registers.base import Column, Register
from models import (
    Applicant,
    Case,
    Certificate,
    Complaint,
    Institution,
    Personnel,
    Service,
    SurveyResponse,
)
from models.case import CASE_STATUSES, CaseStatus, CertificateStatus
from models.complaint import STATUSES as COMPLAINT_STATUSES
from models.complaint import ComplaintChannel, ComplaintStatus, ComplaintWeight
from models.survey import ELEMENTS, SOURCES, SOURCES_OFFICIAL, SurveySource


def _cases_select():
    from app.cases.lateness import late_clause

    return (
        select(
            Case.registration_no,
            Case.received_at,
            Service.code,
            Applicant.name,
            Applicant.nik,
            Institution.name,
            Case.status,
            Case.current_step_no,
            Case.due_at,
            Case.completed_at,
            late_clause(),
            Certificate.number,
        )
        .join(Service, Service.id == Case.service_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .outerjoin(Institution, Institution.id == Case.institution_id)
        .outerjoin(Certificate, Certificate.case_id == Case.id)
    )


LATE_LABELS = {True: _l("Yes"), False: _l("No (on time)")}

CASES = Register(
    name="cases",
    title=_l("Register of applications"),
    columns=[
        Column("registration_no", _l("Registration no."), width=1.3),
        Column("received_at", _l("Received at"), "datetime", 1.3),
        Column("service", _l("Service"), width=0.8),
        Column("applicant", _l("Applicant"), "user_text", 1.5),
        Column("nik", _l("NIK"), "nik", 1.2),
        Column("institution", _l("Institution"), "user_text", 1.8),
        Column("status", _l("Status"), "label", 1.0, labels=CaseStatus.labels()),
        Column("step", _l("Step"), "int", 0.5),
        Column("due_at", _l("Due"), "datetime", 1.3),
        Column("completed_at", _l("Completed at"), "datetime", 1.3),
        # app.cases.lateness: past due while the clock runs, or a late control-card row once it stopped.
        Column("late", _l("Late"), "flag", 0.7, labels=LATE_LABELS),
        Column("certificate_no", _l("Certificate no."), width=1.6),
    ],
    base_select=_cases_select,
    date_column=Case.received_at,
    order_by=lambda: [Case.received_at, Case.id],
    service_column=Case.service_id,
    status_column=Case.status,
    statuses=CASE_STATUSES,
    status_labels=CaseStatus.labels(),
)

_CERT_STATUS = sql_case(
    (Certificate.revoked_at.is_(None), CertificateStatus.VALID.value), else_=CertificateStatus.REVOKED.value
)

CERTIFICATES = Register(
    name="certificates",
    title=_l("Register of issued certificates"),
    columns=[
        Column("number", _l("Certificate no."), width=1.8),
        Column("issued_at", _l("Issued at"), "datetime", 1.3),
        Column("service", _l("Service"), width=0.8),
        Column("registration_no", _l("Registration no."), width=1.3),
        Column("applicant", _l("Applicant"), "user_text", 1.5),
        Column("institution", _l("Institution"), "user_text", 1.8),
        Column("signer", _l("Signed by"), "user_text", 1.4),
        Column("status", _l("Status"), "label", 0.8, labels=CertificateStatus.labels()),
    ],
    base_select=lambda: (
        select(
            Certificate.number,
            Certificate.issued_at,
            Service.code,
            Case.registration_no,
            Applicant.name,
            Institution.name,
            Certificate.signer_name,
            _CERT_STATUS,
        )
        .join(Case, Case.id == Certificate.case_id)
        .join(Service, Service.id == Certificate.service_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .outerjoin(Institution, Institution.id == Case.institution_id)
    ),
    date_column=Certificate.issued_at,
    order_by=lambda: [Certificate.issued_at, Certificate.id],
    service_column=Certificate.service_id,
    status_column=_CERT_STATUS,
    statuses=tuple(CertificateStatus),
    status_labels=CertificateStatus.labels(),
)

COMPLAINTS = Register(
    name="complaints",
    title=_l("Complaint book"),
    columns=[
        Column("number", _l("Complaint no."), width=1.2),
        Column("received_at", _l("Received at"), "datetime", 1.2),
        Column("complainant", _l("Complainant"), "user_text", 1.3),
        Column("phone", _l("Phone"), "user_text", 1.1),
        Column("email", _l("Email"), "user_text", 1.4),
        Column("address", _l("Address"), "user_text", 1.5),
        Column("channel", _l("Channel"), "label", 0.9, labels=ComplaintChannel.labels()),
        Column("weight", _l("Weight"), "label", 0.7, labels=ComplaintWeight.labels()),
        Column("subject", _l("Subject"), "user_text", 2.0),
        Column("status", _l("Status"), "label", 0.9, labels=ComplaintStatus.labels()),
        Column("due_at", _l("Due"), "datetime", 1.2),
    ],
    base_select=lambda: select(
        Complaint.number,
        Complaint.received_at,
        Complaint.complainant_name,
        Complaint.complainant_phone,
        Complaint.complainant_email,
        Complaint.complainant_address,
        Complaint.channel,
        Complaint.weight,
        Complaint.subject,
        Complaint.status,
        Complaint.due_at,
    ),
    date_column=Complaint.received_at,
    order_by=lambda: [Complaint.received_at, Complaint.id],
    service_column=Complaint.service_id,
    status_column=Complaint.status,
    statuses=COMPLAINT_STATUSES,
    status_labels=ComplaintStatus.labels(),
)

SURVEYS = Register(
    name="surveys",
    title=_l("Register of satisfaction survey answers"),
    columns=[
        Column("date", _l("Date"), "date", 1.2),
        Column("service", _l("Service"), width=0.8),
        *[Column(u, u.upper(), "int", 0.45, total="mean") for u in ELEMENTS],
        Column("sex", _l("Sex"), width=0.5),
        Column("age", _l("Age"), "int", 0.5),
        Column("education", _l("Education"), width=0.8),
        Column("occupation", _l("Occupation"), "user_text", 1.3),
        Column("source", _l("Source"), "label", 0.9, labels=SurveySource.labels()),
    ],
    base_select=lambda: select(
        SurveyResponse.date,
        Service.code,
        *[getattr(SurveyResponse, u) for u in ELEMENTS],
        SurveyResponse.sex,
        SurveyResponse.age,
        SurveyResponse.education,
        SurveyResponse.occupation,
        SurveyResponse.source,
    ).join(Service, Service.id == SurveyResponse.service_id),
    date_column=SurveyResponse.date,
    order_by=lambda: [SurveyResponse.date, SurveyResponse.id],
    service_column=SurveyResponse.service_id,
    # The official answers unless `status=open` asks for the open public form's
    # apart, so the averages on the totals row are the official index's.
    status_column=SurveyResponse.source,
    statuses=SOURCES,
    status_labels=SurveySource.labels(),
    default_statuses=SOURCES_OFFICIAL,
    default_note=_l(
        "Official IKM answers (one-time link and paper forms); open public form answers: export with status=open"
    ),
)


def _personnel_select():
    from flask_appbuilder.security.sqla.models import User

    return select(
        Personnel.nip,
        Personnel.name,
        Personnel.position,
        Personnel.rank,
        Personnel.education,
        Personnel.competencies,
        User.username,
    ).outerjoin(User, User.id == Personnel.user_id)


PERSONNEL = Register(
    name="personnel",
    title=_l("Register of personnel"),
    columns=[
        Column("nip", _l("NIP"), "user_text", 1.3),
        Column("name", _l("Name"), "user_text", 1.6),
        Column("position", _l("Position"), "user_text", 1.6),
        Column("rank", _l("Rank / grade"), "user_text", 1.1),
        Column("education", _l("Education"), width=0.7),
        Column("competencies", _l("Competencies / training"), "user_text", 2.6),
        Column("username", _l("User"), "user_text", 1.0),
    ],
    base_select=_personnel_select,
    date_column=Personnel.created_at,
    order_by=lambda: [Personnel.name, Personnel.id],
)

REGISTERS: dict[str, Register] = {r.name: r for r in (CASES, CERTIFICATES, COMPLAINTS, SURVEYS, PERSONNEL)}


def register_capability(name: str) -> str:
    """The capability that opens register `name` ("registers.cases", ...)."""
    return f"registers.{name}"
