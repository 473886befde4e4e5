"""A malformed NIK at the counter and in the console: the field says what is wrong, nothing is stored."""

from __future__ import annotations

from app.core.extensions import db
from models import Applicant, Case
from tests.conftest import count_rows
from tests.console.helpers import post_form
from tests.factories import new_case
from tests.screens.conftest import csrf_from
from tests.screens.test_new_application import URL, _error_after, _valid_form


def test_counter_form_names_the_bad_part_of_the_nik_and_keeps_what_was_typed(app, login_as, client):
    login_as("Front Office")
    data = _valid_form(csrf_from(client.get(URL)))
    data["applicant.nik"] = "1471010001900001"
    applicants, cases = count_rows(app, Applicant), count_rows(app, Case)
    html = client.post(URL, data=data).get_data(as_text=True)
    assert _error_after(html, "applicant.nik").startswith("Tanggal lahir pada NIK")
    assert 'value="1471010001900001"' in html and 'value="Rahmat Hidayat"' in html
    english = client.post(URL + "?lang=en", data=data).get_data(as_text=True)
    assert _error_after(english, "applicant.nik").startswith("The NIK&#39;s date of birth")
    assert (count_rows(app, Applicant), count_rows(app, Case)) == (applicants, cases)


def test_console_refuses_a_malformed_nik_on_an_applicant(app, client, auth, make_user):
    case_id = new_case(app)
    with app.app_context():
        applicant = db.session.get(Case, case_id).applicant
        applicant_id, nik, name = applicant.id, applicant.nik, applicant.name
    auth.login(make_user("Front Office"))
    url = f"/admin/console_applicant/edit/?id={applicant_id}"
    rv = post_form(client, url, {"nik": "0000000000000000", "name": name})
    assert rv.status_code == 200
    assert "Dua angka pertama NIK (00) bukan kode provinsi di Indonesia." in rv.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Applicant, applicant_id).nik == nik
    created = post_form(client, "/admin/console_applicant/new/", {"nik": "1471000101900001", "name": "Baru"})
    assert created.status_code == 200 and "tidak boleh 00" in created.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Applicant).filter_by(name="Baru").count() == 0
    assert post_form(client, url, {"nik": f" {nik} ", "name": name}).status_code == 302
    with app.app_context():
        assert db.session.get(Applicant, applicant_id).nik == nik
