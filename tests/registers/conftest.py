"""Rows for the registers, inserted straight into the models (no engine needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.core.extensions import db

EVIL_FONT = "<para><font color=\"[[[getattr(pow, 'x')]]]\">x</font></para>"
EVIL_IMG = '<img src="file:///etc/passwd">'


def utc(y: int, m: int, d: int, h: int = 3) -> datetime:
    """10:00 in Jakarta when h=3."""
    return datetime(y, m, d, h, 0, tzinfo=UTC)


@pytest.fixture
def sample(app):
    """Two services; cases across three months and statuses; a certificate, complaints, surveys, personnel."""
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

    with app.app_context():
        td = db.session.query(Service).filter_by(code="TD-BKK").one()
        other = Service(
            code="SIP-X", name="Surat Izin Percobaan", product="Surat", completion_working_days=3, number_format="{seq}"
        )
        db.session.add(other)
        db.session.flush()
        people = [
            Applicant(nik="1471010101900001", name="Siti Aminah"),
            Applicant(nik="1471010101900002", name=EVIL_FONT),
            Applicant(nik="1471010101900003", name='=HYPERLINK("http://x")'),
            Applicant(nik="1471010101900004", name="Rudi Hartono"),
        ]
        school = Institution(name=EVIL_IMG + " & SMK Negeri 2 Pekanbaru")
        db.session.add_all([*people, school])
        db.session.flush()
        rows = [
            ("REG-001", td, people[0], utc(2026, 1, 15), "in_progress"),
            ("REG-002", td, people[1], utc(2026, 2, 10), "completed"),
            ("REG-003", other, people[2], utc(2026, 2, 20), "in_progress"),
            ("REG-004", td, people[3], utc(2026, 3, 5), "rejected"),
        ]
        cases = {}
        for no, service, person, at, status in rows:
            case = Case(
                registration_no=no,
                service_id=service.id,
                applicant_id=person.id,
                institution_id=school.id,
                received_at=at,
                status=status,
                current_step_no=2,
            )
            db.session.add(case)
            cases[no] = case
        db.session.flush()
        db.session.add(
            Certificate(
                case_id=cases["REG-002"].id,
                service_id=td.id,
                year=2026,
                seq=1,
                number="001/TD-BKK/DPMPTSP/II/2026",
                issued_at=utc(2026, 2, 12),
                signer_name="Dr. Kepala Dinas",
                verify_token="tok-1",
            )
        )
        db.session.add_all(
            [
                Complaint(
                    number="ADU-001",
                    channel="telephone",
                    complainant_name=EVIL_FONT,
                    complainant_phone="+6281234567890",
                    weight="ringan",
                    subject=EVIL_IMG,
                    description="d",
                    status="received",
                    received_at=utc(2026, 1, 20),
                    service_id=td.id,
                ),
                Complaint(
                    number="ADU-002",
                    channel="letter",
                    complainant_name="Ahmad",
                    weight="berat",
                    subject="Layanan lambat",
                    description="d",
                    status="closed",
                    received_at=utc(2026, 3, 1),
                    service_id=td.id,
                ),
            ]
        )
        for i, score in enumerate((4, 3)):
            db.session.add(
                SurveyResponse(
                    service_id=td.id,
                    date=date(2026, 2, 1 + i),
                    **{f"u{n}": score for n in range(1, 10)},
                    sex="P",
                    age=30,
                    education="S1",
                    occupation="Guru",
                )
            )
        db.session.add(
            Personnel(nip="198001012005011001", name="Andi Pegawai", position="Front Office", education="S1")
        )
        db.session.commit()
    return {"cases": [r[0] for r in rows]}


@pytest.fixture
def reader(make_user, auth):
    """Log in (session) as a new user holding `roles`; returns the username."""

    def _login(*roles: str) -> str:
        username = make_user(*roles)
        rv = auth.login(username)
        assert rv.status_code in (200, 302)
        return username

    return _login
