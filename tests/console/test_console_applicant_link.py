"""The front office links a counter-registered applicant to the person's own login."""
from __future__ import annotations

from app.extensions import db
from models import Applicant, Case
from tests.factories import new_case

from .helpers import post_form


def test_front_office_links_the_applicant_and_the_pemohon_then_sees_the_case(app, client, auth, make_user):
    case_id = new_case(app)
    with app.app_context():
        applicant = db.session.get(Case, case_id).applicant
        applicant_id, nik, name = applicant.id, applicant.nik, applicant.name
    pemohon = make_user("Pemohon")
    with app.app_context():
        pemohon_id = app.appbuilder.sm.find_user(username=pemohon).id

    auth.login(pemohon)
    assert client.get(f"/cases/{case_id}").status_code == 403  # not linked yet: someone else's case
    auth.logout()

    auth.login(make_user("Front Office"))
    url = f"/admin/console_applicant/edit/?id={applicant_id}"
    rv = post_form(client, url, {"nik": nik, "name": name, "user": str(pemohon_id)})
    assert rv.status_code == 302
    with app.app_context():
        assert db.session.get(Applicant, applicant_id).user_id == pemohon_id
    auth.logout()

    auth.login(pemohon)
    assert client.get(f"/cases/{case_id}").status_code == 200
