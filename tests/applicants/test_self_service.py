"""A registered applicant applies online (prefilled, institution reused), reads their own case
(card without officers' data, messages, certificate after handover, survey link), and nobody
else's; the counter finds returning applicants by NIK."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.core.extensions import db
from models import Applicant, Case, OutboxMessage
from models.applicants import InstitutionProfile
from tests.applicants.conftest import csrf_of
from tests.factories import SIGNER_NIP, advance, new_case, sample_applicant
from tests.reading import page_text, pdf_text

NEW = "/cases/new/TD-BKK"
# What the officers' card rows hold (tests.factories.role_user: "<role> Petugas", the head's NIP and record).
OFFICERS_DATA = (
    "Front Office Petugas",
    "Tim Teknis Petugas",
    "Kepala Dinas Petugas",
    "Back Office Petugas",
    "Dr. H. Kepala Dinas",
    SIGNER_NIP,
    "Paraf",
)


def _value(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*?value="([^"]*)"', html, re.S)
    if match:
        return match.group(1)
    match = re.search(rf'name="{re.escape(name)}"[^>]*>([^<]*)</textarea>', html)
    return match.group(1) if match else ""


def _apply(client, code: str = "TD-BKK", query: str = "", **fields) -> int:
    """GET the form (prefilled), keep what it holds, add `fields`, POST it: the new case's id."""
    url = f"/cases/new/{code}"
    page = client.get(url + query).get_data(as_text=True)
    names = set(re.findall(r'name="((?:applicant|institution|form)\.[a-z_0-9]+)"', page))
    data = {name: _value(page, name) for name in names}
    data.update(fields)
    data["csrf_token"] = csrf_of(client, url)
    rv = client.post(url, data=data)
    assert rv.status_code == 302, page_text(rv)
    return int(re.search(r"/cases/(\d+)$", rv.headers["Location"]).group(1))


def _td_form(app) -> dict[str, str]:
    from models import Service
    from tests.factories import sample_form

    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        return {f"form.{k}": str(v) for k, v in sample_form(service).items()}


def test_apply_online_prefilled_and_the_institution_reused(app, client, applicant_account):
    email, values = applicant_account()
    page = client.get(NEW).get_data(as_text=True)
    assert _value(page, "applicant.nik") == values["nik"]
    assert _value(page, "applicant.name") == "Rina Marlina"
    assert _value(page, "applicant.email") == email
    assert _value(page, "institution.name") == ""

    first = _apply(
        client,
        **_td_form(app),
        **{
            "applicant.address": "Jl. Melati 3, Pekanbaru",
            "institution.name": "PT Maju Bersama",
            "institution.address": "Jl. Riau 9",
            "institution.license_no": "503/PT/2024/77",
        },
    )
    with app.app_context():
        case = db.session.get(Case, first)
        assert case.applicant.nik == values["nik"] and case.institution.name == "PT Maju Bersama"
        (profile,) = db.session.scalars(select(InstitutionProfile)).all()
        assert profile.name == "PT Maju Bersama"

    # The next application starts from the record (address now known) and the saved institution.
    page = client.get(NEW).get_data(as_text=True)
    assert _value(page, "applicant.address") == "Jl. Melati 3, Pekanbaru"
    assert _value(page, "institution.name") == "PT Maju Bersama"
    assert _value(page, "institution.license_no") == "503/PT/2024/77"

    # Edited on the profile page, reused as edited.
    edit_url = f"/applicant/institutions/{profile.id}"
    rv = client.post(edit_url, data={"csrf_token": csrf_of(client, "/applicant/"), "name": "", "license_no": "x"})
    assert rv.status_code == 422 and "Wajib diisi" in page_text(rv)
    assert 'value="x"' in rv.get_data(as_text=True)
    rv = client.post(
        edit_url,
        data={
            "csrf_token": csrf_of(client, "/applicant/"),
            "name": "PT Maju Bersama Tbk",
            "address": "Jl. Riau 10",
            "license_no": "503/PT/2024/77",
        },
    )
    assert rv.status_code == 302
    second_inst = client.post(
        "/applicant/institutions",
        data={"csrf_token": csrf_of(client, "/applicant/"), "name": "CV Kedua", "address": "", "license_no": ""},
    )
    assert second_inst.status_code == 302
    page = client.get(NEW).get_data(as_text=True)
    assert _value(page, "institution.name") == "CV Kedua"  # first by name
    assert "PT Maju Bersama Tbk" in page  # the other is one click away
    with app.app_context():
        pid = db.session.scalar(select(InstitutionProfile.id).where(InstitutionProfile.name == "PT Maju Bersama Tbk"))
    page = client.get(f"{NEW}?profile={pid}").get_data(as_text=True)
    assert (
        _value(page, "institution.name") == "PT Maju Bersama Tbk"
        and _value(page, "institution.address") == "Jl. Riau 10"
    )
    second = _apply(client, "TD-BKK", f"?profile={pid}", **_td_form(app))
    with app.app_context():
        assert db.session.get(Case, second).institution.name == "PT Maju Bersama Tbk"
        assert db.session.scalar(select(db.func.count()).select_from(InstitutionProfile)) == 2


def test_another_applicants_case_and_profile_answer_404(app, client, auth, applicant_account):
    applicant_account()
    own = _apply(client, **_td_form(app), **{"applicant.address": "Jl. A", "institution.name": "PT Satu"})
    with app.app_context():
        profile_id = db.session.scalar(select(InstitutionProfile.id))
    advance(app, own, 11)
    applicant_account()
    for url in (
        f"/cases/{own}",
        f"/documents/case/{own}/certificate.pdf",
        f"/documents/case/{own}/control-card.pdf",
        f"/applicant/institutions/{profile_id}",
    ):
        assert client.get(url).status_code == 404, url
    rv = client.post(
        f"/applicant/institutions/{profile_id}", data={"csrf_token": csrf_of(client, "/applicant/"), "name": "Direbut"}
    )
    assert rv.status_code == 404
    with app.app_context():
        assert db.session.get(InstitutionProfile, profile_id).name == "PT Satu"


def test_the_applicants_case_page_without_officers_data(app, client, applicant_account):
    applicant_account()
    case_id = _apply(client, **_td_form(app), **{"applicant.address": "Jl. B", "institution.name": "PT Dua"})
    advance(app, case_id, 10)  # numbered: ready for pick-up, not handed over
    page = client.get(f"/cases/{case_id}")
    html, text = page.get_data(as_text=True), page_text(page)
    assert "sp-applicant-card" in html and "Perkembangan (kartu kendali)" in text
    for officer_data in OFFICERS_DATA:
        assert officer_data not in text, officer_data
    assert "sudah selesai" in text  # ready: collect it at the counter
    assert "sp-certificate-pdf" not in html
    assert client.get(f"/documents/case/{case_id}/certificate.pdf").status_code == 404
    assert client.get(f"/documents/case/{case_id}/control-card.pdf").status_code == 404
    # The SMS "ready for collection" is among the messages to the applicant.
    assert "Pesan untuk Anda" in text and "siap diambil di kantor" in text

    advance(app, case_id, 11)  # handed over at the counter
    page = client.get(f"/cases/{case_id}")
    html, text = page.get_data(as_text=True), page_text(page)
    assert "Sudah diserahkan" in text and "sp-certificate-pdf" in html and "sp-survey-url" in html
    for officer_data in OFFICERS_DATA:
        assert officer_data not in text, officer_data
    pdf = client.get(f"/documents/case/{case_id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with app.app_context():
        number = db.session.get(Case, case_id).certificate.number
    assert number in pdf_text(pdf.data)
    survey = re.search(r'href="[^"]*(/public/survey/[^"]+)"', html).group(1)
    assert client.get(survey).status_code == 200


def test_the_counter_finds_a_returning_applicant_by_nik(app, client, auth, make_user, login_as):
    person = sample_applicant(name="Hendra Gunawan")
    case_id = new_case(app, applicant=person)
    login_as("Front Office")
    url = "/applicants/search"
    rv = client.post(url, data={"csrf_token": csrf_of(client, url), "nik": person["nik"]})
    html, text = rv.get_data(as_text=True), page_text(rv)
    assert rv.status_code == 200 and "Hendra Gunawan" in text and person["nik"] in text
    with app.app_context():
        case = db.session.get(Case, case_id)
        applicant_id, registration_no, institution = case.applicant_id, case.registration_no, case.institution.name
    assert registration_no in text and institution in text
    for href in re.findall(r'(?:href|action)="([^"]+)"', html):
        assert person["nik"] not in href  # never in a URL
    link = f"/cases/new/TD-BKK?applicant={applicant_id}"
    assert link in html.replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert _value(form, "applicant.nik") == person["nik"] and _value(form, "applicant.name") == "Hendra Gunawan"
    assert _value(form, "institution.name") == institution

    rv = client.post(url, data={"csrf_token": csrf_of(client, url), "nik": "1234"})
    assert rv.status_code == 422 and "16 angka" in page_text(rv)
    other = sample_applicant()["nik"]
    rv = client.post(url, data={"csrf_token": csrf_of(client, url), "nik": other})
    assert rv.status_code == 200 and "Belum ada pemohon" in page_text(rv)
    assert other not in rv.get_data(as_text=True)  # masked: the counter typed it, the page needs not repeat it
    # A partial NIK finds nothing: exact match only.
    near = person["nik"][:15] + ("8" if person["nik"].endswith("9") else "9")  # another NIK, one digit off
    rv = client.post(url, data={"csrf_token": csrf_of(client, url), "nik": near})
    assert "Hendra Gunawan" not in page_text(rv)


def test_only_the_counter_may_search_by_nik(app, client, login_as, applicant_account):
    person = sample_applicant(name="Sari Rahayu")
    new_case(app, applicant=person)
    url = "/applicants/search"
    for role in ("Tim Teknis", "Kepala Dinas"):
        login_as(role)
        assert client.get(url).status_code == 403, role
        token = csrf_of(client, "/public/complaint")  # the session's token, valid for every form
        rv = client.post(url, data={"csrf_token": token, "nik": person["nik"]})
        assert rv.status_code == 403 and "Sari Rahayu" not in rv.get_data(as_text=True), role
    applicant_account()
    assert client.get(url).status_code == 403
    # The counter's prefill by record id is the counter's too: an applicant gets only their own data.
    with app.app_context():
        applicant_id = db.session.scalar(select(Applicant.id).where(Applicant.nik == person["nik"]))
    form = client.get(f"/cases/new/TD-BKK?applicant={applicant_id}").get_data(as_text=True)
    assert "Sari Rahayu" not in form and person["nik"] not in form


def test_the_counter_confirms_an_online_applicant_at_the_nik_search(app, client, auth, login_as, applicant_account):
    email, values = applicant_account()
    own = _apply(client, **_td_form(app), **{"applicant.address": "Jl. C", "institution.name": "PT Tiga"})
    counter_case = new_case(app, applicant=sample_applicant(nik=values["nik"], name="Rina Marlina"))
    # The counter registered another application under the NIK: hidden until the identity is confirmed.
    assert client.get(f"/cases/{counter_case}").status_code == 404

    login_as("Front Office")
    url = "/applicants/search"
    rv = client.post(url, data={"csrf_token": csrf_of(client, url), "nik": values["nik"]})
    assert email in page_text(rv) and "sp-confirm-identity" in rv.get_data(as_text=True)
    with app.app_context():
        applicant_id = db.session.scalar(select(Applicant.id).where(Applicant.nik == values["nik"]))
    rv = client.post(
        f"/applicants/{applicant_id}/confirm-identity", data={"csrf_token": csrf_of(client, url), "decision": "confirm"}
    )
    assert rv.status_code == 200 and "Identitas dikonfirmasi" in page_text(rv)

    auth.logout()
    auth.login(email, "Kelinci-Merah-Lompat-7391")
    assert client.get(f"/cases/{counter_case}").status_code == 200
    assert client.get(f"/cases/{own}").status_code == 200
    profile = client.get("/applicant/")
    assert "Identitas sudah dikonfirmasi" in page_text(profile) and values["nik"] in page_text(profile)


def test_an_applicant_of_a_service_defined_here_applies_online(app, client, applicant_account, lambda_service):
    applicant_account()
    home = page_text(client.get("/applicant/"))
    assert "UJI-LAMBDA" in home and "Izin Uji Lambda" in home
    case_id = _apply(
        client,
        "UJI-LAMBDA",
        **{"applicant.address": "Jl. D", "institution.name": "Bengkel Lambda", "form.jumlah_mesin": "3"},
    )
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "Kirim permohonan" in page_text(page)
    assert "Unggah" in page_text(page) or 'type="file"' in page.get_data(as_text=True)
    advance(app, case_id, 7)
    page = client.get(f"/cases/{case_id}")
    text = page_text(page)
    assert "Sudah diserahkan" in text and "Loket Lambda Uji Petugas" not in text and "Penera Lambda Uji" not in text
    assert client.get(f"/documents/case/{case_id}/certificate.pdf").data.startswith(b"%PDF")
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).all()
        assert messages  # the ready SMS, listed on the page
    assert "Menyerahkan izin Lambda" in text


def test_returned_reason_and_the_api_card_without_officers(app, client, auth, applicant_account):
    from app.cases import workflow
    from tests.factories import role_user

    email, _values = applicant_account()
    case_id = _apply(client, **_td_form(app), **{"applicant.address": "Jl. E", "institution.name": "PT Lima"})
    advance(app, case_id, 2)
    with app.app_context():
        case = db.session.get(Case, case_id)
        workflow.act(case, role_user(app, "Front Office"), "return", case.version, note="Scan akta buram")
    page = client.get(f"/cases/{case_id}")
    assert "Dikembalikan untuk dilengkapi: Scan akta buram" in page_text(page)
    assert "Front Office Petugas" not in page_text(page)

    body = client.get(f"/api/v1/cases/{case_id}", headers=auth.token(email, "Kelinci-Merah-Lompat-7391")).json
    assert body["control_card"] and all(
        row["officer"] is None and row["initial"] is None for row in body["control_card"]
    )
