"""Scans through the storage interface, on the folder and on the database backend.

What an officer notices is the same on both: a scan uploaded on the case page
downloads byte for byte, a removed scan is still on record and still opens,
and who may read a scan does not change. Where the bytes are differs: a file
under UPLOAD_DIR, or a `stored_blob` row every instance reaches.
"""

from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.storage import StorageError, storage
from models import Case, RequirementScan, StoredBlob
from tests.cases.test_checklist_one_form import CLERK, OWN
from tests.factories import advance, new_case
from tests.reading import page_text
from tests.screens.conftest import csrf_from


def _scan_bytes(size: int = 200_000) -> bytes:
    """A PDF-looking scan of random bytes: any corruption or truncation changes it."""
    return b"%PDF-1.4\n" + os.urandom(size)


def _document_lines(app, case_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        return [(line.id, line.requirement.code) for line in case.requirements if line.requirement.document]


def _post(client, case_id: int, files: dict[int, tuple[bytes, str]] | None = None, remove=None):
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    data: dict = {"csrf_token": csrf_from(page), "line": [str(i) for i in (files or remove or {})]}
    for line_id, (content, name) in (files or {}).items():
        data[f"file-{line_id}"] = (io.BytesIO(content), name)
    for line_id, scan_ids in (remove or {}).items():
        data[f"remove-{line_id}"] = [str(s) for s in scan_ids]
    return client.post(f"/cases/{case_id}/requirements", data=data, content_type="multipart/form-data")


def _scans(app, case_id: int) -> list[RequirementScan]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(RequirementScan)
            .join(RequirementScan.case_requirement)
            .where(sa.text("case_requirement.case_id = :c"))
            .params(c=case_id)
            .order_by(RequirementScan.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _where(app) -> tuple[list[str], int]:
    """(files under UPLOAD_DIR, stored_blob rows): where the bytes went."""
    directory = app.config["UPLOAD_DIR"]
    files = sorted(f for f in os.listdir(directory) if not f.startswith(".")) if os.path.isdir(directory) else []
    with app.app_context():
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(StoredBlob))
        db.session.rollback()
    return files, rows


def test_scan_uploaded_on_the_case_page_downloads_identical_bytes(backend, app, client, login_as, api, staff):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    (line_id, _code), *_ = _document_lines(app, case_id)
    content = _scan_bytes()
    saved = _post(client, case_id, {line_id: (content, "KTP asli.pdf")})
    assert saved.status_code == 302, page_text(saved)
    (scan,) = _scans(app, case_id)
    assert scan.size == len(content)

    page_download = client.get(f"/cases/{case_id}/scans/{scan.id}")
    assert page_download.status_code == 200 and page_download.data == content
    assert page_download.mimetype == "application/pdf"
    api_download = api.get(staff["Tim Teknis"], f"/api/v1/cases/{case_id}/scans/{scan.id}")
    assert api_download.status_code == 200 and api_download.data == content

    files, rows = _where(app)
    if backend == "folder":
        assert files == [scan.stored_name] and rows == 0
    else:
        assert files == [] and rows == 1  # nothing on this machine's disk: any instance serves it


def test_removed_scan_keeps_its_bytes_and_still_opens(backend, app, client, login_as):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    (line_id, _code), *_ = _document_lines(app, case_id)
    first, second = _scan_bytes(), _scan_bytes()
    assert _post(client, case_id, {line_id: (first, "salah.pdf")}).status_code == 302
    (old,) = _scans(app, case_id)
    assert _post(client, case_id, {line_id: (second, "benar.pdf")}, remove={line_id: [old.id]}).status_code == 302
    old_now, new = _scans(app, case_id)
    assert old_now.removed_at is not None and new.removed_at is None
    with app.app_context():
        assert storage().exists(old.stored_name) and storage().exists(new.stored_name)
    assert client.get(f"/cases/{case_id}/scans/{old.id}").data == first  # on record, audited, still readable
    assert client.get(f"/cases/{case_id}/scans/{new.id}").data == second


def test_who_may_read_a_scan_is_unchanged(backend, app, client, api, staff, make_user):
    case_id = api.create(staff["Pemohon"]).json["id"]
    content = _scan_bytes(50_000)
    stored = api.upload(staff["Front Office"], case_id, "ktp", content=content, filename="ktp.pdf")
    assert stored.status_code == 201, stored.json
    url = f"/api/v1/cases/{case_id}/scans/{stored.json['id']}"
    assert api.get(staff["Pemohon"], url).data == content
    assert api.get(make_user("Pemohon"), url).status_code == 404  # another applicant: as if it did not exist
    assert api.get(make_user("Kepegawaian"), url).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(f"/cases/{case_id}/scans/{stored.json['id']}").status_code in (302, 401)  # to the login


def test_a_refused_checklist_leaves_no_bytes_behind(backend, app, client, login_as):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    (first, _a), (second, _b), *_ = _document_lines(app, case_id)
    refused = _post(client, case_id, {first: (_scan_bytes(), "ktp.pdf"), second: (b"MZ\x90\x00" * 20, "virus.pdf")})
    assert refused.status_code == 422
    assert _scans(app, case_id) == []
    assert _where(app) == ([], 0)


def test_a_definition_written_here_stores_its_scans_the_same_way(
    backend, app, client, auth, make_user, runner, tmp_path
):
    from app.services.yaml_format import dump

    path = tmp_path / "uji-daftar.yaml"
    path.write_text(dump(OWN), encoding="utf-8")
    assert runner.invoke(args=["service", "load", str(path)]).exit_code == 0
    clerk = make_user(CLERK)
    case_id = new_case(app, OWN["code"], user=clerk)
    auth.login(clerk)
    lines = _document_lines(app, case_id)
    assert [code for _id, code in lines] == ["akta", "npwp"]
    contents = {line_id: _scan_bytes(30_000) for line_id, _code in lines}
    assert _post(client, case_id, {i: (c, f"{i}.pdf") for i, c in contents.items()}).status_code == 302
    for scan in _scans(app, case_id):
        assert client.get(f"/cases/{case_id}/scans/{scan.id}").data == contents[scan.case_requirement_id]


def test_the_interface_keeps_keys_ours_and_never_overwrites(backend, app):
    with app.app_context():
        store = storage()
        assert store.name == backend
        key = "0123456789abcdef0123456789abcdef.pdf"
        stored = store.put(key, io.BytesIO(b"%PDF-1 satu"))
        db.session.commit()
        assert stored.size == 11 and len(stored.sha256) == 64
        assert store.exists(key) and store.open(key).read() == b"%PDF-1 satu"
        with pytest.raises((StorageError, sa.exc.IntegrityError)):
            store.put(key, io.BytesIO(b"%PDF-1 dua"))
            db.session.commit()
        db.session.rollback()
        assert store.open(key).read() == b"%PDF-1 satu"
        for bad in ("../../etc/passwd", "x.pdf", "0123456789abcdef0123456789abcdef.exe", "a/b/" + key):
            with pytest.raises(StorageError):
                store.open(bad)
        store.delete(key)
        db.session.commit()
        assert not store.exists(key)
        with pytest.raises(StorageError):
            store.open(key)


def test_readyz_checks_the_configured_storage(backend, app, client):
    rv = client.get("/readyz")
    assert rv.status_code == 200 and rv.get_json()["checks"]["storage"] == "ok"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredBlob)) == 0  # the probe leaves nothing


def test_an_unknown_storage_name_is_refused_not_guessed(app_config):
    from app import create_app

    app = create_app({**app_config, "SCAN_STORAGE": "s3"})
    try:
        assert app.test_client().get("/readyz").get_json()["failed"] == ["storage"]
        with app.app_context(), pytest.raises(ValueError, match="SCAN_STORAGE"):
            storage()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
