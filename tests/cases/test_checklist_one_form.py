"""The requirements checklist is one form: every line's scan and tick saved by one button, all or nothing.

On TD-BKK (6 document lines of 8) and on a definition written here (other
names, 3 lines), through the case page as an officer uses it.
"""

from __future__ import annotations

import copy
import io
import os
import re

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.services.yaml_format import dump
from models import AuditLog, Case, CaseRequirement, RequirementScan
from tests.conftest import csrf_token
from tests.definitions.test_any_service import THIRD
from tests.factories import SAMPLE_PDF, advance, new_case
from tests.reading import page_text
from tests.screens.conftest import csrf_from, login_as  # noqa: F401  (the page-login fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NOT_A_SCAN = b"MZ\x90\x00\x03" + b"\x00" * 100

# A definition of its own: three lines, the third a document, executors seen nowhere else.
OWN = copy.deepcopy(THIRD)
OWN.update(code="UJI-DAFTAR", name="Izin Uji Daftar")
OWN["requirements"] = [
    {"code": "denah", "name": "Denah lokasi usaha", "required": True, "document": False},
    {"code": "akta", "name": "Akta pendirian usaha", "required": True, "document": True},
    {"code": "npwp", "name": "NPWP badan usaha", "required": True, "document": True},
]
CLERK = "Juru Terima Zeta"  # holds intake (upload) and verification (upload and tick) of OWN


@pytest.fixture
def own_service(app, runner, tmp_path):
    path = tmp_path / "uji-daftar.yaml"
    path.write_text(dump(OWN), encoding="utf-8")
    result = runner.invoke(args=["service", "load", str(path)])
    assert result.exit_code == 0, result.output
    return OWN["code"]


def _lines(app, case_id: int) -> list[dict]:
    """Each line as stored: code, document, checked, current scans' names, every scan row."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.refresh(case)
        return [
            {
                "id": line.id,
                "code": line.requirement.code,
                "document": line.requirement.document,
                "checked": line.checked,
                "scans": [s.original_name for s in line.scans],
                "all": len(line.all_scans),
            }
            for line in case.requirements
        ]


def _files(app) -> list[str]:
    directory = app.config["UPLOAD_DIR"]
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def _audits(app, action: str) -> int:
    with app.app_context():
        return len(db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all())


def _open(client, case_id: int):
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    return page, csrf_from(page)


def _post(client, case_id: int, token: str, lines: list[dict], files=None, ticks=(), remove=None, tick=True):
    """The one checklist form as a browser sends it: every line's id, the ticked ones, the chosen files."""
    data: dict = {"csrf_token": token, "line": [str(line["id"]) for line in lines]}
    if tick:
        data["tick"] = "1"
    for line_id in ticks:
        data[f"checked-{line_id}"] = "1"
    for line_id, (content, name) in (files or {}).items():
        data[f"file-{line_id}"] = (io.BytesIO(content), name)
    for line_id, scan_ids in (remove or {}).items():
        data[f"remove-{line_id}"] = [str(s) for s in scan_ids]
    return client.post(f"/cases/{case_id}/requirements", data=data, content_type="multipart/form-data")


def _all_filled(lines: list[dict]) -> tuple[dict, list[int]]:
    files = {line["id"]: (SAMPLE_PDF, f"{line['code']}.pdf") for line in lines if line["document"]}
    return files, [line["id"] for line in lines]


def test_one_form_one_button_saves_every_scan_and_tick_td_bkk(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    page, token = _open(client, case_id)
    html = page.get_data(as_text=True)
    assert html.count(f'action="/cases/{case_id}/requirements"') == 1  # one form for the whole checklist
    assert not re.search(rf'action="/cases/{case_id}/requirements/\d+"', html)  # no per-line forms left
    assert "Simpan daftar persyaratan" in page_text(page)
    lines = _lines(app, case_id)
    assert html.count('type="file"') == 6 and len(re.findall(r'name="checked-\d+"', html)) == 8

    files, ticks = _all_filled(lines)
    saved = _post(client, case_id, token, lines, files, ticks)
    assert saved.status_code == 302, page_text(saved)
    shown = client.get(saved.headers["Location"])
    assert "Daftar persyaratan tersimpan" in page_text(shown)
    after = _lines(app, case_id)
    assert all(line["checked"] for line in after)
    assert [line["scans"] for line in after if line["document"]] == [[f"{line['code']}.pdf"] for line in lines[1:7]]
    assert len(_files(app)) == 6 and _audits(app, "case.scan") == 6 and _audits(app, "case.requirement") == 8


def test_one_form_on_a_definition_written_here(app, client, auth, make_user, own_service):
    clerk, applicant = make_user(CLERK), make_user("Warga Zeta")
    # The applicant at intake may upload only: file inputs, no ticks, still one button.
    own_case = new_case(app, own_service, user=applicant)
    auth.login(applicant)
    page, token = _open(client, own_case)
    html = page.get_data(as_text=True)
    assert html.count('type="file"') == 2 and not re.search(r'name="checked-\d+"', html)
    assert "Simpan daftar persyaratan" in page_text(page)
    lines = _lines(app, own_case)
    files, ticks = _all_filled(lines)
    assert _post(client, own_case, token, lines, files, tick=False).status_code == 302
    assert [line["scans"] for line in _lines(app, own_case)] == [[], ["akta.pdf"], ["npwp.pdf"]]
    assert _post(client, own_case, token, lines, ticks=ticks).status_code == 403  # ticking is not theirs

    # The clerk: files and ticks of all three lines in one request.
    case_id = new_case(app, own_service, user=clerk)
    auth.logout()
    auth.login(clerk)
    _page, token = _open(client, case_id)
    lines = _lines(app, case_id)
    files, ticks = _all_filled(lines)
    assert _post(client, case_id, token, lines, files, ticks).status_code == 302
    after = _lines(app, case_id)
    assert all(line["checked"] for line in after)
    assert [line["scans"] for line in after] == [[], ["akta.pdf"], ["npwp.pdf"]]


@pytest.mark.parametrize("service", ["TD-BKK", "own"])
def test_a_bad_file_in_line_3_saves_nothing_and_names_line_3(app, client, auth, make_user, service, request):
    code = request.getfixturevalue("own_service") if service == "own" else service
    user = make_user(CLERK if service == "own" else "Front Office")
    case_id = new_case(app, code, user=user if service == "own" else None)
    advance(app, case_id, 2)
    auth.login(user)
    _page, token = _open(client, case_id)
    lines = _lines(app, case_id)
    first, second, third = lines[:3]
    assert third["document"]
    files = {second["id"]: (SAMPLE_PDF, "baik.pdf"), third["id"]: (NOT_A_SCAN, "palsu.pdf")}
    if not second["document"]:
        files.pop(second["id"])
    refused = _post(client, case_id, token, lines, files, ticks=[first["id"], second["id"]])

    assert refused.status_code == 422
    text = page_text(refused)
    with app.app_context():
        name = db.session.get(CaseRequirement, third["id"]).requirement.name
    assert f"Baris 3 ({name}): Hanya berkas PDF, JPEG atau PNG" in " ".join(text.split())
    assert "Tidak ada yang disimpan" in text
    assert _lines(app, case_id) == lines  # lines 1 and 2 unchanged: no tick, no scan
    assert _files(app) == [] and _audits(app, "case.scan") == 0 and _audits(app, "case.requirement") == 0
    # The page shown again keeps what was ticked, and the message sits on line 3.
    html = refused.get_data(as_text=True)
    for line in (first, second):
        assert re.search(rf'name="checked-{line["id"]}" value="1" checked', html), line["code"]
    assert not any(re.search(rf'name="checked-{line["id"]}" value="1" checked', html) for line in lines[2:])
    row = html[html.index(f'data-requirement="{third["code"]}"') :]
    assert row.index("sp-line-error") < row.index("</tr>")


def test_a_30_mb_scan_is_refused_on_the_case_page_with_the_limit(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    _page, token = _open(client, case_id)
    lines = _lines(app, case_id)
    ktp = next(line for line in lines if line["code"] == "ktp")
    huge = b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024)
    refused = _post(client, case_id, token, lines, {ktp["id"]: (huge, "ktp-besar.pdf")}, ticks=[lines[0]["id"]])

    assert refused.status_code == 422
    text = " ".join(page_text(refused).split())
    assert "Baris 4 (Foto Copy KTP penanggungjawab BKK): Ukuran berkas melebihi 5 MB" in text
    assert "Simpan daftar persyaratan" in text  # the case page itself, not an error page
    assert re.search(rf'name="checked-{lines[0]["id"]}" value="1" checked', refused.get_data(as_text=True))
    assert _lines(app, case_id) == lines and _files(app) == []


def test_a_body_over_the_forms_own_cap_still_answers_with_the_case_page(app, login_as, client):
    app.config.update(UPLOAD_MAX_BYTES=64 * 1024)  # the cap follows the config: 6 lines + 8 spare limits
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    _page, token = _open(client, case_id)
    lines = _lines(app, case_id)
    huge = b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024)
    refused = _post(client, case_id, token, lines, {lines[1]["id"]: (huge, "besar.pdf")}, ticks=[lines[0]["id"]])

    assert refused.status_code == 413
    text = " ".join(page_text(refused).split())
    assert "terlalu besar" in text and "paling besar 64 KB" in text
    assert "Simpan daftar persyaratan" in text
    assert _lines(app, case_id) == lines


def test_limits_are_shown_next_to_the_inputs_from_the_config(app, login_as, client):
    app.config.update(UPLOAD_MAX_BYTES=2 * 1024 * 1024)
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    page, _token = _open(client, case_id)
    html = page.get_data(as_text=True)
    inputs = re.findall(r"<input type=\"file\"[^>]*>", html)
    assert len(inputs) == 6 and all('accept="application/pdf,image/jpeg,image/png"' in i for i in inputs)
    text = " ".join(page_text(page).split())
    assert "Pindaian: PDF, JPEG, PNG, maks. 2 MB per berkas." in text
    assert text.count("PDF, JPEG, PNG · maks. 2 MB") == 6


def test_a_wrong_scan_is_replaced_or_removed_and_stays_on_record(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 2)
    login_as("Front Office")
    _page, token = _open(client, case_id)
    lines = _lines(app, case_id)
    ktp = next(line for line in lines if line["code"] == "ktp")
    assert _post(client, case_id, token, lines, {ktp["id"]: (SAMPLE_PDF, "salah.pdf")}, [ktp["id"]]).status_code == 302
    with app.app_context():
        wrong = db.session.scalar(select(RequirementScan).where(RequirementScan.original_name == "salah.pdf"))
        wrong_id, wrong_file = wrong.id, wrong.stored_name

    page, token = _open(client, case_id)
    assert f'name="remove-{ktp["id"]}" value="{wrong_id}"' in page.get_data(as_text=True)
    replaced = _post(
        client, case_id, token, lines, {ktp["id"]: (PNG, "benar.png")}, [ktp["id"]], remove={ktp["id"]: [wrong_id]}
    )
    assert replaced.status_code == 302
    now = next(line for line in _lines(app, case_id) if line["code"] == "ktp")
    assert now["scans"] == ["benar.png"] and now["all"] == 2 and now["checked"]
    with app.app_context():
        old = db.session.get(RequirementScan, wrong_id)
        assert old.removed_at is not None and old.removed_by_id is not None
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "case.scan.remove")).one()
        assert audit.before["scan_id"] == wrong_id and audit.object_id == str(case_id)
    assert wrong_file in _files(app)  # the bytes are kept too
    page, token = _open(client, case_id)
    html = page.get_data(as_text=True)
    assert "<del>salah.pdf</del>" in html and "benar.png" in html
    assert f'name="remove-{ktp["id"]}" value="{wrong_id}"' not in html  # no longer current

    # Removing the only scan unticks the line: its tick vouched for that scan.
    with app.app_context():
        right_id = db.session.scalar(select(RequirementScan.id).where(RequirementScan.original_name == "benar.png"))
    ticks = [ktp["id"]]
    removed = _post(client, case_id, token, lines, ticks=ticks, remove={ktp["id"]: [right_id]})
    assert removed.status_code == 422  # still ticked in the form: a document line needs its scan
    assert "Baris 4 (Foto Copy KTP penanggungjawab BKK): Unggah pindaian dokumen ini" in " ".join(
        page_text(removed).split()
    )
    removed = _post(client, case_id, token, lines, ticks=[], remove={ktp["id"]: [right_id]})
    assert removed.status_code == 302
    now = next(line for line in _lines(app, case_id) if line["code"] == "ktp")
    assert now["scans"] == [] and now["all"] == 2 and not now["checked"]
    assert _audits(app, "case.scan.remove") == 2


def test_no_upload_right_is_refused_403_and_the_form_needs_its_csrf_token(app, login_as, client):
    case_id = new_case(app)
    advance(app, case_id, 2)
    lines = _lines(app, case_id)
    doc = next(line for line in lines if line["document"])
    login_as("Tim Teknis")  # sees the case, holds no step with checklist rights
    page = client.get(f"/cases/{case_id}")
    assert 'type="file"' not in page.get_data(as_text=True) and "Simpan daftar persyaratan" not in page_text(page)
    token = csrf_token(client, "/public/complaint")  # a valid token of this session: the refusal is the rights
    refused = _post(client, case_id, token, lines, {doc["id"]: (SAMPLE_PDF, "a.pdf")}, [doc["id"]])
    assert refused.status_code == 403
    line_post = client.post(
        f"/cases/{case_id}/requirements/{doc['id']}",
        data={"csrf_token": token, "file": (io.BytesIO(SAMPLE_PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert line_post.status_code == 403
    assert _lines(app, case_id) == lines and _files(app) == []

    login_as("Front Office")
    forged = client.post(
        f"/cases/{case_id}/requirements",
        data={"line": [str(doc["id"])], "tick": "1", f"file-{doc['id']}": (io.BytesIO(SAMPLE_PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400  # no CSRF token
    assert _lines(app, case_id) == lines and _files(app) == []
