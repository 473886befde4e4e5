"""Rows for document tests, written straight through the models.

The documents only read a case, so tests build exactly the state they print
(names outside Latin-1, a late control-card row, a BAP, a certificate) without
walking the workflow.
"""

from __future__ import annotations

import io
import secrets
from datetime import UTC, date, datetime

from pypdf import PdfReader
from sqlalchemy import select

from app.core.extensions import db
from models import (
    Applicant,
    Case,
    Certificate,
    Complaint,
    ControlCardEntry,
    InspectionReport,
    Institution,
    Service,
)
from tests.factories import sample_nik

HOLDER = "Ngụy Thị Hương"
INSTITUTION = "SMK Negeri 1 Đặng Pekanbaru"
SIGNER = "Dr. Đặng Văn Sơn"
SIGNER_NIP = "197001011990031001"
CERT_SEQ = 7
CERT_NO = "007/TD-BKK/DPMPTSP/XI/2026"
ISSUED = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 10.00 in Pekanbaru
INJECTION = "<para><font color=\"[[[getattr(pow, 'x')]]]\">x</font></para>"
FILE_IMG = '<img src="file:///etc/passwd">'


def embedded_fonts(data: bytes) -> set[str]:
    """Base names of the fonts whose TrueType program is inside the PDF (FontFile2)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]))
    return names


def make_case(
    *,
    numbered: bool = True,
    findings: str = "Ruangan 24 m2 sesuai, struktur organisasi ada.",
    applicant_user_id: int | None = None,
    with_bap: bool = True,
    cert_seq: int = CERT_SEQ,
) -> int:
    """A TD-BKK case at handover with two card rows (one late), a BAP and, if numbered, a certificate."""
    service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
    applicant = Applicant(
        nik=sample_nik(),
        name=HOLDER,
        phone="+6281234567890",
        address="Jl. Sudirman 12, Pekanbaru",
        user_id=applicant_user_id,
    )
    institution = Institution(name=INSTITUTION, address="Jl. Tuanku Tambusai 5", license_no="421/SMK/2019")
    case = Case(
        registration_no=f"TD-BKK-2026-{secrets.randbelow(10**6):06d}",
        service=service,
        applicant=applicant,
        institution=institution,
        form_data={"luas_ruangan_m2": "24.5", "rencana_penempatan": 1200},
        status="completed" if numbered else "in_progress",
        current_step_no=10 if numbered else 3,
        received_at=datetime(2026, 11, 18, 1, 0, tzinfo=UTC),
        completed_at=ISSUED if numbered else None,
        step_due_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
    )
    db.session.add(case)
    db.session.flush()
    rows = [
        (1, "Front Office", "Budi Santoso", "BS", 3, 2, False, "forward"),
        (3, "Tim Teknis", "Đặng Thị Lan", "DTL", 4 * 510, 5 * 510, True, "forward"),
    ]
    prev = None
    for seq, (step_no, role, name, initial, std, spent, late, outcome) in enumerate(rows, start=1):
        entry = ControlCardEntry(
            case_id=case.id,
            seq=seq,
            step_no=step_no,
            step_kind="intake",
            role=role,
            officer_name=name,
            officer_initial=initial,
            received_at=datetime(2026, 11, 18 + seq, 1, 0, tzinfo=UTC),
            acted_at=datetime(2026, 11, 18 + seq, 2, 30, tzinfo=UTC),
            outcome=outcome,
            standard_minutes=std,
            spent_minutes=spent,
            late=late,
            prev_hash=prev,
            hash=f"{seq:064d}",
        )
        prev = entry.hash
        db.session.add(entry)
    if with_bap:
        db.session.add(
            InspectionReport(
                case_id=case.id,
                date=date(2026, 11, 20),
                findings=findings,
                recommendation="memenuhi",
                team=["Andi Pratama", "Đặng Thị Lan"],
            )
        )
    if numbered:
        db.session.add(
            Certificate(
                case_id=case.id,
                service_id=service.id,
                year=2026,
                seq=cert_seq,
                number=f"{cert_seq:03d}/TD-BKK/DPMPTSP/XI/2026",
                issued_at=ISSUED,
                signer_name=SIGNER,
                signer_nip=SIGNER_NIP,
                verify_token=secrets.token_urlsafe(32),
            )
        )
    db.session.commit()
    return case.id


def make_complaint(reply: str) -> int:
    complaint = Complaint(
        number="ADU-2026-0042",
        channel="letter",
        complainant_name="Nguyễn Văn Đức",
        complainant_address="Jl. Arifin Ahmad 9, Pekanbaru",
        weight="ringan",
        subject="Antrean lama di loket",
        description="Menunggu dua jam.",
        status="closed",
        received_at=datetime(2026, 11, 2, 2, 0, tzinfo=UTC),
        reply=reply,
        replied_at=datetime(2026, 11, 5, 2, 0, tzinfo=UTC),
    )
    db.session.add(complaint)
    db.session.commit()
    return complaint.id
