"""PDF registers: what a reader sees on the printed pages."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.registers.conftest import EVIL_FONT, EVIL_IMG


def pdf_text(rv) -> list[str]:
    assert rv.status_code == 200, rv.get_data(as_text=True)[:300]
    assert rv.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(rv.get_data()))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Cells wrap inside their column: compare without the line breaks."""
    return re.sub(r"\s+", "", text)


def test_cases_pdf_has_header_rows_page_numbers_and_totals(client, auth, make_user, sample):
    rv = client.get(
        "/api/v1/registers/cases/export", query_string={"format": "pdf"}, headers=auth.token(make_user("Kepala Bidang"))
    )
    pages = pdf_text(rv)
    first = pages[0]
    assert "Register Permohonan" in first
    for header in ("No. registrasi", "Diterima pada", "Pemohon", "Status"):
        assert flat(header) in flat(first)
    for no in ("REG-001", "REG-002", "REG-003", "REG-004"):
        assert no in "".join(pages)
    assert "15/01/202610.00" in flat(first) and "Dalamproses" in flat(first)
    assert f"Halaman 1 dari {len(pages)}" in first
    assert "Jumlah:4baris" in flat(pages[-1])


def test_reportlab_markup_in_user_text_prints_literally(client, auth, make_user, sample):
    rv = client.get(
        "/api/v1/registers/complaints/export",
        query_string={"format": "pdf"},
        headers=auth.token(make_user("Petugas Pengaduan")),
    )
    text = flat("".join(pdf_text(rv)))
    assert flat(EVIL_FONT) in text
    assert flat(EVIL_IMG) in text
    cases = client.get(
        "/api/v1/registers/cases/export", query_string={"format": "pdf"}, headers=auth.token(make_user("Kepala Dinas"))
    )
    assert flat(EVIL_IMG + " & SMK Negeri 2 Pekanbaru") in flat("".join(pdf_text(cases)))


def test_filtered_pdf_names_its_filters_and_counts_only_matching_rows(client, auth, make_user, sample):
    rv = client.get(
        "/api/v1/registers/cases/export",
        query_string={"format": "pdf", "from": "2026-02-01", "to": "2026-02-28", "status": "completed"},
        headers=auth.token(make_user("Sekretaris")),
    )
    text = "".join(pdf_text(rv))
    assert "Periode: 1 Februari 2026 s.d. 28 Februari 2026" in text
    assert "Status: Selesai" in text
    assert "REG-002" in text and "REG-003" not in text and "REG-001" not in text
    assert "Jumlah:1baris" in flat(text)


def test_survey_pdf_totals_row_averages_each_element(client, auth, make_user, sample):
    rv = client.get(
        "/api/v1/registers/surveys/export",
        query_string={"format": "pdf"},
        headers=auth.token(make_user("Kepala Bidang")),
    )
    text = "".join(pdf_text(rv))
    assert "Jumlah:2baris" in flat(text)
    assert text.count("3,50") == 9  # (4 + 3) / 2 for U1..U9


def test_many_rows_flow_over_pages_with_the_header_on_each(app, client, reader, sample):
    from app.core.extensions import db
    from models import Personnel

    with app.app_context():
        db.session.add_all(Personnel(nip=f"19900101201501{i:04d}", name=f"Pegawai {i:03d}") for i in range(120))
        db.session.commit()
    reader("Kepegawaian")
    pages = pdf_text(client.get("/registers/personnel/export/pdf"))
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert "NIP" in page and "Kompetensi/diklat" in flat(page)
        assert f"Halaman {number} dari {len(pages)}" in page
    assert "Jumlah:121baris" in flat(pages[-1])
    assert "Pegawai 119" in "".join(pages)
