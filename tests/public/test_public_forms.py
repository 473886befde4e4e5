"""The public complaint form and the survey forms: stored once, CSRF-guarded, rate-limited."""

from __future__ import annotations

from sqlalchemy import select

from app.core.extensions import db
from models import Complaint, SurveyInvitation, SurveyResponse
from tests.conftest import count_rows, csrf_token

COMPLAINT = {
    "name": "Budi <b>Santoso</b>",
    "phone": "0812-3456-7890",
    "email": "budi@example.test",
    "address": "Jl. Riau No. 5",
    "subject": "Antrian lama",
    "description": "Saya menunggu dua jam di loket.",
}
ANSWERS = {f"u{i}": "4" for i in range(1, 10)} | {
    "sex": "P",
    "age": "34",
    "education": "SMA",
    "occupation": "swasta",
    "suggestion": "Pertahankan.",
}


def test_public_complaint_is_stored_and_its_number_shown(app, client):
    token = csrf_token(client, "/public/complaint")
    rv = client.post("/public/complaint", data=COMPLAINT | {"csrf_token": token}, follow_redirects=True)
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200
    with app.app_context():
        row = db.session.scalar(select(Complaint))
        assert (row.channel, row.status, row.weight) == ("web_form", "received", None)
        assert row.complainant_phone == "+6281234567890"
        number = row.number
    assert "Pengaduan diterima" in html and number in html
    assert "Budi &lt;b&gt;Santoso" not in html  # the thank-you page repeats nothing typed
    # A reload of the thank-you page does not store it again.
    client.get("/public/complaint/thanks")
    assert count_rows(app, Complaint) == 1


def test_public_complaint_with_bad_input_says_why_and_stores_nothing(app, client):
    token = csrf_token(client, "/public/complaint")
    rv = client.post("/public/complaint", data=COMPLAINT | {"email": "", "phone": "", "csrf_token": token})
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422
    assert "Cantumkan email atau nomor telepon" in html
    assert 'value="Budi &lt;b&gt;Santoso&lt;/b&gt;"' in html  # kept for correction, escaped
    assert count_rows(app, Complaint) == 0


def test_public_forms_refuse_a_post_without_csrf_token(app, client, invitation):
    for url, data in (
        ("/public/complaint", COMPLAINT),
        ("/public/services/TD-BKK/survey", ANSWERS),
        (f"/public/survey/{invitation}", ANSWERS),
    ):
        rv = client.post(url, data=data)
        assert rv.status_code == 400, url
        assert "Formulir sudah kedaluwarsa" in rv.get_data(as_text=True)
    assert count_rows(app, Complaint) == 0
    assert count_rows(app, SurveyResponse) == 0
    with app.app_context():
        assert db.session.scalar(select(SurveyInvitation.used_at)) is None


def test_survey_link_counts_once(app, client, invitation):
    url = f"/public/survey/{invitation}"
    page = client.get(url)
    assert page.status_code == 200 and "Tanda Daftar Bursa Kerja Khusus" in page.get_data(as_text=True)
    rv = client.post(url, data=ANSWERS | {"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert rv.status_code == 200 and "jawaban Anda tersimpan" in rv.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(SurveyResponse))
        assert (row.source, row.u1, row.sex, row.case_id is not None) == ("invited", 4, "P", True)
    again = client.get(url)
    assert again.status_code == 410 and "sudah digunakan" in again.get_data(as_text=True)
    token = csrf_token(client, "/public/services/TD-BKK/survey")  # the used link's page has no form
    replay = client.post(url, data=ANSWERS | {"csrf_token": token})
    assert replay.status_code == 410
    assert count_rows(app, SurveyResponse) == 1


def test_unknown_survey_link_is_404(client):
    rv = client.get("/public/survey/not-a-real-token")
    assert rv.status_code == 404 and "tidak dikenal" in rv.get_data(as_text=True)


def test_general_survey_per_service_needs_every_element(app, client):
    url = "/public/services/TD-BKK/survey"
    partial = {k: v for k, v in ANSWERS.items() if k != "u9"}
    rv = client.post(url, data=partial | {"csrf_token": csrf_token(client, url)})
    assert rv.status_code == 422 and "U9" in rv.get_data(as_text=True)
    assert count_rows(app, SurveyResponse) == 0
    rv = client.post(url, data=ANSWERS | {"csrf_token": csrf_token(client, url)})
    assert rv.status_code == 302
    assert count_rows(app, SurveyResponse) == 1


def test_public_complaint_form_is_rate_limited(app, client):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per minute"
    token = csrf_token(client, "/public/complaint")
    for _ in range(2):
        assert client.post("/public/complaint", data=COMPLAINT | {"csrf_token": token}).status_code == 302
    refused = client.post("/public/complaint", data=COMPLAINT | {"csrf_token": token})
    assert refused.status_code == 429 and "Terlalu banyak permintaan" in refused.get_data(as_text=True)
    assert count_rows(app, Complaint) == 2


def test_public_survey_form_is_rate_limited(app, client):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per minute"
    url = "/public/services/TD-BKK/survey"
    token = csrf_token(client, url)
    for _ in range(2):
        assert client.post(url, data=ANSWERS | {"csrf_token": token}).status_code == 302
    refused = client.post(url, data=ANSWERS | {"csrf_token": token})
    assert refused.status_code == 429 and "Terlalu banyak permintaan" in refused.get_data(as_text=True)
    assert count_rows(app, SurveyResponse) == 2
    assert client.get(url).status_code == 200  # reading the form is not limited


def test_public_complaint_names_the_failing_field_beside_it(app, client):
    """A wrong phone number is marked on the phone field itself; what was typed stays."""
    token = csrf_token(client, "/public/complaint")
    rv = client.post("/public/complaint", data=COMPLAINT | {"phone": "12ab", "csrf_token": token})
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422
    phone_group = html[html.index('for="phone"') - 120 : html.index('id="phone-error"') + 200]
    assert "has-error" in phone_group and "Nomor telepon tidak valid" in phone_group
    assert 'id="subject-error"' not in html  # only the failing field is marked
    assert 'value="Antrian lama"' in html
    assert count_rows(app, Complaint) == 0
