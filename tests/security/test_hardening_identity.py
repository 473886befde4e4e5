"""Security review, identity and evidence findings, replayed as attacks that must now fail.

1. an applicant account that typed a NIK first does not take over the case the
   counter registers for the real person (claim, warning, confirmation);
3. anonymous posts to the open survey form do not move the official IKM;
6. the checklist does not change after verification;
10. the tracking key is not readable in the session cookie;
11. the NIK is masked outside the counter and the confirmed applicant, and is
    never searched through a URL.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from models import Applicant, AuditLog, Case, CaseRequirement, RequirementScan, SurveyResponse
from tests.conftest import csrf_token
from tests.factories import SAMPLE_PDF, advance, new_case, sample_applicant, sample_institution

FORM = {"luas_ruangan_m2": "40", "rencana_penempatan": "5"}


def _masked(nik: str) -> str:
    return nik[:4] + "********" + nik[-4:]


def _create(client, headers, applicant):
    return client.post(
        "/api/v1/cases/",
        headers=headers,
        json={"service": "TD-BKK", "applicant": applicant, "institution": sample_institution(), "form": FORM},
    )


def _upload(client, headers, case_id, code="ktp"):
    return client.post(
        f"/api/v1/cases/{case_id}/requirements/{code}",
        headers=headers,
        data={"file": (io.BytesIO(SAMPLE_PDF), "ktp.pdf")},
        content_type="multipart/form-data",
    )


# --- finding 1: a NIK typed first claims nothing ------------------------------------------


@pytest.fixture
def squatted(app, client, auth, make_user):
    """An applicant account applied first with a NIK; then the counter registered the real person."""
    attacker_name = make_user("Pemohon")
    attacker = auth.token(attacker_name)
    counter = auth.token(make_user("Front Office"))
    nik = sample_applicant()["nik"]
    own = _create(client, attacker, sample_applicant(nik=nik, name="Penyerang", phone="0813-9999-0000"))
    assert own.status_code == 201
    victim = sample_applicant(
        nik=nik, name="Korban Asli", phone="0812-1111-2222", address="Jl. Rahasia No. 7, Pekanbaru"
    )
    registered = _create(client, counter, victim)
    assert registered.status_code == 201
    assert _upload(client, counter, registered.json["id"]).status_code == 201
    return {
        "attacker": attacker,
        "attacker_name": attacker_name,
        "counter": counter,
        "nik": nik,
        "own_id": own.json["id"],
        "victim_id": registered.json["id"],
        "registered": registered.json,
    }


def test_counter_answer_warns_that_an_account_claimed_the_nik(squatted):
    warnings = squatted["registered"]["warnings"]
    assert warnings and "akun daring" in warnings[0]
    assert squatted["registered"]["identity_pending"] is True


def test_claiming_account_lists_its_own_case_without_the_persons_name(client, auth, squatted):
    auth.login(squatted["attacker_name"])
    for page in ("/cases/worklist/", "/cases/"):
        html = client.get(page).get_data(as_text=True)
        assert "Korban Asli" not in html, page
    assert client.get(f"/cases/{squatted['victim_id']}").status_code == 404


def test_claiming_account_cannot_read_download_or_cancel_the_counter_case(app, client, squatted):
    attacker, victim_id = squatted["attacker"], squatted["victim_id"]
    assert client.get(f"/api/v1/cases/{victim_id}", headers=attacker).status_code == 404
    with app.app_context():
        scan_id = db.session.scalar(
            select(RequirementScan.id).join(CaseRequirement).where(CaseRequirement.case_id == victim_id)
        )
    assert client.get(f"/api/v1/cases/{victim_id}/scans/{scan_id}", headers=attacker).status_code == 404
    assert client.get(f"/api/v1/cases/{victim_id}/documents/control-card", headers=attacker).status_code == 404
    rv = client.post(
        f"/api/v1/cases/{victim_id}/act",
        headers=attacker,
        json={"action": "cancel", "version": squatted["registered"]["version"]},
    )
    assert rv.status_code == 404
    listed = client.get("/api/v1/cases/", headers=attacker).json
    assert [c["id"] for c in listed["result"]] == [squatted["own_id"]]
    # Its own application no longer shows the person the counter registered under that NIK.
    own = client.get(f"/api/v1/cases/{squatted['own_id']}", headers=attacker)
    assert own.status_code == 200
    body = json.dumps(own.json)
    assert "Korban Asli" not in body and "1111" not in body and "Rahasia" not in body
    with app.app_context():
        assert db.session.get(Case, victim_id).status == "in_progress"
        person = db.session.scalar(select(Applicant).where(Applicant.nik == squatted["nik"]))
        assert person.user_id is None and person.name == "Korban Asli"


def test_claiming_account_cannot_overwrite_the_counter_record_afterwards(app, client, squatted):
    rv = _create(
        client, squatted["attacker"], sample_applicant(nik=squatted["nik"], name="Penyerang", phone="0813-9999-0000")
    )
    assert rv.status_code == 422
    with app.app_context():
        person = db.session.scalar(select(Applicant).where(Applicant.nik == squatted["nik"]))
        assert person.phone == "+6281211112222"


def test_only_the_counter_confirms_identity_and_then_the_account_reads_the_record(
    app, client, auth, make_user, squatted
):
    url = f"/api/v1/cases/{squatted['victim_id']}/confirm_identity"
    assert client.post(url, headers=squatted["attacker"], json={}).status_code in (403, 404)
    assert client.post(url, headers=auth.token(make_user("Tim Teknis")), json={}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Applicant.user_id).where(Applicant.nik == squatted["nik"])) is None
    rv = client.post(url, headers=squatted["counter"], json={"confirm": True})
    assert rv.status_code == 200 and rv.json["identity_pending"] is False
    with app.app_context():
        person = db.session.scalar(select(Applicant).where(Applicant.nik == squatted["nik"]))
        assert person.user_id is not None and person.claimed_by_id is None
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "applicant.identity_confirmed"))
    # Confirmed: the account is now that person's and reads the record's cases.
    assert client.get(f"/api/v1/cases/{squatted['victim_id']}", headers=squatted["attacker"]).status_code == 200
    assert client.post(url, headers=squatted["counter"], json={}).status_code == 409


def test_counter_refuses_a_claim_and_the_account_stays_out(app, client, squatted):
    url = f"/api/v1/cases/{squatted['victim_id']}/confirm_identity"
    assert client.post(url, headers=squatted["counter"], json={"confirm": False}).status_code == 200
    with app.app_context():
        person = db.session.scalar(select(Applicant).where(Applicant.nik == squatted["nik"]))
        assert person.user_id is None and person.claimed_by_id is None
    assert client.get(f"/api/v1/cases/{squatted['victim_id']}", headers=squatted["attacker"]).status_code == 404


def test_counter_form_warns_and_confirms_on_the_case_page(app, client, auth, make_user):
    attacker = auth.token(make_user("Pemohon"))
    nik = sample_applicant()["nik"]
    assert _create(client, attacker, sample_applicant(nik=nik, name="Penyerang")).status_code == 201
    counter = make_user("Front Office")
    auth.login(counter)
    url = "/cases/new/TD-BKK"
    data = {f"applicant.{k}": v for k, v in sample_applicant(nik=nik, name="Korban Loket").items()}
    data |= {f"institution.{k}": v for k, v in sample_institution().items()}
    data |= {"form.luas_ruangan_m2": "30", "form.rencana_penempatan": "4", "csrf_token": csrf_token(client, url)}
    rv = client.post(url, data=data)
    assert rv.status_code == 302
    case_id = int(re.search(r"/cases/(\d+)$", rv.headers["Location"]).group(1))
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "sp-identity-warning" in page and "akun daring" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    rv = client.post(f"/cases/{case_id}/confirm-identity", data={"decision": "confirm", "csrf_token": token})
    assert rv.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Applicant.user_id).where(Applicant.nik == nik)) is not None


# --- finding 3: the open survey form does not move the official index ----------------------


def _answers(score: str) -> dict:
    return {f"u{i}": score for i in range(1, 10)} | {
        "sex": "P",
        "age": "30",
        "education": "SMA",
        "occupation": "swasta",
    }


def test_anonymous_open_form_posts_do_not_change_the_official_ikm(app, client, auth, make_user):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "100 per minute"
    typist = auth.token(make_user("Front Office"))
    reader = auth.token(make_user("Kepala Dinas"))
    for _ in range(2):
        rv = client.post(
            "/api/v1/surveys/", headers=typist, json={"service": "TD-BKK", "scores": {f"u{i}": 4 for i in range(1, 10)}}
        )
        assert rv.status_code == 201
    before = client.get("/api/v1/surveys/ikm?service=TD-BKK", headers=reader).json
    assert before["grade"] == "A"
    url = "/public/services/TD-BKK/survey"
    token = csrf_token(client, url)
    for _ in range(8):
        assert client.post(url, data=_answers("1") | {"csrf_token": token}).status_code == 302
    after = client.get("/api/v1/surveys/ikm?service=TD-BKK", headers=reader).json
    assert (after["ikm"], after["grade"], after["respondents"]) == (before["ikm"], "A", 2)
    assert after["open_form"]["respondents"] == 8 and after["open_form"]["counted_in_ikm"] is False
    assert "tidak dihitung dalam IKM resmi" in after["open_form"]["note"]
    with app.app_context():
        sources = sorted(db.session.scalars(select(SurveyResponse.source)))
        assert sources == ["open"] * 8 + ["paper"] * 2
        from app.reports.dashboard import Period, overview

        data = overview(Period(start=date(2000, 1, 1), end=date.today() + timedelta(days=1)))
        assert data["ikm"]["grade"] == "A" and data["ikm_open"]["respondents"] == 8


def test_open_form_answers_are_shown_apart_on_the_report_and_the_register(app, client, auth, make_user):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "100 per minute"
    url = "/public/services/TD-BKK/survey"
    token = csrf_token(client, url)
    for _ in range(3):
        assert client.post(url, data=_answers("1") | {"csrf_token": token}).status_code == 302
    auth.login(make_user("Kepala Dinas"))
    page = client.get("/survey/").get_data(as_text=True)
    assert "Jawaban formulir terbuka, tidak dihitung dalam IKM resmi" in page
    assert re.search(r'sp-open-respondents">3<', page)
    admin = auth.token(make_user("Admin"))
    official = client.get("/api/v1/registers/surveys/export?format=csv", headers=admin).get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(official.lstrip("\ufeff"))))) == 1  # header only
    apart = client.get("/api/v1/registers/surveys/export?format=csv&status=open", headers=admin)
    assert len(list(csv.reader(io.StringIO(apart.get_data(as_text=True).lstrip("\ufeff"))))) == 4


# --- finding 6: evidence is frozen after verification --------------------------------------


def test_checklist_cannot_change_after_verification_through_the_api(app, client, auth, make_user):
    case_id = new_case(app)
    advance(app, case_id, 5)
    counter = auth.token(make_user("Front Office"))
    with app.app_context():
        scans = db.session.query(RequirementScan).count()
    rv = _upload(client, counter, case_id)
    assert rv.status_code == 409 and "verifikasi" in rv.json["message"]
    rv = client.post(f"/api/v1/cases/{case_id}/requirements/ktp", headers=counter, json={"checked": False})
    assert rv.status_code == 409
    with app.app_context():
        assert db.session.query(RequirementScan).count() == scans
        case = db.session.get(Case, case_id)
        assert all(line.checked for line in case.requirements if line.requirement.required)


def test_checklist_cannot_change_after_verification_on_the_page(app, client, auth, make_user):
    case_id = new_case(app)
    advance(app, case_id, 5)
    auth.login(make_user("Front Office"))
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'name="tick"' not in page  # the page offers no checklist change either
    with app.app_context():
        line = next(r for r in db.session.get(Case, case_id).requirements if r.requirement.code == "ktp")
        line_id = line.id
    token = csrf_token(client, "/cases/new/TD-BKK")
    client.post(f"/cases/{case_id}/requirements/{line_id}", data={"tick": "1", "checked": "0", "csrf_token": token})
    with app.app_context():
        assert db.session.get(CaseRequirement, line_id).checked is True


# --- finding 10: the tracking key is not in the cookie -----------------------------------


def _cookie_payload(app, client) -> str:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    raw = cookie.value if cookie else ""
    payload = raw.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if raw.startswith("."):
        data = zlib.decompress(data)
    return raw + data.decode("utf-8", "replace")


def test_tracking_key_is_not_readable_in_the_session_cookie(app, client, auth, make_user):
    auth.login(make_user("Front Office"))
    url = "/cases/new/TD-BKK"
    data = {f"applicant.{k}": v for k, v in sample_applicant().items()}
    data |= {f"institution.{k}": v for k, v in sample_institution().items()}
    data |= {"form.luas_ruangan_m2": "30", "form.rencana_penempatan": "4", "csrf_token": csrf_token(client, url)}
    rv = client.post(url, data=data)
    case_id = int(re.search(r"/cases/(\d+)$", rv.headers["Location"]).group(1))
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    key = re.search(r'class="sp-tracking-key">([^<]+)<', page).group(1)
    stored = _cookie_payload(app, client)
    assert key not in stored and key.replace("-", "") not in stored
    receipt = client.get(f"/cases/{case_id}/receipt")
    assert receipt.status_code == 200 and key in receipt.get_data(as_text=True)


# --- finding 11: the NIK is masked outside the counter ---------------------------------------


def test_nik_is_masked_for_other_executors_on_the_page_and_the_api(app, client, auth, make_user):
    nik = sample_applicant()["nik"]
    case_id = new_case(app, applicant=sample_applicant(nik=nik))
    auth.login(make_user("Tim Teknis"))
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert nik not in page and _masked(nik) in page
    body = client.get(f"/api/v1/cases/{case_id}", headers=auth.token(make_user("Sekretaris")))
    assert body.status_code == 200
    assert nik not in body.get_data(as_text=True) and body.json["applicant_details"]["nik"] == _masked(nik)
    counter = client.get(f"/api/v1/cases/{case_id}", headers=auth.token(make_user("Front Office")))
    assert counter.json["applicant_details"]["nik"] == nik


def test_cases_register_masks_the_nik_unless_the_reader_registers_cases(app, client, auth, make_user):
    nik = sample_applicant()["nik"]
    new_case(app, applicant=sample_applicant(nik=nik))
    leader = client.get("/api/v1/registers/cases/export?format=csv", headers=auth.token(make_user("Kepala Bidang")))
    assert leader.status_code == 200
    text = leader.get_data(as_text=True)
    assert nik not in text and _masked(nik) in text
    pdf = client.get("/api/v1/registers/cases/export?format=pdf", headers=auth.token(make_user("Kepala Bidang")))
    assert pdf.status_code == 200
    admin = client.get("/api/v1/registers/cases/export?format=csv", headers=auth.token(make_user("Admin")))
    assert nik in admin.get_data(as_text=True)


def test_all_cases_search_never_keeps_a_nik_in_the_url(app, client, auth, make_user):
    nik = sample_applicant()["nik"]
    new_case(app, applicant=sample_applicant(nik=nik))
    auth.login(make_user("Kepala Bidang"))
    rv = client.get(f"/cases/?q={nik}&status=in_progress")
    assert rv.status_code == 302 and nik not in rv.headers["Location"]
    assert "status=in_progress" in rv.headers["Location"]
    spaced = " ".join(nik[i : i + 4] for i in range(0, 16, 4))
    assert client.get("/cases/", query_string={"q": spaced}).status_code == 302
