"""The case page: who sees it, which actions it offers, and what each POST changes."""

from __future__ import annotations

import io
import re

from app.core.extensions import db
from models import Case, InspectionReport
from tests.factories import advance, new_case
from tests.reading import page_text, pdf_text
from tests.screens.conftest import csrf_from

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _actions(html: str) -> list[str]:
    return re.findall(r'class="panel [^"]*sp-action" data-action="(\w+)"', html)


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def _post_act(client, case_id, action, **fields):
    page = client.get(f"/cases/{case_id}")
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "action": action, "version": _version(html), **fields}
    return client.post(f"/cases/{case_id}/act", data=data, follow_redirects=True)


def test_missing_case_is_404(login_as, client):
    login_as("Front Office")
    assert client.get("/cases/999999").status_code == 404


def test_role_without_cases_screens_gets_403(app, login_as, client):
    case_id = new_case(app)
    login_as("Kepegawaian")
    assert client.get(f"/cases/{case_id}").status_code == 403


def test_applicant_cannot_open_someone_elses_case(app, login_as, client):
    case_id = new_case(app)
    login_as("Pemohon")
    rv = client.get(f"/cases/{case_id}")
    assert rv.status_code == 404  # the answer for a case that does not exist: nothing to probe
    with app.app_context():
        assert db.session.get(Case, case_id).registration_no not in rv.get_data(as_text=True)


def test_front_office_at_verify_gets_checklist_and_its_three_actions(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _actions(html) == ["forward", "return", "reject"]
    assert "semua persyaratan wajib harus dicentang" in page_text_lower(html)
    assert 'type="file" name="file-' in html and 'name="checked-' in html
    assert "Kartu kendali" in html


def page_text_lower(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).lower()


def test_officer_of_another_step_sees_the_case_but_no_actions(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 2)
    for role in ("Tim Teknis", "Kepala Bidang"):
        login_as(role)
        rv = client.get(f"/cases/{case_id}")
        html = rv.get_data(as_text=True)
        assert rv.status_code == 200
        assert _actions(html) == []
        assert 'type="file"' not in html and 'name="checked-' not in html


def test_forward_without_checked_requirements_is_refused_and_changes_nothing(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 2)
    before = load_case(case_id)
    login_as("Front Office")
    rv = _post_act(client, case_id, "forward")
    assert "alert-danger" in rv.get_data(as_text=True)
    assert "Foto Copy KTP penanggungjawab BKK" in page_text(rv)  # the missing ones are named
    assert load_case(case_id) == before


def test_stale_version_gets_the_engines_409_message(app, login_as, client, load_case):
    case_id = new_case(app)
    login_as("Front Office")
    page = client.get(f"/cases/{case_id}")
    stale = {"csrf_token": csrf_from(page), "action": "forward", "version": _version(page.get_data(as_text=True))}
    advance(app, case_id, 2)  # another officer acts meanwhile
    before = load_case(case_id)
    rv = client.post(f"/cases/{case_id}/act", data=stale, follow_redirects=True)
    assert "Berkas sudah diubah oleh petugas lain" in page_text(rv)
    assert load_case(case_id) == before


def test_officer_posting_on_a_step_not_theirs_is_refused(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 2)
    before = load_case(case_id)
    login_as("Front Office")
    page = client.get(f"/cases/{case_id}")
    forged = {"csrf_token": csrf_from(page), "action": "forward", "version": _version(page.get_data(as_text=True))}
    login_as("Tim Teknis")  # same browser session: the form is replayed by someone else
    rv = client.post(f"/cases/{case_id}/act", data=forged, follow_redirects=True)
    assert "alert-danger" in rv.get_data(as_text=True)
    assert load_case(case_id) == before


def test_scan_upload_and_tick_through_the_checklist(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    page = client.get(f"/cases/{case_id}")
    html = page.get_data(as_text=True)
    # The per-line post (the page itself sends the whole checklist as one form): same rules, same save.
    line_id = re.search(r'data-requirement="ktp">.*?name="line" value="(\d+)"', html, re.S).group(1)
    action = f"/cases/{case_id}/requirements/{line_id}"
    token = csrf_from(page)

    refused = client.post(action, data={"csrf_token": token, "tick": "1", "checked": "1"}, follow_redirects=True)
    assert "alert-danger" in refused.get_data(as_text=True)  # a document needs its scan first
    fake = client.post(
        action,
        data={"csrf_token": token, "tick": "1", "file": (io.BytesIO(b"MZ not a scan"), "x.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "alert-danger" in fake.get_data(as_text=True)

    rv = client.post(
        action,
        data={"csrf_token": token, "tick": "1", "checked": "1", "file": (io.BytesIO(PDF_BYTES), "ktp.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "alert-success" in rv.get_data(as_text=True)
    with app.app_context():
        line = next(r for r in db.session.get(Case, case_id).requirements if r.requirement.code == "ktp")
        assert line.checked and [s.original_name for s in line.scans] == ["ktp.pdf"]
        scan_id = line.scans[0].id
    scan = client.get(f"/cases/{case_id}/scans/{scan_id}")
    assert scan.status_code == 200 and scan.data == PDF_BYTES


def test_bap_form_at_inspect_records_the_report(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 3)
    login_as("Tim Teknis")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _actions(html) == ["forward", "return", "reject"] and 'name="findings"' in html
    incomplete = _post_act(
        client, case_id, "forward", date="2026-12-01", findings="", recommendation="memenuhi", team="Andi"
    )
    assert "alert-danger" in incomplete.get_data(as_text=True)
    assert load_case(case_id)[1] == 3
    rv = _post_act(
        client,
        case_id,
        "forward",
        date="2026-12-01",
        findings="Ruang kantor 24 m2 sesuai.",
        recommendation="memenuhi",
        team="Andi Saputra\nRina Marlina",
    )
    assert "alert-success" in rv.get_data(as_text=True)
    assert load_case(case_id)[1] == 4
    with app.app_context():
        report = db.session.query(InspectionReport).filter_by(case_id=case_id).one()
        assert report.team == ["Andi Saputra", "Rina Marlina"]
    assert "Ruang kantor 24 m2 sesuai." in page_text(rv)


def test_return_needs_a_reason_and_goes_back(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 5)
    login_as("JF Analis Kebijakan Ahli Muda")
    assert load_case(case_id)[1] == 5
    assert "alert-danger" in _post_act(client, case_id, "return", note="").get_data(as_text=True)
    assert load_case(case_id)[1] == 5
    rv = _post_act(client, case_id, "return", note="Nama sekolah pada draf keliru.")
    assert load_case(case_id)[1] == 4
    assert "Nama sekolah pada draf keliru." in page_text(rv)  # in the control card


def test_handover_records_the_receiver_and_closes_the_case(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 10)
    login_as("Front Office")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'name="received_by"' in html and "sp-certificate-no" in html
    rv = _post_act(client, case_id, "forward", received_by="Rahmat Hidayat", id_no="1471010101900007")
    status, _, _, rows = load_case(case_id)
    assert status == "handed_over" and rows >= 10
    assert "Rahmat Hidayat" in page_text(rv) and _actions(rv.get_data(as_text=True)) == []


def test_case_page_links_the_documents_of_its_stage_and_they_download(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 3)  # before the draft step: no certificate at all
    login_as("Kepala Bidang")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "certificate.pdf" not in html
    assert client.get(f"/documents/case/{case_id}/certificate.pdf").status_code == 404
    advance(app, case_id, 9)  # signed, waiting for its number: the draft (KONSEP) only
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    links = re.findall(r'href="(/documents/case/\d+/[\w-]+\.pdf)"', html)
    kinds = {link.rsplit("/", 1)[1] for link in links}
    assert kinds == {"control-card.pdf", "assignment-letter.pdf", "bap.pdf", "certificate.pdf"}
    assert "sp-certificate-draft" in html and "sp-certificate-pdf" not in html
    for link in links:
        rv = client.get(link)
        assert rv.status_code == 200 and rv.data.startswith(b"%PDF"), link
    draft = pdf_text(client.get(f"/documents/case/{case_id}/certificate.pdf").data)
    assert "KONSEP" in draft and "Nomor: ......" in draft

    advance(app, case_id, 10)  # numbered: the certificate appears
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/documents/case/{case_id}/certificate.pdf" in html
    assert f"/documents/case/{case_id}/reminder-letter.pdf" in html
    assert client.get(f"/documents/case/{case_id}/certificate.pdf").data.startswith(b"%PDF")


def test_handed_over_case_shows_the_one_time_survey_link_until_it_is_used(app, login_as, client):
    from app.survey.ikm import submit_response

    case_id = new_case(app)
    advance(app, case_id, 11)  # past the last step: handed over
    login_as("Front Office")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    link = re.search(r'class="sp-survey-url">([^<]+)<', html).group(1)
    token = link.rsplit("/", 1)[1]
    assert link.startswith(app.config["PUBLIC_BASE_URL"]) and 'src="data:image/png;base64,' in html
    public = app.test_client().get(f"/public/survey/{token}")
    assert public.status_code == 200
    with app.test_request_context():
        submit_response({"scores": {f"u{i}": 3 for i in range(1, 10)}}, invitation_token=token)
    assert "sp-survey-url" not in client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_approval_step_links_the_draft_it_initials_and_it_downloads_as_konsep(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 5)  # the first initial (paraf)
    login_as("JF Analis Kebijakan Ahli Muda")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    forward = html[html.index('data-action="forward"') :].split("</form>")[0]
    link = f'href="/documents/case/{case_id}/certificate.pdf"'
    assert link in forward and "sp-read-draft" in forward  # beside the paraf button
    assert "sp-certificate-draft" in html  # and among the documents
    rv = client.get(f"/documents/case/{case_id}/certificate.pdf")
    assert rv.status_code == 200 and "KONSEP" in pdf_text(rv.data)


def test_signing_needs_the_confirmation_ticked(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 8)
    login_as("Kepala Dinas")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    forward = html[html.index('data-action="forward"') :].split("</form>")[0]
    assert 'type="checkbox" id="sign-confirm" name="confirm"' in forward and "sp-read-draft" in forward
    assert "Saya telah membaca konsep dan menandatangani" in forward
    before = load_case(case_id)

    rv = _post_act(client, case_id, "forward")
    assert rv.status_code == 422
    assert "Centang untuk menyatakan bahwa Anda telah membaca konsep" in page_text(rv)
    assert load_case(case_id) == before  # nothing recorded, still at the sign step
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.current_step_no == 8 and case.signed_by_id is None

    rv = _post_act(client, case_id, "forward", confirm="1")
    assert rv.status_code == 200
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.current_step_no == 9 and case.signed_by_id is not None


def test_api_signing_needs_confirm_true(app, login_as, auth, client):
    case_id = new_case(app)
    advance(app, case_id, 8)
    headers = auth.token(login_as("Kepala Dinas"))
    with app.app_context():
        version = db.session.get(Case, case_id).version
    body = {"action": "forward", "version": version}
    for refused in ({}, {"confirm": False}, {"confirm": "yes"}):
        rv = client.post(f"/api/v1/cases/{case_id}/act", json={**body, "data": refused}, headers=headers)
        assert rv.status_code == 422 and "confirm" in rv.get_json()["errors"], refused
    rv = client.post(f"/api/v1/cases/{case_id}/act", json={**body, "data": {"confirm": True}}, headers=headers)
    assert rv.status_code == 200, rv.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case_id).current_step_no == 9
