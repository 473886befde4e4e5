"""Scans judged by content and stored safely; who may see which case and scan."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from app.core.extensions import db
from models import RequirementScan
from tests.cases.conftest import case_state
from tests.factories import SAMPLE_PDF, advance, new_case, sample_applicant

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def small_uploads(app_config):
    app_config.update(UPLOAD_MAX_BYTES=1024, MAX_CONTENT_LENGTH=64 * 1024)
    return app_config


def _files(app):
    directory = app.config["UPLOAD_DIR"]
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


@pytest.mark.parametrize(
    "content,filename,message",
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 100, "ktp.pdf", "Hanya berkas PDF, JPEG atau PNG"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "ktp.png", "Hanya berkas PDF, JPEG atau PNG"),
        (b"<html><script>alert(1)</script></html>", "ktp.pdf", "Hanya berkas PDF, JPEG atau PNG"),
        (b"%PDF-1.4\n" + b"x" * 2000, "besar.pdf", "melebihi"),
        (b"", "kosong.pdf", "kosong"),
        (SAMPLE_PDF, "../../../etc/cron.d/ktp.pdf", "Nama berkas tidak diizinkan"),
        (SAMPLE_PDF, "..\\..\\ktp.pdf", "Nama berkas tidak diizinkan"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(small_uploads, app, api, staff, content, filename, message):
    case_id = new_case(app)
    refused = api.upload(staff["Front Office"], case_id, "ktp", content=content, filename=filename)
    assert refused.status_code == 422, refused.json
    assert message in refused.json["message"]
    assert _files(app) == []
    assert case_state(app, case_id)["scans"] == 0


def test_good_scans_get_a_random_name_and_keep_every_version(app, api, staff):
    case_id = new_case(app)
    for content, name in ((SAMPLE_PDF, "KTP Siti (asli).pdf"), (PNG, "ktp.png"), (JPEG, "ktp.jpeg")):
        stored = api.upload(staff["Front Office"], case_id, "ktp", content=content, filename=name)
        assert stored.status_code == 201, stored.json
    with app.app_context():
        scans = db.session.scalars(select(RequirementScan).order_by(RequirementScan.id)).all()
        assert [s.mime_type for s in scans] == ["application/pdf", "image/png", "image/jpeg"]
        assert scans[0].original_name == "KTP Siti (asli).pdf"
        assert all(s.stored_name != s.original_name and len(s.stored_name) == 36 for s in scans)
        assert sorted(s.stored_name for s in scans) == _files(app)


def test_scan_download_only_for_users_who_may_view_the_case(app, api, staff, make_user, client):
    case_id = api.create(staff["Pemohon"]).json["id"]
    advance(app, case_id, 2)
    scan_id = api.upload(staff["Front Office"], case_id, "ktp").json["id"]
    url = f"/api/v1/cases/{case_id}/scans/{scan_id}"
    own = api.get(staff["Pemohon"], url)
    assert own.status_code == 200 and own.data == SAMPLE_PDF
    assert api.get(staff["Tim Teknis"], url).data == SAMPLE_PDF
    stranger = make_user("Pemohon")
    assert api.get(stranger, url).status_code == 404
    assert client.get(url).status_code == 401
    assert api.get(make_user("Kepegawaian"), url).status_code == 403


def test_applicants_see_only_their_own_cases(app, api, staff, make_user):
    mine = api.create(staff["Pemohon"]).json["id"]
    other = make_user("Pemohon")
    theirs = api.create(other).json["id"]
    assert [c["id"] for c in api.get(staff["Pemohon"], "/api/v1/cases/").json["result"]] == [mine]
    assert [c["id"] for c in api.get(other, "/api/v1/cases/").json["result"]] == [theirs]
    assert api.get(other, f"/api/v1/cases/{mine}").status_code == 404
    assert api.act(other, mine, "forward", 1).status_code == 404
    assert api.check(other, mine, "formulir").status_code == 404
    assert case_state(app, mine)["version"] == 1
    # Front office sees both on its worklist, late first then by due time.
    assert {c["id"] for c in api.get(staff["Front Office"], "/api/v1/cases/").json["result"]} == {mine, theirs}


def test_registration_validates_every_field_in_indonesian(app, api, staff):
    bad = api.create(
        staff["Front Office"],
        applicant=sample_applicant(nik="12345", phone="021-555", email="bukan-email"),
        institution={"name": ""},
        form={"luas_ruangan_m2": "luas", "rencana_penempatan": ""},
    )
    assert bad.status_code == 422
    assert bad.json["errors"] == {
        "applicant.nik": "NIK harus tepat 16 angka.",
        "applicant.phone": "Harus berupa nomor ponsel Indonesia, misalnya 081234567890.",
        "applicant.email": "Harus berupa alamat e-mail yang sah.",
        "institution.name": bad.json["errors"]["institution.name"],
        "form.luas_ruangan_m2": "Harus berupa angka.",
        "form.rencana_penempatan": "Rencana penempatan 1 tahun (orang) wajib diisi.",
    }
    assert api.get(staff["Front Office"], "/api/v1/cases/").json["count"] == 0
    good = api.create(staff["Front Office"], applicant=sample_applicant(phone="0812 6677 8899"))
    assert good.status_code == 201
    with app.app_context():
        from models import Case

        assert db.session.get(Case, good.json["id"]).applicant.phone == "+6281266778899"
    assert api.create(staff["Tim Teknis"]).status_code == 403
