"""Every POST form carries a CSRF token and a post without one changes nothing;
object-level checks on the case, document and revocation routes."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.complaints import book as complaints
from app.core.extensions import db
from models import Case, Certificate, Holiday, RequirementScan
from tests.conftest import csrf_token
from tests.factories import SAMPLE_PDF, advance, new_case

FORM_RE = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def _post_forms(html: str) -> list[str]:
    return [f for f in FORM_RE.findall(html) if re.search(r'method=["\']?post', f, re.I)]


@pytest.fixture
def world(app):
    """A case at step 2 with a scan, a numbered case with its certificate, a complaint, a holiday."""
    open_id = new_case(app)
    done_id = new_case(app)
    advance(app, done_id, 10)
    with app.app_context():
        c = complaints.create_complaint(
            {"complainant": {"name": "Budi", "phone": "081266778899"}, "subject": "Antrian", "description": "Lama"},
            source="public",
        )
        holiday = Holiday(date=__import__("datetime").date(2026, 12, 31), name="Libur uji", kind="cuti_bersama")
        db.session.add(holiday)
        db.session.commit()
        cert = db.session.scalar(select(Certificate).where(Certificate.case_id == done_id))
        return {
            "open": open_id,
            "done": done_id,
            "complaint": c.id,
            "holiday": holiday.id,
            "cert": cert.id,
            "token": cert.verify_token,
        }


def test_every_post_form_carries_a_csrf_token(app, client, auth, make_user, world):
    auth.login(make_user("Admin"))
    pages = [
        f"/cases/{world['open']}",
        f"/cases/{world['done']}",
        "/cases/new/TD-BKK",
        f"/complaints/{world['complaint']}",
        "/complaints/new",
        "/survey/entry",
        "/survey/follow-up",
        f"/documents/certificate/{world['cert']}/revoke",
        "/admin/console_holiday/",
        "/admin/console_holiday/new/",
        f"/admin/console_holiday/edit/?id={world['holiday']}",
        "/users/add",
        "/public/complaint",
        "/public/track",
        "/public/services/TD-BKK/survey",
    ]
    seen = 0
    for url in pages:
        rv = client.get(url)
        assert rv.status_code == 200, url
        for form in _post_forms(rv.get_data(as_text=True)):
            seen += 1
            assert 'name="csrf_token"' in form, f"{url}: {form[:200]}"
    assert seen >= len(pages)


def test_posts_without_csrf_token_are_refused_and_change_nothing(app, client, auth, make_user, world):
    auth.login(make_user("Admin"))
    with app.app_context():
        version = db.session.get(Case, world["open"]).version
    attempts = [
        (f"/cases/{world['open']}/act", {"action": "forward", "version": str(version)}),
        (f"/complaints/{world['complaint']}/act", {"action": "sort", "weight": "ringan"}),
        (f"/documents/certificate/{world['cert']}/revoke", {"reason": "Palsu"}),
        ("/admin/console_holiday/delete/", {"id": str(world["holiday"])}),
    ]
    for url, data in attempts:
        rv = client.post(url, data=data)
        assert rv.status_code == 400, url
        assert "Formulir sudah kedaluwarsa" in rv.get_data(as_text=True), url
    with app.app_context():
        assert db.session.get(Case, world["open"]).version == version
        assert db.session.get(complaints.Complaint, world["complaint"]).status == "received"
        assert db.session.get(Certificate, world["cert"]).revoked_at is None
        assert db.session.get(Holiday, world["holiday"]) is not None


def test_only_admin_revokes_a_certificate(app, client, auth, make_user, world):
    auth.login(make_user("Kepala Dinas"))
    assert client.get(f"/documents/certificate/{world['cert']}/revoke").status_code == 403
    csrf = csrf_token(client, "/public/complaint")  # the session's token, valid for every form
    rv = client.post(f"/documents/certificate/{world['cert']}/revoke", data={"reason": "x", "csrf_token": csrf})
    assert rv.status_code == 403
    assert "sah" in client.get(f"/public/verify/{world['token']}").get_data(as_text=True).lower()
    with app.app_context():
        assert db.session.get(Certificate, world["cert"]).revoked_at is None


def test_another_applicant_gets_nothing_of_a_case(app, client, auth, make_user, world):
    with app.app_context():
        case = db.session.get(Case, world["done"])
        name = case.applicant.name
        scan_id = db.session.scalar(
            select(RequirementScan.id)
            .join(RequirementScan.case_requirement)
            .where(RequirementScan.case_requirement.has(case_id=case.id))
        )
        version = case.version
    cid = world["done"]
    stranger = make_user("Pemohon")
    auth.login(stranger)
    for url in (
        f"/cases/{cid}",
        f"/cases/{cid}/scans/{scan_id}",
        f"/cases/{cid}/receipt",
        f"/documents/case/{cid}/certificate.pdf",
        f"/documents/case/{cid}/control-card.pdf",
    ):
        rv = client.get(url)
        assert rv.status_code == 404, url  # as if the case did not exist
        assert name not in rv.get_data(as_text=True) and SAMPLE_PDF[:8] not in rv.data, url
    token = csrf_token(client, "/public/complaint")
    rv = client.post(
        f"/cases/{cid}/act",
        data={"action": "forward", "version": str(version), "csrf_token": token, "received_by": "x", "id_no": "1"},
    )
    assert rv.status_code == 404
    rv = client.post(
        f"/cases/{cid}/requirements/1",
        data={"csrf_token": token, "tick": "1", "checked": "0", "file": (io.BytesIO(SAMPLE_PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert rv.status_code == 404
    headers = auth.token(stranger)
    for url in (f"/api/v1/cases/{cid}", f"/api/v1/cases/{cid}/scans/{scan_id}"):
        rv = client.get(url, headers=headers)
        assert rv.status_code == 404 and name not in rv.get_data(as_text=True), url
    with app.app_context():
        assert db.session.get(Case, cid).version == version
