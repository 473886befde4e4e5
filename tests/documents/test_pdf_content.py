"""What each printed document says: numbers, names, dates and rows, in extracted PDF text."""

from __future__ import annotations

from io import BytesIO

import pytest
from doc_rows import (
    CERT_NO,
    HOLDER,
    INSTITUTION,
    SIGNER,
    SIGNER_NIP,
    embedded_fonts,
    make_case,
    make_complaint,
)
from pypdf import PdfReader
from sqlalchemy import select

from app import documents
from app.core.extensions import db
from models import Case, Service
from tests.reading import pdf_text


def test_certificate_prints_number_holder_form_data_signer_and_verify_link(app):
    with app.app_context():
        case = db.session.get(Case, make_case())
        text = pdf_text(documents.certificate_pdf(case))
        token = case.certificate.verify_token
    assert "SURAT TANDA DAFTAR BURSA KERJA KHUSUS" in text
    assert f"Nomor: {CERT_NO}" in text
    assert INSTITUTION in text and HOLDER in text
    assert "Luas ruangan kantor (m2)" in text and "24,5" in text
    assert "Rencana penempatan 1 tahun (orang)" in text and "1.200" in text
    assert "Ditetapkan tanggal 28 November 2026" in text
    assert SIGNER in text and f"NIP. {SIGNER_NIP}" in text
    assert f"http://127.0.0.1:5000/public/verify/{token}" in text
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU" in text and "(0761) 28262" in text


def test_names_outside_latin1_print_as_text_in_the_embedded_dejavu_font(app):
    with app.app_context():
        case = db.session.get(Case, make_case())
        data = documents.certificate_pdf(case)
    assert any(name.endswith("+DejaVuSans") for name in embedded_fonts(data)), embedded_fonts(data)
    text = pdf_text(data)
    for name in ("Ngụy Thị Hương", "Đặng Văn Sơn", "Đặng Pekanbaru"):
        assert name in text


def test_certificate_shows_the_qr_code_image(app):
    with app.app_context():
        case = db.session.get(Case, make_case())
        data = documents.certificate_pdf(case)
    # Two images: the letterhead's emblem (taller than wide) and the square QR code.
    sizes = [image.image.size for image in PdfReader(BytesIO(data)).pages[0].images]
    assert len(sizes) == 2
    assert any(w == h and w >= 60 for w, h in sizes), sizes


def test_certificate_refused_before_numbering(app):
    with app.app_context():
        case = db.session.get(Case, make_case(numbered=False))
        with pytest.raises(documents.DocumentError):
            documents.certificate_pdf(case)


def test_control_card_lists_every_row_with_officer_times_and_late_mark(app):
    with app.app_context():
        case = db.session.get(Case, make_case())
        text = pdf_text(documents.control_card_pdf(case))
        reg = case.registration_no
    assert "KARTU KENDALI PELAYANAN" in text and reg in text
    assert "Budi Santoso" in text and "BS" in text and "Front Office" in text
    assert "Đặng Thị Lan" in text and "Tim Teknis" in text
    assert "19 November 2026 08.00" in text and "20 November 2026 09.30" in text  # received / acted, WIB
    assert "3 menit" in text and "4 hari kerja" in text  # standard times of steps 1 and 3
    assert "5 hari kerja" in text  # 5 x 510 working minutes spent at step 3, as the standard reads
    assert text.count("TERLAMBAT") == 1 and "tepat waktu" in text
    assert "Jumlah langkah terlambat: 1" in text


def test_bap_prints_date_findings_recommendation_and_team(app):
    with app.app_context():
        case = db.session.get(Case, make_case())
        text = pdf_text(documents.bap_pdf(case))
    assert "BERITA ACARA PEMERIKSAAN" in text
    assert "20 November 2026" in text
    assert "Ruangan 24 m2 sesuai" in text
    assert "MEMENUHI SYARAT" in text
    assert "Andi Pratama" in text and "Đặng Thị Lan" in text


def test_assignment_letter_names_team_institution_and_due_time(app):
    with app.app_context():
        case_id = make_case(numbered=False)
        case = db.session.get(Case, case_id)
        text = pdf_text(documents.assignment_letter_pdf(case))
    assert "SURAT TUGAS" in text
    assert "Andi Pratama" in text and INSTITUTION in text and HOLDER in text
    assert "4 hari kerja" in text
    assert "24 November 2026 16.00" in text


def test_assignment_letter_without_bap_names_the_tim_teknis_role_holders(app, make_user):
    make_user("Tim Teknis", first_name="Rina", last_name="Wulandari")
    with app.app_context():
        case = db.session.get(Case, make_case(numbered=False, with_bap=False))
        text = pdf_text(documents.assignment_letter_pdf(case))
    assert "Rina Wulandari" in text


def test_reminder_letter_addresses_applicant_with_completion_date(app):
    with app.app_context():
        case = db.session.get(Case, make_case())
        text = pdf_text(documents.reminder_letter_pdf(case))
        reg = case.registration_no
    assert HOLDER in text and "Jl. Sudirman 12, Pekanbaru" in text
    assert reg in text and CERT_NO in text
    assert "selesai pada tanggal" in text and "28 November 2026" in text
    assert "belum diambil" in text


def test_complaint_reply_letter_carries_reply_paragraphs(app):
    with app.app_context():
        from models import Complaint

        complaint = db.session.get(Complaint, make_complaint("Loket kedua sudah dibuka.\nTerima kasih atas masukan."))
        text = pdf_text(documents.complaint_reply_letter_pdf(complaint))
    assert "ADU-2026-0042" in text and "Nguyễn Văn Đức" in text
    assert "2 November 2026" in text and "Antrean lama di loket" in text
    assert "Loket kedua sudah dibuka." in text and "Terima kasih atas masukan." in text
    assert "5 November 2026" in text  # the letter is dated when the reply was given


def test_standard_regenerated_from_data(app):
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        text = pdf_text(documents.standard_pdf(service))
        requirements = [r.name for r in service.requirements]
        executors = [e.name for e in service.executors]
        activities = [s.activity for s in service.steps]
    assert "STANDAR PELAYANAN" in text and "STANDAR OPERASIONAL PROSEDUR" in text
    # The requirements, numbered in the order of the standard.
    listed = " ".join(f"{i}. {name}" for i, name in enumerate(requirements, start=1))
    assert f"Persyaratan pelayanan {listed}" in text
    assert "6 hari kerja (dengan persyaratan lengkap)" in text
    assert "GRATIS" in text and "Surat Tanda Daftar Bursa Kerja Khusus" in text
    assert "Dasar Hukum Undang-Undang Nomor 25 tahun 2009" in text
    assert "Jaminan pelayanan" in text and "Evaluasi kinerja pelaksana" in text
    # The SOP table: one column per executor, every step's activity, times and the total.
    assert "Pelaksana Mutu Baku " + " ".join(executors) + " Kelengkapan Waktu Output" in text
    for activity in activities:
        assert " ".join(activity.split()) in text, activity
    assert "35 menit" in text and "4 hari kerja" in text and "1 hari kerja" in text
    assert text.endswith("TOTAL 6 hari kerja")
    # One mark per executor of each step: steps 1 and 10 have two, the rest one.
    assert text.count("✓") == len(activities) + 2
