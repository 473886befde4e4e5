"""The signer backends (local with a timestamp authority, HTTP against a local signing service),
the DEMO key of `flask demo`, and the production rule that a signing backend is chosen explicitly."""

from __future__ import annotations

import io
import json
import os
import stat
from datetime import UTC, datetime

import pytest
from reportlab.pdfgen import canvas

from app import ConfigurationError, create_app
from app.signing import SignatureBlock, SigningError, build_signer
from app.signing.demo import ensure_demo_signing
from app.signing.http import HttpSigner
from app.signing.local import LocalSigner
from tests.signing.conftest import (
    BSRE_FIELDS,
    PASSPHRASE,
    SIGNER_CN,
    certificate_row,
    sha256,
    signer_user,
    validate,
    visible_text,
    walk_omicron,
    walk_to_certificate,
)
from tests.signing.test_signed_certificates import download, upload, verdict


def small_pdf(text: str = "Dokumen uji") -> bytes:
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buf.getvalue()


def block(**extra) -> SignatureBlock:
    values = {
        "signer_name": "Ngụy Thị Hương",
        "signer_nip": "198503152010012003",
        "title": "Pengesah Upsilon",
        "signed_at": datetime.now(UTC),
        "time_text": "28 November 2026 14.05 WIB",
        "page": 0,
        "box": (300.0, 400.0, 520.0, 480.0),
        "contact": "http://127.0.0.1/public/verify/abc",
    }
    return SignatureBlock(**{**values, **extra})


def test_local_backend_signs_with_a_visible_block(test_pki):
    signed = test_pki.local_signer().sign(small_pdf(), block())
    status = validate(signed, test_pki.ca.cert_pem)
    assert status.intact and status.valid and status.trusted and status.coverage.name == "ENTIRE_FILE"
    assert SIGNER_CN in status.signing_cert.subject.human_friendly
    text = visible_text(signed)
    for words in ("Ditandatangani secara elektronik oleh", "Ngụy Thị Hương", "NIP. 198503152010012003", "14.05 WIB"):
        assert words in text


def test_local_backend_refuses_a_wrong_passphrase(test_pki):
    with pytest.raises(SigningError, match="passphrase"):
        LocalSigner(test_pki.pkcs12.read_bytes(), b"salah")
    with pytest.raises(SigningError, match="SIGNING_PKCS12"):
        build_signer({"SIGNING_BACKEND": "local", "SIGNING_PKCS12": "/nonexistent/signer.p12"})


def test_timestamp_from_a_local_tsa(test_pki, tsa_server):
    signer = LocalSigner(test_pki.pkcs12.read_bytes(), PASSPHRASE.encode(), tsa_url=tsa_server)
    status = validate(signer.sign(small_pdf(), block()), test_pki.ca.cert_pem)
    assert status.intact and status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted


def test_an_unreachable_tsa_refuses_the_signature(test_pki):
    signer = LocalSigner(test_pki.pkcs12.read_bytes(), PASSPHRASE.encode(), tsa_url="http://127.0.0.1:9/tsa", timeout=2)
    with pytest.raises(SigningError):
        signer.sign(small_pdf(), block())


def test_certificates_are_timestamped_when_a_tsa_is_configured(signing_app, client, auth, test_pki, tsa_server):
    signing_app.config["SIGNING_TSA_URL"] = tsa_server
    case_id = walk_to_certificate(signing_app, "TD-BKK")
    with signing_app.app_context():
        data = download(client, auth, case_id, signer_user(signing_app).username)
    status = validate(data, test_pki.ca.cert_pem)
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert verdict(upload(client, data)) == "valid"


def test_http_backend_signs_through_a_remote_service(signing_app, client, auth, remote_signer, test_pki):
    service, url = remote_signer
    signing_app.config.update(
        SIGNING_BACKEND="http",
        SIGNING_HTTP_URL=url,
        SIGNING_HTTP_FIELDS=json.dumps(BSRE_FIELDS),
        SIGNING_HTTP_AUTH_HEADER=f"Authorization: {service.token}",
        SIGNING_HTTP_RESPONSE="pdf",
    )
    case_id = walk_to_certificate(signing_app, "TD-BKK")
    cert = certificate_row(signing_app, case_id)
    assert cert.signed_pdf_key
    with signing_app.app_context():
        data = download(client, auth, case_id, signer_user(signing_app).username)
    assert sha256(data) == cert.signed_pdf_sha256
    status = validate(data, test_pki.ca.cert_pem)
    assert status.intact and status.trusted and SIGNER_CN in status.signing_cert.subject.human_friendly
    sent = service.requests[-1]
    assert sent["files"] == ["file"]
    assert sent["form"]["nik"] == BSRE_FIELDS["nik"] and sent["form"]["tampilan"] == "visible"
    assert sent["form"]["signer_name"] == "Dr. H. Kepala Dinas, M.Si" and int(sent["form"]["width"]) > 100
    assert "Ditandatangani secara elektronik oleh" in visible_text(data)
    assert verdict(upload(client, data)) == "valid"


def test_http_backend_reads_a_json_answer_and_reports_refusals(remote_signer):
    service, url = remote_signer
    service.answer = "json"
    signer = HttpSigner(
        url,
        fields=BSRE_FIELDS,
        auth_header=f"Authorization: {service.token}",
        response="json",
        json_field="file.0",
        timeout=30,
    )
    assert signer.sign(small_pdf(), block()).startswith(b"%PDF-")

    wrong = HttpSigner(
        url, fields={**BSRE_FIELDS, "passphrase": "salah"}, auth_header=f"Authorization: {service.token}"
    )
    with pytest.raises(SigningError, match=r"400.*Passphrase anda salah"):
        wrong.sign(small_pdf(), block())
    with pytest.raises(SigningError, match="401"):
        HttpSigner(url, fields=BSRE_FIELDS).sign(small_pdf(), block())
    with pytest.raises(SigningError, match="cannot be reached"):
        HttpSigner("http://127.0.0.1:9/api/sign/pdf", timeout=2).sign(small_pdf(), block())
    with pytest.raises(SigningError, match="no 'hasil'"):
        HttpSigner(
            url, fields=BSRE_FIELDS, auth_header=f"Authorization: {service.token}", response="json", json_field="hasil"
        ).sign(small_pdf(), block())
    with pytest.raises(SigningError, match="SIGNING_HTTP_FIELDS"):
        HttpSigner(url, fields="[1, 2]")


def test_a_refusing_remote_service_refuses_the_sign_step(signing_app, remote_signer, omicron):
    """A service defined in the test (it numbers, then signs); the remote service answers 401 (no
    credentials configured): the sign step is refused, the signer is not recorded, nothing is kept."""
    _service, url = remote_signer
    signing_app.config.update(SIGNING_BACKEND="http", SIGNING_HTTP_URL=url, SIGNING_HTTP_FIELDS="{}")
    from app.cases import workflow
    from app.cases.demo_data import officer_role
    from app.core.extensions import db
    from models import Case

    case_id = walk_omicron(signing_app, omicron, 5)
    before = certificate_row(signing_app, case_id)
    with signing_app.app_context():
        case = db.session.get(Case, case_id)
        user = signing_app.appbuilder.sm.find_user(username=omicron[officer_role(workflow.get_step(case))])
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.act(case, user, "forward", case.version, data={"confirm": True})
        assert refused.value.status == 503
        case = db.session.get(Case, case_id)
        assert case.current_step_no == 5 and case.signed_by_id is None
    after = certificate_row(signing_app, case_id)
    assert (after.number, after.signed_pdf_key, after.signer_name) == (before.number, None, None)


def test_demo_key_is_made_once_with_a_random_passphrase_and_says_demo(app, tmp_path):
    from cryptography.hazmat.primitives.serialization import pkcs12

    app.config["INSTANCE_PATH"] = str(tmp_path / "one")
    app.config["SIGNING_BACKEND"] = ""  # as `flask demo` runs when the environment chose nothing
    with app.app_context():
        files, made = ensure_demo_signing(app)
        assert made and app.config["SIGNING_BACKEND"] == "local"
        again, made_again = ensure_demo_signing(app)
    assert not made_again and again.pkcs12.read_bytes() == files.pkcs12.read_bytes()
    for path in (files.pkcs12, files.passphrase):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    passphrase = files.passphrase.read_text().strip()
    assert len(passphrase) >= 24
    _key, cert, _chain = pkcs12.load_key_and_certificates(files.pkcs12.read_bytes(), passphrase.encode())
    assert "DEMO" in cert.subject.rfc4514_string() and "DEMO" in cert.issuer.rfc4514_string()
    assert build_signer(app.config) is not None

    app.config["INSTANCE_PATH"] = str(tmp_path / "two")
    app.config["SIGNING_BACKEND"] = ""
    with app.app_context():
        other, _made = ensure_demo_signing(app)
    assert other.passphrase.read_text() != files.passphrase.read_text()


def test_a_demo_server_signs_with_the_demo_key_it_finds(app, tmp_path, database_url):
    with app.app_context():
        app.config["INSTANCE_PATH"] = str(tmp_path)
        files, _made = ensure_demo_signing(app)
    import logging

    from app.core.extensions import db

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        demo = create_app(
            {
                "APP_ENV": "demo",
                "SIGNING_BACKEND": "",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "UPLOAD_DIR": str(tmp_path / "uploads"),
            }
        )
        with demo.app_context():
            db.session.remove()
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert demo.config["SIGNING_BACKEND"] == "local" and demo.config["SIGNING_PKCS12"] == str(files.pkcs12)


PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "p" * 48,
    "PUBLIC_BASE_URL": "https://layanan.example.go.id",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


def test_production_requires_an_explicit_signing_backend(app_config, test_pki):
    import logging

    from app.core.extensions import db

    base = {**app_config, **PRODUCTION}
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with pytest.raises(ConfigurationError, match="SIGNING_BACKEND must be set"):
            create_app({**base, "SIGNING_BACKEND": ""})
        with pytest.raises(ConfigurationError, match="expected one of"):
            create_app({**base, "SIGNING_BACKEND": "bsre"})
        with pytest.raises(ConfigurationError, match="SIGNING_TRUST_ROOTS"):
            create_app({**base, **test_pki.config(SIGNING_TRUST_ROOTS="")})
        with pytest.raises(ConfigurationError, match="passphrase"):
            create_app({**base, **test_pki.config(SIGNING_PASSPHRASE="salah")})
        for config in ({**base, "SIGNING_BACKEND": "none"}, {**base, **test_pki.config()}):
            started = create_app(config)
            assert started.config["SIGNING_BACKEND"] == config["SIGNING_BACKEND"]
            with started.app_context():
                db.session.remove()
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
