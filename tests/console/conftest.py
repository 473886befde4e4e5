"""Fixtures for the console tests: rows to act on in every console table."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.core.timezone import office_tz
from models import Applicant, Case, Institution, Personnel


@pytest.fixture
def records(app):
    """Rows the procedures write, each made by its real writer: a case walked past
    handover by the case engine (control card, BAP, certificate), a complaint in
    the complaint book naming it (with its events), a paper survey form and a
    follow-up plan. Returns {"case": id, "registration_no", "nik", "complaint": number}."""
    from app.complaints.book import create_complaint
    from app.survey.ikm import add_follow_up, submit_response
    from tests.factories import advance, new_case, role_user

    case_id = new_case(app)
    advance(app, case_id, 99)  # past the last step: numbered, signed, handed over
    today = datetime.now(office_tz()).date().isoformat()
    with app.app_context():
        case = db.session.get(Case, case_id)
        registration_no, nik = case.registration_no, case.applicant.nik
        from app.cases.numbering import document_number

        document_number(case, "assignment_letter", datetime.now(office_tz()))  # a numbered surat tugas
        complaint = create_complaint(
            {
                "channel": "telephone",
                "complainant": {
                    "name": "Budi Santoso",
                    "phone": "0812-3456-7890",
                    "email": "budi@example.test",
                    "address": "Jl. Sudirman 1, Pekanbaru",
                },
                "weight": "ringan",
                "subject": "Berkas belum diproses",
                "description": "Permohonan saya belum ada kabar.",
                "case": registration_no,
            },
            role_user(app, "Petugas Pengaduan"),
        )
        typist = role_user(app, "Front Office")
        submit_response(
            {
                "service": "TD-BKK",
                "date": today,
                "scores": {f"u{i}": 2 for i in range(1, 10)},
                "respondent": {"sex": "P", "age": 34, "education": "D4-S1", "occupation": "swasta"},
                "suggestion": "Ruang tunggu terlalu sempit.",
            },
            typist,
        )
        add_follow_up(
            {
                "service": "TD-BKK",
                "element": "u9",
                "period_from": today,
                "period_to": today,
                "plan": "Menambah kursi ruang tunggu.",
                "responsible": "Sekretaris",
            },
            typist,
        )
        return {"case": case_id, "registration_no": registration_no, "nik": nik, "complaint": complaint.number}


@pytest.fixture
def sample_rows(app, records):
    """The id of one row of every console model (the baseline has no people rows: add them)."""
    from views.console import console_models

    with app.app_context():
        db.session.add(Personnel(name="Sri Wahyuni", nip="198001012005012001", education="S1"))
        db.session.add(Applicant(nik="1471010101900099", name="Rahmat Hidayat"))
        db.session.add(Institution(name="SMK Negeri 5 Pekanbaru"))
        db.session.commit()
        rows = {m.__name__: db.session.scalar(select(m.id).order_by(m.id).limit(1)) for m in console_models()}
    empty = sorted(name for name, row_id in rows.items() if row_id is None)
    assert not empty, f"no sample row for {empty}: the matrix would act on nothing there"
    return rows
