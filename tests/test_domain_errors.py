"""One refusal type (app.core.errors.DomainError), answered the same way everywhere, in the reader's language.

The API answers `{"message"}` plus `{"errors": {field: message}}` when fields are named
(DESIGN.md "JSON API"); screens show the same message. Indonesian by default,
English with `?lang=en` (screens) or `?_l_=en` (FAB's API parameter).
"""

from __future__ import annotations

from models import Complaint, SurveyResponse
from tests.conftest import count_rows, csrf_token

ANSWER = {"service": "TD-BKK", "date": "2026-06-10", "scores": {f"u{i}": 3 for i in range(1, 10)}}
COMPLAINT = {
    "name": "Budi Santoso",
    "phone": "",
    "email": "",
    "address": "Jl. Riau No. 5",
    "subject": "Antrian lama",
    "description": "Saya menunggu dua jam di loket.",
}


def test_every_engine_refusal_is_a_domain_error():
    from app.cases.step_needs import WorkflowError
    from app.complaints.book import ComplaintError
    from app.core.errors import DomainError
    from app.registers import RegisterError
    from app.survey.ikm import SurveyError

    for cls in (WorkflowError, ComplaintError, SurveyError, RegisterError):
        assert issubclass(cls, DomainError)
    refused = WorkflowError(422, "Tidak bisa.", {"note": "Wajib diisi."})
    assert (refused.status, refused.message, refused.fields) == (422, "Tidak bisa.", {"note": "Wajib diisi."})
    assert refused.errors is refused.fields
    assert refused.body() == {"message": "Tidak bisa.", "errors": {"note": "Wajib diisi."}}
    assert SurveyError(409, "Sudah.").body() == {"message": "Sudah."}
    assert RegisterError("Format salah.").status == 400


def test_api_refusal_with_field_errors_is_the_documented_json(client, auth, make_user):
    header = auth.token(make_user("Front Office"))
    rv = client.post("/api/v1/surveys/", json=ANSWER | {"suggestion": "x" * 2001}, headers=header)
    assert rv.status_code == 422
    assert rv.json == {
        "message": "Saran: Paling banyak 2000 karakter.",
        "errors": {"suggestion": "Paling banyak 2000 karakter."},
    }
    assert count_rows(client.application, SurveyResponse) == 0


def test_api_refusal_in_english_on_request(client, auth, make_user):
    header = auth.token(make_user("Front Office"))
    rv = client.post("/api/v1/surveys/?_l_=en", json=ANSWER | {"suggestion": "x" * 2001}, headers=header)
    assert rv.status_code == 422
    assert rv.json == {
        "message": "Suggestion: At most 2000 characters.",
        "errors": {"suggestion": "At most 2000 characters."},
    }
    rv = client.get("/api/v1/surveys/ikm?_l_=en&from=2026-13-01", headers=auth.token(make_user("Kepala Dinas")))
    assert (rv.status_code, rv.json) == (422, {"message": "Dates must be written YYYY-MM-DD."})


def test_complaint_api_refusal_in_indonesian_then_english(client, auth, make_user):
    header = auth.token(make_user("Petugas Pengaduan"))
    body = {
        "channel": "letter",
        "weight": "ringan",
        "complainant": {"name": ""},
        "subject": "Antrian",
        "description": "Lama.",
    }
    rv = client.post("/api/v1/complaints/", json=body, headers=header)
    message = "Nama pengadu wajib diisi."
    assert (rv.status_code, rv.json) == (422, {"message": message, "errors": {"complainant.name": message}})
    rv = client.post("/api/v1/complaints/?_l_=en", json=body, headers=header)
    message = "The complainant's name is required."
    assert (rv.status_code, rv.json) == (422, {"message": message, "errors": {"complainant.name": message}})
    rv = client.post("/api/v1/complaints/?_l_=en", data="not json", headers=header)
    assert (rv.status_code, rv.json) == (400, {"message": "The request body must be a JSON object."})
    assert count_rows(client.application, Complaint) == 0


def test_case_api_names_the_bad_field(client, auth, make_user):
    header = auth.token(make_user("Front Office"))
    rv = client.post("/api/v1/cases/", json={"service": "NO-SUCH"}, headers=header)
    assert rv.status_code == 422
    assert rv.json == {"message": "Layanan tidak dikenal.", "errors": {"service": "Layanan tidak dikenal."}}


def test_register_api_refusal_is_json(client, auth, make_user):
    header = auth.token(make_user("Kepala Dinas"))
    rv = client.get("/api/v1/registers/cases/export?format=doc&_l_=en", headers=header)
    assert (rv.status_code, rv.json) == (400, {"message": "The format must be csv, xlsx or pdf."})


def test_public_complaint_refusal_in_indonesian_by_default_and_english_on_request(app, client):
    url = "/public/complaint"
    rv = client.post(url, data=COMPLAINT | {"csrf_token": csrf_token(client, url)})
    assert rv.status_code == 422
    assert "Cantumkan email atau nomor telepon agar pengaduan dapat dijawab." in rv.get_data(as_text=True)
    url = "/public/complaint?lang=en"
    rv = client.post(url, data=COMPLAINT | {"csrf_token": csrf_token(client, url)})
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422
    assert "Give an email address or a telephone number so that the complaint can be answered." in html
    assert "Cantumkan email" not in html
    assert 'value="Budi Santoso"' in html  # what was typed is kept for correction
    assert count_rows(app, Complaint) == 0


def test_public_survey_refusal_in_english_on_request(app, client):
    url = "/public/services/TD-BKK/survey?lang=en"
    answers = {f"u{i}": "4" for i in range(1, 9)}  # u9 left out
    rv = client.post(url, data=answers | {"csrf_token": csrf_token(client, url)})
    assert rv.status_code == 422
    assert "The score of element U9 (Sarana dan prasarana) is required." in rv.get_data(as_text=True)
    client.get("/public/services/TD-BKK/survey?lang=id")
    url = "/public/services/TD-BKK/survey"
    rv = client.post(url, data=answers | {"csrf_token": csrf_token(client, url)})
    assert "Nilai unsur U9 (Sarana dan prasarana) wajib diisi." in rv.get_data(as_text=True)
    assert count_rows(app, SurveyResponse) == 0


def test_officer_screen_flashes_the_refusal_in_the_officers_language(app, client, auth, make_user):
    auth.login(make_user("Petugas Pengaduan"))
    url = "/complaints/new?lang=en"
    data = {
        "channel": "letter",
        "weight": "ringan",
        "name": "",
        "subject": "Antrian",
        "description": "Lama.",
        "csrf_token": csrf_token(client, url),
    }
    rv = client.post(url, data=data)
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422
    assert "The complainant&#39;s name is required." in html or "The complainant's name is required." in html
    assert count_rows(app, Complaint) == 0
