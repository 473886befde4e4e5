"""The counter's new application: generated form, validation in Indonesian, receipt once."""

from __future__ import annotations

import re

from app.cases import workflow
from app.core.extensions import db
from models import Case
from tests.conftest import count_rows
from tests.reading import page_text
from tests.screens.conftest import csrf_from

URL = "/cases/new/TD-BKK"


def _valid_form(token: str) -> dict:
    return {
        "csrf_token": token,
        "applicant.nik": "1471010101900007",
        "applicant.name": "Rahmat Hidayat",
        "applicant.phone": "0812 7654 3210",
        "applicant.email": "rahmat@example.test",
        "applicant.address": "Jl. Tuanku Tambusai No. 5, Pekanbaru",
        "institution.name": "SMK Muhammadiyah 1 Pekanbaru",
        "institution.address": "Jl. Kaharuddin Nasution",
        "institution.license_no": "421/SMK/2018/77",
        "form.luas_ruangan_m2": "24,5",
        "form.rencana_penempatan": "40",
    }


def _error_after(html: str, name: str) -> str:
    """The message shown under the input called `name`."""
    block = html[html.index(f'name="{name}"') :]
    block = block[: block.index("</div>")]
    match = re.search(r'class="help-block sp-field-error">([^<]+)<', block)
    return match.group(1).strip() if match else ""


def test_form_is_generated_from_the_service_definition(login_as, client):
    login_as("Front Office")
    rv = client.get(URL)
    text = page_text(rv)
    assert rv.status_code == 200
    assert "Luas ruangan kantor (m2)" in text and "Rencana penempatan 1 tahun (orang)" in text
    assert 'name="form.luas_ruangan_m2"' in rv.get_data(as_text=True)
    assert "NIK (16 digit)" in text


def test_service_chooser_links_to_the_form(login_as, client):
    login_as("Front Office")
    assert 'href="/cases/new/TD-BKK"' in client.get("/cases/new/").get_data(as_text=True)


def test_unknown_service_is_404(login_as, client):
    login_as("Front Office")
    assert client.get("/cases/new/NOPE").status_code == 404


def test_officer_without_counter_rights_gets_403_and_nothing_is_created(app, login_as, client):
    login_as("Front Office")
    token = csrf_from(client.get(URL))
    login_as("Tim Teknis")
    before = count_rows(app, Case)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=_valid_form(token)).status_code == 403
    assert count_rows(app, Case) == before


def test_bad_input_shows_indonesian_messages_next_to_each_field(app, login_as, client):
    login_as("Front Office")
    data = _valid_form(csrf_from(client.get(URL)))
    data.update(
        {
            "applicant.nik": "12345",
            "applicant.phone": "021-555-1234",
            "form.luas_ruangan_m2": "",
            "form.rencana_penempatan": "banyak",
        }
    )
    before = count_rows(app, Case)
    rv = client.post(URL, data=data)
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200
    # The engine's own messages (app.cases.input), in Indonesian, under each input.
    assert "NIK harus tepat 16" in _error_after(html, "applicant.nik")
    assert "nomor ponsel Indonesia" in _error_after(html, "applicant.phone")
    assert "wajib" in _error_after(html, "form.luas_ruangan_m2").lower()
    assert "bilangan bulat" in _error_after(html, "form.rencana_penempatan")
    assert _error_after(html, "applicant.name") == ""
    assert 'value="Rahmat Hidayat"' in html  # what was typed is kept
    assert "Permohonan belum disimpan" in page_text(rv)
    assert count_rows(app, Case) == before


def test_missing_csrf_token_is_refused(app, login_as, client):
    login_as("Front Office")
    data = _valid_form("")
    data.pop("csrf_token")
    before = count_rows(app, Case)
    assert client.post(URL, data=data).status_code == 400
    assert count_rows(app, Case) == before


def test_registration_shows_the_tracking_key_once_and_prints_it_once(app, login_as, client):
    login_as("Front Office")
    rv = client.post(URL, data=_valid_form(csrf_from(client.get(URL))))
    assert rv.status_code == 302
    case_url = rv.headers["Location"]
    case_id = int(re.search(r"/cases/(\d+)$", case_url).group(1))

    first = client.get(case_url).get_data(as_text=True)
    key = re.search(r'class="sp-tracking-key">([^<]+)<', first).group(1)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert workflow.check_tracking_key(case, key)
        assert case.registration_no in first
        assert case.form_data == {"luas_ruangan_m2": "24.5", "rencana_penempatan": 40}
        assert case.applicant.phone == "+6281276543210"
        assert key not in (case.tracking_key_hash or "")
    assert "telah didaftarkan" in first
    assert re.search(r"Luas ruangan kantor \(m2\)</th><td>24,5<", first)  # typed and shown with a comma

    again = client.get(case_url).get_data(as_text=True)
    assert key not in again and "sp-tracking-key" not in again

    receipt = client.get(f"/cases/{case_id}/receipt")
    assert receipt.status_code == 200 and key in receipt.get_data(as_text=True)
    reprint = client.get(f"/cases/{case_id}/receipt")
    assert reprint.status_code == 302
    assert key not in client.get(reprint.headers["Location"]).get_data(as_text=True)


def test_applicant_applies_for_themselves_and_the_case_is_theirs(app, login_as, client):
    username = login_as("Pemohon")
    rv = client.post(URL, data=_valid_form(csrf_from(client.get(URL))))
    assert rv.status_code == 302
    case_id = int(rv.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        applicant = db.session.get(Case, case_id).applicant
        # A typed NIK only leaves a claim: the counter links the record after checking the identity card.
        assert (applicant.claimed_by_id, applicant.user_id) == (user.id, None)
    assert f'data-case-id="{case_id}"' in client.get("/cases/").get_data(as_text=True)
