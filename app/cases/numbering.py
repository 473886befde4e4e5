"""Certificate numbers: gap-less per service and year, unique under concurrent requests.

The counter row is incremented with one `UPDATE ... SET last_seq = last_seq + 1
RETURNING last_seq` inside the caller's transaction. That statement takes the
row lock on PostgreSQL (a concurrent caller waits and then sees the new value)
and the database write lock on SQLite, and both are held until the action
commits; if the action fails, the rollback returns the number, so no number is
ever burnt and none is given twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core.extensions import db
from app.core.timezone import office_tz
from models import Case, Certificate, CertificateCounter, Personnel, Service

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class NumberingError(RuntimeError):
    """The case cannot be given a certificate number."""


def format_number(number_format: str, seq: int, when: datetime) -> str:
    """Fill {seq[:fmt]}, {year}, {month}, {month_roman} (office time zone)."""
    local = when.astimezone(office_tz())
    return number_format.format(
        seq=seq, year=local.year, month=f"{local.month:02d}", month_roman=ROMAN_MONTHS[local.month - 1]
    )


def _ensure_counter(service_id: int, year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(CertificateCounter)
        .values(service_id=service_id, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["service_id", "year"])
    )


def next_certificate_number(service: Service, when: datetime) -> tuple[int, str]:
    """Draw the next (seq, formatted number) of `service` for the year of `when`.

    Runs in the caller's transaction; the caller commits (or rolls back, which
    returns the number).
    """
    year = when.astimezone(office_tz()).year
    _ensure_counter(service.id, year)
    seq = db.session.execute(
        update(CertificateCounter)
        .where(CertificateCounter.service_id == service.id, CertificateCounter.year == year)
        .values(last_seq=CertificateCounter.last_seq + 1)
        .returning(CertificateCounter.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return seq, format_number(service.number_format, seq, when)


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
