"""PAdES-signed certificates: signed when the case has both its number and its signer, served as
stored, checked on the public page (Sah / Diubah / Dicabut), refused whole when signing fails."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from app.cases import workflow
from app.core.extensions import db
from models import Case, Certificate, CertificateCounter
from tests.conftest import count_rows, csrf_token
from tests.factories import SIGNER_NIP, advance, new_case, role_user
from tests.reading import page_text, pdf_text
from tests.signing.conftest import (
    OMICRON_SIGNER,
    SIGNER_CN,
    certificate_row,
    certificate_step_nos,
    one_byte_changed,
    sha256,
    signer_user,
    validate,
    visible_text,
    walk_omicron,
    walk_to_certificate,
)

CHECK = "/public/verify/"


def download(client, auth, case_id: int, username: str) -> bytes:
    auth.login(username)
    rv = client.get(f"/documents/case/{case_id}/certificate.pdf")
    assert rv.status_code == 200, rv.get_data(as_text=True)[:300]
    assert rv.mimetype == "application/pdf"
    auth.logout()
    return rv.data


def upload(client, data: bytes, name: str = "sertifikat.pdf"):
    import io

    token = csrf_token(client, CHECK)
    return client.post(
        CHECK,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def verdict(rv) -> str:
    match = re.search(r'class="alert[^"]*sp-verdict"[^>]*data-status="([a-z_]+)"', rv.get_data(as_text=True))
    assert match, page_text(rv)[:500]
    return match.group(1)


def test_td_bkk_certificate_is_signed_by_the_office_key_when_numbered(signing_app, client, auth, test_pki):
    app = signing_app
    case_id = walk_to_certificate(app, "TD-BKK")
    cert = certificate_row(app, case_id)
    assert cert.signed_pdf_key and cert.signed_pdf_sha256
    with app.app_context():
        officer = signer_user(app).username
    data = download(client, auth, case_id, officer)
    # Exactly the stored bytes, every time.
    assert sha256(data) == cert.signed_pdf_sha256 and len(data) == cert.signed_pdf_size
    assert download(client, auth, case_id, officer) == data

    status = validate(data, test_pki.ca.cert_pem)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert SIGNER_CN in status.signing_cert.subject.human_friendly

    text = visible_text(data)
    assert "Ditandatangani secara elektronik oleh" in text
    # The name and NIP under the signature, and again in the signature's visible block.
    assert text.count("Dr. H. Kepala Dinas, M.Si") >= 2 and text.count(f"NIP. {SIGNER_NIP}") >= 2
    assert re.search(r"\d{1,2} \w+ 20\d\d \d\d\.\d\d WIB", text), text[-400:]
    assert cert.number in text


def test_the_public_check_reads_valid_altered_and_revoked(signing_app, client, auth, make_user):
    app = signing_app
    case_id = walk_to_certificate(app, "TD-BKK")
    with app.app_context():
        data = download(client, auth, case_id, signer_user(app).username)

    rv = upload(client, data)
    assert rv.status_code == 200 and verdict(rv) == "valid"
    assert "SAH" in page_text(rv) and certificate_row(app, case_id).number in page_text(rv)
    # The signer in words people read: its name, not X.500's English labels.
    assert SIGNER_CN in page_text(rv) and "Common Name" not in page_text(rv)

    rv = upload(client, one_byte_changed(data))
    assert rv.status_code == 200 and verdict(rv) == "altered"
    assert "DIUBAH" in page_text(rv)

    # Something appended after signing (an incremental update nobody signed) is altered too.
    rv = upload(client, data + b"\n% appended after signing\n")
    assert verdict(rv) == "altered"

    admin = make_user("Admin")
    cert = certificate_row(app, case_id)
    auth.login(admin)
    token = csrf_token(client, f"/documents/certificate/{cert.id}/revoke")
    client.post(f"/documents/certificate/{cert.id}/revoke", data={"csrf_token": token, "reason": "Data palsu"})
    auth.logout()
    rv = upload(client, data)
    assert rv.status_code == 200 and verdict(rv) == "revoked"
    assert "DICABUT" in page_text(rv)
    # The QR page keeps answering too.
    assert client.get(f"/public/verify/{cert.verify_token}").status_code == 200


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"GIF89a not a pdf at all", 422, "bukan PDF"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, 422, "tidak dapat dibaca"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", 422, None),
    ],
)
def test_garbage_uploads_get_a_message_never_a_500(signing_app, client, content, status, words):
    rv = upload(client, content)
    assert rv.status_code == status, page_text(rv)[:400]
    if words:
        assert words in page_text(rv)


def test_unsigned_and_truncated_pdfs_get_a_message(signing_app, client, auth, test_pki):
    app = signing_app
    app.config["SIGNING_BACKEND"] = "none"
    unsigned_case = walk_to_certificate(app, "TD-BKK")
    with app.app_context():
        unsigned = download(client, auth, unsigned_case, signer_user(app).username)
    assert certificate_row(app, unsigned_case).signed_pdf_key is None
    rv = upload(client, unsigned)
    assert rv.status_code == 422 and "tidak memuat tanda tangan elektronik" in page_text(rv)

    app.config.update(test_pki.config())
    case_id = walk_to_certificate(app, "TD-BKK")
    with app.app_context():
        data = download(client, auth, case_id, signer_user(app).username)
    rv = upload(client, data[: len(data) // 2])
    assert rv.status_code in (200, 422)
    assert verdict(rv) in ("altered", "unreadable", "unsigned")
    rv = client.post(CHECK, data={"csrf_token": csrf_token(client, CHECK)}, content_type="multipart/form-data")
    assert rv.status_code == 400 and "Pilih berkas PDF" in page_text(rv)


def test_the_upload_needs_the_csrf_token_and_escapes_nothing_it_reads(signing_app, client):
    import io

    rv = client.post(CHECK, data={"file": (io.BytesIO(b"%PDF-1.4"), "x.pdf")}, content_type="multipart/form-data")
    assert rv.status_code == 400
    page = client.get(CHECK)
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)


def test_a_file_larger_than_the_limit_is_refused(signing_app, client):
    signing_app.config["SIGNING_VERIFY_MAX_BYTES"] = 1024
    rv = upload(client, b"%PDF-1.4\n" + b"0" * 4096)
    assert rv.status_code == 413 and "terlalu besar" in page_text(rv)


def _certificate_counter(app, case_id: int) -> int:
    """The last certificate sequence drawn for the case's service (0: none yet)."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        seqs = db.session.scalars(
            select(CertificateCounter.last_seq).where(
                CertificateCounter.service_id == case.service_id, CertificateCounter.kind == "certificate"
            )
        ).all()
        return max(seqs, default=0)


def test_a_signing_failure_refuses_the_number_and_changes_nothing(signing_app):
    app = signing_app
    case_id = new_case(app, "TD-BKK")
    _sign_no, number_no = certificate_step_nos(app, "TD-BKK")
    advance(app, case_id, number_no)
    app.config["SIGNING_PASSPHRASE"] = "not-the-passphrase"
    before_certs, before_seq = count_rows(app, Certificate), _certificate_counter(app, case_id)
    with app.app_context():
        from app.cases.demo_data import officer_role

        case = db.session.get(Case, case_id)
        version = case.version
        officer = role_user(app, officer_role(workflow.get_step(case)))
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.act(case, officer, "forward", version)
    assert refused.value.status == 503
    assert "tidak dapat ditandatangani secara elektronik" in refused.value.message
    assert "tidak ada nomor yang terpakai" in refused.value.message
    assert count_rows(app, Certificate) == before_certs
    assert _certificate_counter(app, case_id) == before_seq
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.current_step_no, case.version) == (number_no, version)

    # Configured again, the same step numbers and signs, with the number that was not used.
    app.config["SIGNING_PASSPHRASE"] = "uji-rahasia-sigma-42"
    advance(app, case_id, number_no + 1)
    cert = certificate_row(app, case_id)
    assert cert.signed_pdf_key and cert.seq == before_seq + 1


def test_an_unsigned_office_serves_certificates_rendered_as_before(app, client, auth):
    assert app.config.get("SIGNING_BACKEND") in ("", "none")
    case_id = walk_to_certificate(app, "TD-BKK")
    cert = certificate_row(app, case_id)
    assert cert.signed_pdf_key is None and cert.signed_pdf_sha256 is None
    with app.app_context():
        data = download(client, auth, case_id, signer_user(app).username)
    assert b"/ByteRange" not in data
    assert "Ditandatangani secara elektronik" not in pdf_text(data)


def test_a_service_that_numbers_before_it_signs_is_signed_at_the_sign_step(
    signing_app, client, auth, omicron, test_pki
):
    """A definition written here (names seen nowhere else): number at step 4, sign at 5."""
    app = signing_app
    case_id = walk_omicron(app, omicron, 5)
    cert = certificate_row(app, case_id)
    assert cert is not None and "OMIKRON" in cert.number
    assert cert.signed_pdf_key is None  # numbered, not yet signed: nothing is final
    with app.app_context():
        sm = app.appbuilder.sm
        from app.cases.demo_data import walk

        walk(case_id, 6, lambda role: sm.find_user(username=omicron[role]))
    cert = certificate_row(app, case_id)
    assert cert.signed_pdf_key and cert.signer_name == " ".join(OMICRON_SIGNER)
    data = download(client, auth, case_id, omicron["Loket Omikron"])
    assert hashlib.sha256(data).hexdigest() == cert.signed_pdf_sha256
    status = validate(data, test_pki.ca.cert_pem)
    assert status.intact and status.trusted and status.coverage.name == "ENTIRE_FILE"
    text = visible_text(data)
    assert text.count("Ngụy Thị Hương") >= 2 and text.count("Pengesah Upsilon") >= 2
    assert "Ditandatangani secara elektronik oleh" in text
    assert verdict(upload(client, data)) == "valid"
    assert verdict(upload(client, one_byte_changed(data))) == "altered"
