"""The public certificate check: valid, then revoked by an Admin with a reason and an audit row."""

from __future__ import annotations

import re

from doc_rows import CERT_NO, INSTITUTION, make_case
from sqlalchemy import select

from app.core.extensions import db
from models import AuditLog, Case, Certificate
from tests.conftest import csrf_token


def _cert(app) -> tuple[int, str]:
    with app.app_context():
        case = db.session.get(Case, make_case())
        return case.certificate.id, case.certificate.verify_token


def _status(html: str) -> str:
    return re.search(r'data-status="(\w+)"', html).group(1)


def test_valid_certificate_shows_number_holder_and_date_without_login(app, client):
    _, token = _cert(app)
    rv = client.get(f"/public/verify/{token}")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200
    assert _status(html) == "valid" and "SAH" in html
    assert CERT_NO in html and INSTITUTION in html and "28 November 2026" in html
    assert "/revoke" not in html  # the revocation link is for administrators only


def test_admin_finds_the_revocation_form_from_the_check_page(app, client, auth, make_user):
    cert_id, token = _cert(app)
    auth.login(make_user("Admin"))
    html = client.get(f"/public/verify/{token}").get_data(as_text=True)
    assert f"/documents/certificate/{cert_id}/revoke" in html


def test_unknown_token_says_not_found_in_the_same_page(app, client):
    _cert(app)
    for token in ("x" * 43, "abc", "'; drop table certificate; --", "z" * 500):
        rv = client.get(f"/public/verify/{token}")
        html = rv.get_data(as_text=True)
        assert rv.status_code == 404
        assert _status(html) == "not_found" and "TIDAK DITEMUKAN" in html
        assert CERT_NO not in html


def test_admin_revokes_with_reason_then_the_check_says_revoked(app, client, auth, make_user):
    cert_id, token = _cert(app)
    auth.login(make_user("Admin"))
    url = f"/documents/certificate/{cert_id}/revoke"
    rv = client.post(
        url, data={"reason": "Lembaga tutup", "csrf_token": csrf_token(client, url)}, follow_redirects=True
    )
    assert rv.status_code == 200 and _status(rv.get_data(as_text=True)) == "revoked"
    auth.logout()
    html = client.get(f"/public/verify/{token}").get_data(as_text=True)
    assert _status(html) == "revoked" and "DICABUT" in html and CERT_NO in html
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        assert cert.revoked_reason == "Lembaga tutup" and cert.revoked_at is not None
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate.revoke"))
        assert row.object_id == str(cert_id) and row.after["revoked_reason"] == "Lembaga tutup"
        assert row.before["revoked_at"] is None


def test_revocation_needs_a_reason_and_changes_nothing_without_one(app, client, auth, make_user):
    cert_id, token = _cert(app)
    auth.login(make_user("Admin"))
    url = f"/documents/certificate/{cert_id}/revoke"
    rv = client.post(url, data={"reason": "   ", "csrf_token": csrf_token(client, url)})
    assert "Tuliskan alasan pencabutan" in rv.get_data(as_text=True)
    assert _status(client.get(f"/public/verify/{token}").get_data(as_text=True)) == "valid"


def test_revocation_refused_without_csrf_token(app, client, auth, make_user):
    cert_id, token = _cert(app)
    auth.login(make_user("Admin"))
    rv = client.post(f"/documents/certificate/{cert_id}/revoke", data={"reason": "x"})
    assert rv.status_code == 400
    assert _status(client.get(f"/public/verify/{token}").get_data(as_text=True)) == "valid"


def test_only_admin_may_revoke(app, client, auth, make_user):
    """Other roles and visitors are refused by the permission check: their POSTs carry a valid CSRF token."""
    cert_id, token = _cert(app)
    url = f"/documents/certificate/{cert_id}/revoke"
    form = {"reason": "coba", "csrf_token": csrf_token(client, "/public/complaint")}
    auth.login(make_user("Kepala Dinas"))
    assert client.get(url).status_code == 403
    assert client.post(url, data=form).status_code == 403
    auth.logout()
    anonymous = client.post(url, data=form)
    assert anonymous.status_code == 302 and "/login/" in anonymous.headers["Location"]
    with app.app_context():
        assert db.session.get(Certificate, cert_id).revoked_at is None
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate.revoke")) is None
    assert _status(client.get(f"/public/verify/{token}").get_data(as_text=True)) == "valid"
