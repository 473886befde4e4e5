"""Certificate and document numbers: gap-less per service, kind and year, unique under concurrency.

The counter row is incremented with one `UPDATE ... SET last_seq = last_seq + 1
RETURNING last_seq` inside the caller's transaction. That statement takes the
row lock on PostgreSQL (a concurrent caller waits and then sees the new value)
and the database write lock on SQLite, and both are held until the action
commits; if the action fails, the rollback returns the number, so no number is
ever burnt and none is given twice.

Numbered letters (surat tugas, BAP) draw from the same counters under their
own kind: `document_number` gives a case its one number of a kind the first
time the letter is issued and the same number on every later print.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.core.extensions import db
from app.core.timezone import office_tz
from models import Case, Certificate, CertificateCounter, DocumentNumber, Personnel, Service

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
CERTIFICATE = "certificate"
# The numbered letters of a case and their default formats; the office definition's
# `document_numbers` may set others ({code} is the service's code).
DEFAULT_DOCUMENT_FORMATS = {
    "assignment_letter": "{seq:03d}/ST/{code}/{year}",
    "bap": "{seq:03d}/BAP/{code}/{year}",
}
DOCUMENT_KINDS = tuple(DEFAULT_DOCUMENT_FORMATS)
NUMBER_PLACEHOLDERS = ("seq", "code", "year", "month", "month_roman")


class NumberingError(RuntimeError):
    """The case cannot be given a certificate number."""


def format_number(number_format: str, seq: int, when: datetime, code: str = "") -> str:
    """Fill {seq[:fmt]}, {code}, {year}, {month}, {month_roman} (office time zone)."""
    local = when.astimezone(office_tz())
    return number_format.format(
        seq=seq, code=code, year=local.year, month=f"{local.month:02d}", month_roman=ROMAN_MONTHS[local.month - 1]
    )


def _ensure_counter(service_id: int, kind: str, year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(CertificateCounter)
        .values(service_id=service_id, kind=kind, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["service_id", "kind", "year"])
    )


def _draw(service: Service, kind: str, year: int) -> int:
    """The next sequence of (service, kind, year), in the caller's transaction (see the module doc)."""
    _ensure_counter(service.id, kind, year)
    return db.session.execute(
        update(CertificateCounter)
        .where(
            CertificateCounter.service_id == service.id,
            CertificateCounter.kind == kind,
            CertificateCounter.year == year,
        )
        .values(last_seq=CertificateCounter.last_seq + 1)
        .returning(CertificateCounter.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def next_certificate_number(service: Service, when: datetime) -> tuple[int, str]:
    """Draw the next (seq, formatted number) of `service` for the year of `when`.

    Runs in the caller's transaction; the caller commits (or rolls back, which
    returns the number).
    """
    seq = _draw(service, CERTIFICATE, when.astimezone(office_tz()).year)
    return seq, format_number(service.number_format, seq, when, service.code)


def document_format(kind: str) -> str:
    """The number format of a kind of letter: the office definition's, else the default."""
    from app.office.definition import current_office

    return (current_office().document_numbers or {}).get(kind) or DEFAULT_DOCUMENT_FORMATS[kind]


def _existing(case: Case, kind: str) -> DocumentNumber | None:
    return db.session.scalar(
        select(DocumentNumber).where(DocumentNumber.case_id == case.id, DocumentNumber.kind == kind)
    )


def document_number(case: Case, kind: str, when: datetime) -> DocumentNumber:
    """The case's number of a letter `kind`, drawn and committed on its first issue.

    Issuing the letter is what numbers it, so this commits on its own: the number
    is then the letter's for good. Two first prints at once both draw (one waits
    for the other's counter lock); the (case, kind) constraint refuses the
    second, whose rollback returns its sequence, and it reads the first's number.
    """
    if kind not in DEFAULT_DOCUMENT_FORMATS:
        raise ValueError(f"unknown document kind {kind!r}")
    found = _existing(case, kind)
    if found is not None:
        return found
    case_id = case.id
    year = when.astimezone(office_tz()).year
    seq = _draw(case.service, kind, year)
    row = DocumentNumber(
        case_id=case_id,
        service_id=case.service_id,
        kind=kind,
        year=year,
        seq=seq,
        number=format_number(document_format(kind), seq, when, case.service.code),
        issued_at=when,
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = db.session.scalar(
            select(DocumentNumber).where(DocumentNumber.case_id == case_id, DocumentNumber.kind == kind)
        )
        if found is None:  # refused for another reason (a format without {seq} cannot be loaded)
            raise
        return found
    return row


def _signer(case: Case) -> dict[str, Any]:
    """Name and NIP of the signer from their personnel record, else their account name."""
    if case.signed_by_id is None:
        return {"signer_name": None, "signer_nip": None}
    person = db.session.scalar(select(Personnel).where(Personnel.user_id == case.signed_by_id))
    if person is not None:
        return {"signer_name": person.name, "signer_nip": person.nip}
    from flask_appbuilder.security.sqla.models import User

    user = db.session.get(User, case.signed_by_id)
    name = f"{user.first_name} {user.last_name}".strip() if user else None
    return {"signer_name": name, "signer_nip": None}


# The signer's name and NIP as a certificate records them (app.signing fills them in when the
# certificate was numbered before it was signed).
signer_fields = _signer


def issue_certificate(case: Case, when: datetime) -> Certificate:
    """Number the case's certificate; a case never gets a second number."""
    existing = db.session.scalar(select(Certificate.id).where(Certificate.case_id == case.id))
    if existing is not None:
        raise NumberingError("case already numbered")
    seq, number = next_certificate_number(case.service, when)
    certificate = Certificate(
        case_id=case.id,
        service_id=case.service_id,
        year=when.astimezone(office_tz()).year,
        seq=seq,
        number=number,
        issued_at=when,
        verify_token=secrets.token_urlsafe(32),
        **_signer(case),
    )
    db.session.add(certificate)
    return certificate
