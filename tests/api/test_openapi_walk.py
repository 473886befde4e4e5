"""Real answers of whole case walks, and of every other call, validated against /api/v1/openapi.json.

Cases go from registration to handover through the JSON API on the shipped TD-BKK and on a
service written in this file, each request and answer checked by `CheckedApi` (conftest).
Refusals are provoked too (401, 400, 403, 404, 409, 422): their status and their
`{"message", "errors"?}` body must be in the document as well.
"""

from __future__ import annotations

import copy

import pytest

from app.services.yaml_format import dump
from tests.definitions.walker import walk_case
from tests.factories import sample_applicant, sample_institution

# A service no shipped file defines: kinds in another order, other executors, no institution.
OTHER = {
    "format": 1,
    "code": "UJI-OAS",
    "name": "Izin Uji Dokumen API",
    "product": "Surat Izin Uji API",
    "fee": 0,
    "completion_working_days": 4,
    "number_format": "{seq:03d}/OAS/{year}",
    "institution": "none",
    "certificate": {"title": "Surat Izin Uji API", "body": "Dengan ini diberikan izin kepada:"},
    "standard": {"legal_basis": ["Peraturan Uji Nomor 2 Tahun 2026"]},
    "executors": [
        {"code": "pemohon_oas", "name": "Pemohon OAS", "applicant": True},
        {"code": "loket_oas", "name": "Loket OAS"},
        {"code": "penelaah_oas", "name": "Penelaah OAS"},
        {"code": "pejabat_oas", "name": "Pejabat OAS"},
    ],
    "requirements": [
        {"code": "ktp", "name": "Salinan KTP", "required": True, "document": True},
        {"code": "pernyataan", "name": "Surat pernyataan", "required": False, "document": False},
    ],
    "form": [
        {"name": "jumlah", "label": "Jumlah", "type": "integer", "required": True, "min": 1, "max": 50},
        {"name": "jenis", "label": "Jenis", "type": "choice", "required": True, "choices": ["a", "b"]},
    ],
    "steps": [
        {
            "no": 1,
            "activity": "Menerima berkas",
            "kind": "intake",
            "executors": ["pemohon_oas", "loket_oas"],
            "minutes": 10,
        },
        {
            "no": 2,
            "activity": "Memeriksa berkas",
            "kind": "verify",
            "executors": ["loket_oas"],
            "minutes": 20,
            "returns_to": "applicant",
        },
        {"no": 3, "activity": "Menyusun naskah", "kind": "draft", "executors": ["penelaah_oas"], "hours": 1},
        {"no": 4, "activity": "Menelaah", "kind": "approve", "executors": ["pejabat_oas"], "hours": 1, "returns_to": 3},
        {"no": 5, "activity": "Menandatangani", "kind": "sign", "executors": ["pejabat_oas"], "working_days": 1},
        {"no": 6, "activity": "Memberi nomor", "kind": "number", "executors": ["penelaah_oas"], "minutes": 5},
        {
            "no": 7,
            "activity": "Menyerahkan",
            "kind": "handover",
            "executors": ["pemohon_oas", "loket_oas"],
            "minutes": 5,
        },
    ],
}


def _staff(checked, make_user, code: str) -> dict[str, str]:
    """{executor code: a user holding that executor's role only}, read from the services call."""
    reader = make_user("Front Office")
    service = next(s for s in checked.get(reader, "/api/v1/services/").json["result"] if s["code"] == code)
    return {
        e["code"]: make_user(e["name"], first_name=e["name"].split()[0], last_name="Uji") for e in service["executors"]
    }


def _after_the_walk(checked, staff: dict[str, str], case: dict) -> None:
    """What an integrator reads of a finished case: the case, its PDFs, its scans, the worklist."""
    officer = next(u for c, u in staff.items() if c != next(iter(staff)))
    reader = staff[next(c for c in staff if checked.get(staff[c], f"/api/v1/cases/{case['id']}").status_code == 200)]
    shown = checked.get(reader, f"/api/v1/cases/{case['id']}")
    assert shown.json["status"] == "handed_over" and shown.json["version"] == case["version"]
    kinds = checked.spec["paths"]["/api/v1/cases/{case_id}/documents/{kind}"]["parameters"][1]["schema"]["enum"]
    pdfs = {kind: checked.get(reader, f"/api/v1/cases/{case['id']}/documents/{kind}") for kind in kinds}
    assert pdfs["certificate"].status_code == 200 and pdfs["certificate"].data.startswith(b"%PDF")
    assert pdfs["control-card"].status_code == 200
    scans = [s for line in shown.json["requirements"] for s in line["scans"]]
    assert scans, "the verify step stored a scan"
    scan = checked.get(reader, f"/api/v1/cases/{case['id']}/scans/{scans[0]['id']}")
    assert scan.status_code == 200 and scan.data.startswith(b"%PDF")
    assert checked.get(reader, f"/api/v1/cases/{case['id']}/scans/999999").status_code == 404
    listing = checked.get(officer, f"/api/v1/cases/?status=in_progress&service={case['service']}")
    assert listing.status_code == 200 and listing.json["count"] == len(listing.json["result"])


def test_td_bkk_walk_answers_as_the_document_says(app, checked, make_user):
    staff = _staff(checked, make_user, "TD-BKK")
    case = walk_case(app, checked, staff, "TD-BKK")
    assert case["refusals"] > 0 and case["certificate_no"]
    _after_the_walk(checked, staff, case)
    statuses = {status for _m, _p, status in checked.checked}
    assert {200, 201, 403, 404} <= statuses


def test_service_written_here_walks_as_the_document_says(app, runner, tmp_path, checked, make_user):
    path = tmp_path / "uji-oas.yaml"
    path.write_text(dump(copy.deepcopy(OTHER)), encoding="utf-8")
    result = runner.invoke(args=["service", "load", str(path)])
    assert result.exit_code == 0, result.output
    staff = _staff(checked, make_user, "UJI-OAS")
    case = walk_case(app, checked, staff, "UJI-OAS")
    assert case["certificate_no"].endswith("/OAS/" + case["certificate_no"][-4:])
    assert case["institution"] is None
    _after_the_walk(checked, staff, case)


def test_refusals_have_the_documented_status_and_body(checked, make_user):
    counter = make_user("Front Office")
    other = make_user("Kepala Dinas")
    body = {
        "service": "TD-BKK",
        "applicant": sample_applicant(),
        "institution": sample_institution(),
        "form": {"luas_ruangan_m2": "48.5", "rencana_penempatan": "25"},
    }
    created = checked.post(counter, "/api/v1/cases/", json=body)
    assert created.status_code == 201 and created.json["tracking_key"]
    case_id, version = created.json["id"], created.json["version"]

    # 401: no token, or a token that is not one.
    assert checked.get(None, "/api/v1/cases/", valid_request=False).status_code == 401
    bad = checked.get(None, "/api/v1/cases/", valid_request=False, headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and set(bad.json) == {"message"}
    # 400: not a JSON object.
    rv = checked.post(counter, f"/api/v1/cases/{case_id}/act", valid_request=False, data="x", content_type="text/plain")
    assert rv.status_code == 400
    # 413: a body over MAX_BODY_BYTES.
    big = {"action": "forward", "version": version, "note": "x" * 300_000}
    assert checked.post(counter, f"/api/v1/cases/{case_id}/act", json=big).status_code == 413
    # 403: a role that does not hold the step; 404: a case that does not exist.
    rv = checked.post(other, f"/api/v1/cases/{case_id}/act", json={"action": "forward", "version": version})
    assert rv.status_code in (403, 404)
    assert checked.get(counter, "/api/v1/cases/999999").status_code == 404
    # 409: a stale version.
    rv = checked.post(counter, f"/api/v1/cases/{case_id}/act", json={"action": "forward", "version": version + 5})
    assert rv.status_code == 409
    # 422: forward at the verify step with nothing checked (the field-level errors travel in `errors`).
    assert (
        checked.post(
            counter, f"/api/v1/cases/{case_id}/act", json={"action": "forward", "version": version}
        ).status_code
        == 200
    )
    refused = checked.post(counter, f"/api/v1/cases/{case_id}/act", json={"action": "forward", "version": version + 1})
    assert refused.status_code == 422 and refused.json["message"]
    # 422: an unknown service; 409: no online account waits for this NIK.
    rv = checked.post(counter, "/api/v1/cases/", json={**body, "service": "NOPE"})
    assert rv.status_code == 422 and "service" in rv.json["errors"]
    assert checked.post(counter, f"/api/v1/cases/{case_id}/confirm_identity", json={"confirm": True}).status_code == 409
    # Requirement: tick (200), a document line without its scan (422), a bad body (400).
    line = created.json["requirements"][0]
    rv = checked.post(counter, f"/api/v1/cases/{case_id}/requirements/{line['code']}", json={"checked": True})
    assert rv.status_code in (200, 422)
    rv = checked.post(counter, f"/api/v1/cases/{case_id}/requirements/{line['code']}", valid_request=False, json={})
    assert rv.status_code == 400
    # A certificate before the draft step does not exist yet.
    assert checked.get(counter, f"/api/v1/cases/{case_id}/documents/certificate").status_code == 404


def test_login_refresh_menu_and_the_document_itself(checked, make_user):
    user = make_user("Front Office")
    login = checked.post(
        None, "/api/v1/security/login", json={"username": user, "password": "wrong-password-1", "provider": "db"}
    )
    assert login.status_code == 401 and set(login.json) == {"message"}
    missing = checked.post(None, "/api/v1/security/login", valid_request=False, json={"username": user})
    assert missing.status_code == 400
    from tests.conftest import PASSWORD

    tokens = checked.post(
        None, "/api/v1/security/login", json={"username": user, "password": PASSWORD, "provider": "db", "refresh": True}
    )
    assert tokens.status_code == 200 and tokens.json["refresh_token"]
    fresh = checked.post(
        None, "/api/v1/security/refresh", headers={"Authorization": f"Bearer {tokens.json['refresh_token']}"}
    )
    assert fresh.status_code == 200 and fresh.json["access_token"]
    # FAB's menu call: its own pair, which administrators hold and officers need not.
    assert checked.get(make_user("Admin"), "/api/v1/menu/").status_code == 200
    assert checked.get(user, "/api/v1/menu/").status_code in (200, 403)
    assert checked.get(user, "/api/v1/openapi.json").json["openapi"].startswith("3.0")


def test_complaints_surveys_and_registers_answer_as_the_document_says(checked, make_user):
    desk = make_user("Petugas Pengaduan")
    leader = make_user("Sekretaris")
    complaint = checked.post(
        desk,
        "/api/v1/complaints/",
        json={
            "channel": "email",
            "complainant": {"name": "Budi Santoso", "phone": "081234567890", "email": "budi@example.test"},
            "weight": "ringan",
            "subject": "Berkas belum diproses",
            "description": "Permohonan saya belum ada kabar.",
            "case": None,
        },
    )
    assert complaint.status_code == 201
    cid = complaint.json["id"]
    assert checked.get(desk, f"/api/v1/complaints/{cid}").json["status"] == complaint.json["status"]
    replied = checked.post(
        desk, f"/api/v1/complaints/{cid}/act", json={"action": "reply", "data": {"text": "Sedang diperiksa."}}
    )
    assert replied.status_code == 200 and replied.json["reply"]
    approved = checked.post(
        leader, f"/api/v1/complaints/{cid}/act", json={"action": "approve", "data": {"note": "Ok."}}
    )
    assert approved.status_code == 200 and approved.json["status"] == "closed"
    assert (
        checked.post(leader, f"/api/v1/complaints/{cid}/act", json={"action": "approve", "data": {}}).status_code == 409
    )
    assert checked.get(desk, "/api/v1/complaints/999999").status_code == 404
    assert checked.post(desk, "/api/v1/complaints/", json={"description": ""}).status_code == 422

    answer = {
        "service": "TD-BKK",
        "date": "2026-06-10",
        "scores": {f"u{i}": 3 + i % 2 for i in range(1, 10)},
        "respondent": {"sex": "P", "age": 34, "education": "D4-S1", "occupation": "swasta"},
    }
    recorded = checked.post(desk, "/api/v1/surveys/", json=answer)
    assert recorded.status_code == 201
    assert (
        checked.post(desk, "/api/v1/surveys/", valid_request=False, json={**answer, "scores": {"u1": 9}}).status_code
        == 422
    )
    ikm = checked.get(desk, "/api/v1/surveys/ikm?service=TD-BKK&from=2026-06-01&to=2026-06-30")
    assert ikm.status_code == 200 and ikm.json["respondents"] == 1
    assert checked.get(desk, "/api/v1/surveys/ikm?from=2026-13-01", valid_request=False).status_code == 422
    assert checked.post(leader, "/api/v1/surveys/", json=answer).status_code == 403

    for fmt in ("csv", "xlsx", "pdf"):
        rv = checked.get(leader, f"/api/v1/registers/cases/export?format={fmt}&from=2026-01-01&to=2026-12-31")
        assert rv.status_code == 200, fmt
    assert checked.get(leader, "/api/v1/registers/nope/export", valid_request=False).status_code == 404
    assert checked.get(leader, "/api/v1/registers/cases/export?format=doc", valid_request=False).status_code == 400
    assert checked.get(desk, "/api/v1/registers/cases/export").status_code == 403


def test_an_answer_the_document_does_not_declare_fails_the_check(checked, make_user):
    """The check is not a rubber stamp: an undeclared status, or a field the description lacks, is caught."""
    from openapi_core.templating.responses.exceptions import ResponseNotFound
    from openapi_core.validation.response.exceptions import InvalidData

    user = make_user("Front Office")
    spec = copy.deepcopy(checked.spec)
    spec["paths"]["/api/v1/services/"]["get"]["responses"].pop("200")
    with pytest.raises(ResponseNotFound):
        type(checked)(checked.client, checked.auth, spec).get(user, "/api/v1/services/")
    spec = copy.deepcopy(checked.spec)
    spec["components"]["schemas"]["Service"]["properties"].pop("fee")
    spec["components"]["schemas"]["Service"]["required"].remove("fee")
    with pytest.raises(InvalidData):
        type(checked)(checked.client, checked.auth, spec).get(user, "/api/v1/services/")
