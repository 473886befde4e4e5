"""The published standard and the open public pages (no login needed)."""

from __future__ import annotations


def test_service_list_is_open_to_anonymous_visitors(client):
    rv = client.get("/public/")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200
    assert "Tanda Daftar Bursa Kerja Khusus" in html
    assert "Rp 0" in html and "GRATIS" in html
    assert "6 hari kerja" in html
    assert 'href="/public/track"' in html and 'href="/public/complaint"' in html


def test_standard_page_shows_every_component_requirements_procedure_and_pdf(client):
    rv = client.get("/public/services/TD-BKK")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200
    assert "Surat Tanda Daftar Bursa Kerja Khusus" in html  # product
    assert "Rp 0" in html and "GRATIS" in html
    for heading in (
        "Dasar Hukum",
        "Kompetensi pelaksana",
        "Pengawasan internal",
        "Jaminan pelayanan",
        "Evaluasi kinerja pelaksana",
        "Penanganan pengaduan, saran, dan masukan",
    ):
        assert heading in html, heading
    assert "Minimal lulusan SMU" in html  # a competency item, as published
    assert "Foto Copy KTP penanggungjawab BKK" in html  # a requirement
    assert "35 menit" in html and "4 hari kerja" in html  # procedure times
    assert 'href="/documents/standard/TD-BKK.pdf"' in html
    pdf = client.get("/documents/standard/TD-BKK.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_unknown_service_is_404(client):
    assert client.get("/public/services/NOPE").status_code == 404


def test_certificate_code_form_leads_to_the_verification_page(client):
    rv = client.get("/public/check?token=abc123")
    assert rv.status_code == 302 and rv.headers["Location"].endswith("/public/verify/abc123")
    assert client.get("/public/check?token=").headers["Location"].endswith("/public/")
