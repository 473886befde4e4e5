"""The front office links a counter-registered applicant to the person's own login."""

from __future__ import annotations

from app.core.extensions import db
from models import Applicant, Case
from tests.console.helpers import post_form
from tests.factories import new_case


def test_front_office_links_the_applicant_and_the_pemohon_then_sees_the_case(app, client, auth, make_user):
    case_id = new_case(app)
    with app.app_context():
        applicant = db.session.get(Case, case_id).applicant
        applicant_id, nik, name = applicant.id, applicant.nik, applicant.name
    pemohon = make_user("Pemohon")
    with app.app_context():
        pemohon_id = app.appbuilder.sm.find_user(username=pemohon).id

    auth.login(pemohon)
    assert client.get(f"/cases/{case_id}").status_code == 404  # not linked yet: someone else's case
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


def test_login_lookup_offers_self_service_accounts_only_by_username(app, client, auth, make_user):
    """Finding 12: the lookup listed every account, officers included, and matched e-mail addresses."""
    applicant_account = make_user("Pemohon", username="warga_lookup_1")
    make_user("Kepala Dinas", username="warga_lookup_kadis")  # an officer whose name matches the term
    make_user("Pemohon", "Front Office", username="warga_lookup_mixed")  # also an officer
    auth.login(make_user("Front Office"))

    def offered(term: str) -> set[str]:
        rv = client.get(f"/admin/console_applicant/ajax/lookup/?name=user&query={term}")
        assert rv.status_code == 200
        return {label for _id, label in rv.json}

    found = offered("warga_lookup")
    assert any(applicant_account in label for label in found)
    assert not any("kadis" in label or "mixed" in label for label in found)
    assert offered("example.test") == set()  # e-mail addresses are not searched
    # A forged id of an officer's account is not accepted as the applicant's login.
    with app.app_context():
        officer_id = app.appbuilder.sm.find_user(username="warga_lookup_kadis").id
        applicant = db.session.get(Case, new_case(app)).applicant
        applicant_id, nik, name = applicant.id, applicant.nik, applicant.name
    post_form(
        client, f"/admin/console_applicant/edit/?id={applicant_id}", {"nik": nik, "name": name, "user": str(officer_id)}
    )
    with app.app_context():
        assert db.session.get(Applicant, applicant_id).user_id != officer_id
