"""User text cannot become markup in a PDF, and a document loads nothing it was not given."""

from __future__ import annotations

from io import BytesIO

from doc_rows import FILE_IMG, INJECTION, make_case
from pypdf import PdfReader

from app import documents
from app.core.extensions import db
from app.documents import pdf
from models import Case
from tests.reading import pdf_text


def test_injection_strings_in_user_text_print_literally(app):
    hostile = f"{INJECTION} {FILE_IMG} <pdf:nextpage /> selesai"
    with app.app_context():
        case = db.session.get(Case, make_case(findings=hostile))
        case.institution.name = INJECTION
        case.applicant.name = FILE_IMG
        db.session.commit()
        data = documents.bap_pdf(case)
        cert = documents.certificate_pdf(case)
    text = pdf_text(data)
    assert INJECTION in text
    assert FILE_IMG in text
    assert "<pdf:nextpage /> selesai" in text
    assert len(PdfReader(BytesIO(data)).pages) == 1  # the nextpage tag did not act
    assert INJECTION in pdf_text(cert) and FILE_IMG in pdf_text(cert)
    assert "root:" not in text


def test_link_gate_refuses_files_urls_and_foreign_data_uris():
    gate = pdf._LinkGate(trusted={"data:image/png;base64,AAAA"})
    assert gate("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"
    assert gate("static/fonts/DejaVuSans.ttf") == str(pdf.STATIC_DIR / "fonts" / "DejaVuSans.ttf")
    for uri in (
        "file:///etc/passwd",
        "/etc/passwd",
        "static/../../config.py",
        "http://169.254.169.254/",
        "https://example.com/a.png",
        "data:image/png;base64,BBBB",
        "static/fonts/missing.ttf",
    ):
        assert gate(uri) == "data:,", uri
    assert len(gate.refused) == 7


def test_raw_markup_that_reaches_the_renderer_still_loads_nothing():
    """Behind autoescape, the gate: even a template author's <img> of a local file embeds no image."""
    html = (
        '<html><body><p>a</p><img src="file:///etc/passwd"><img src="/etc/hostname">'
        '<img src="http://127.0.0.1:9/x.png"><p>b</p></body></html>'
    )
    data = pdf.html_to_pdf(html)
    page = PdfReader(BytesIO(data)).pages[0]
    assert len(page.images) == 0 and "/XObject" not in page["/Resources"]
    assert "root:" not in page.extract_text()
