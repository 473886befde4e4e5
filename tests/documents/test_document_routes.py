"""Downloading documents: who may, who may not, and the certificate only once numbered."""

from __future__ import annotations

from doc_rows import CERT_NO, make_case

from tests.reading import pdf_text


def _case(app, **kw) -> int:
    with app.app_context():
        return make_case(**kw)


KINDS = ("certificate", "control-card", "bap", "assignment-letter", "reminder-letter")


def test_officer_of_the_service_downloads_every_document(app, client, auth, make_user):
    case_id = _case(app)
    auth.login(make_user("Front Office"))
    for kind in KINDS:
        rv = client.get(f"/documents/case/{case_id}/{kind}.pdf")
        assert rv.status_code == 200, (kind, rv.status_code)
        assert rv.mimetype == "application/pdf"
    rv = client.get(f"/documents/case/{case_id}/certificate.pdf")
    assert CERT_NO in pdf_text(rv.data)
    assert 'filename="sertifikat-TD-BKK-2026-' in rv.headers["Content-Disposition"]


def test_anonymous_users_get_no_document(app, client):
    case_id = _case(app)
    for kind in KINDS:
        rv = client.get(f"/documents/case/{case_id}/{kind}.pdf")
        assert rv.status_code == 302 and "/login/" in rv.headers["Location"], (kind, rv.status_code)
        assert not rv.data.startswith(b"%PDF")


def test_users_who_cannot_view_the_case_are_refused(app, client, auth, make_user):
    case_id = _case(app)
    auth.login(make_user("Kepegawaian"))
    for kind in KINDS:
        rv = client.get(f"/documents/case/{case_id}/{kind}.pdf")
        # The answer for an unknown case: existence is not revealed.
        assert rv.status_code == 404, (kind, rv.status_code)
        assert not rv.data.startswith(b"%PDF")


def test_applicant_gets_own_case_papers_only(app, client, auth, make_user):
    username = make_user("Pemohon")
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        own = make_case(applicant_user_id=user.id)
        other = make_case(cert_seq=8)
    auth.login(username)
    # Numbered but not handed over yet: not the applicant's yet (app.applicants.cases.certificate_ready).
    assert client.get(f"/documents/case/{own}/certificate.pdf").status_code == 404
    with app.app_context():
        from app.core.extensions import db
        from models import Case

        db.session.get(Case, own).status = "handed_over"
        db.session.commit()
    assert client.get(f"/documents/case/{own}/certificate.pdf").status_code == 200
    rv = client.get(f"/documents/case/{other}/certificate.pdf")
    assert rv.status_code == 404 and not rv.data.startswith(b"%PDF")


def test_certificate_download_refused_before_numbering(app, client, auth, make_user):
    case_id = _case(app, numbered=False)
    auth.login(make_user("Front Office"))
    rv = client.get(f"/documents/case/{case_id}/certificate.pdf")
    assert rv.status_code == 404 and not rv.data.startswith(b"%PDF")
    assert client.get(f"/documents/case/{case_id}/control-card.pdf").status_code == 200


def test_unknown_case_and_kind_are_not_found(app, client, auth, make_user):
    case_id = _case(app)
    auth.login(make_user("Front Office"))
    assert client.get("/documents/case/999999/control-card.pdf").status_code == 404
    assert client.get(f"/documents/case/{case_id}/passwd.pdf").status_code == 404


def test_standard_is_public(client):
    rv = client.get("/documents/standard/TD-BKK.pdf")
    assert rv.status_code == 200
    assert "STANDAR OPERASIONAL PROSEDUR" in pdf_text(rv.data)
    assert client.get("/documents/standard/NOPE.pdf").status_code == 404
