"""Any service, any names: a definition written here, with executors seen nowhere else, works end to end.

It is loaded into the running app (`flask service load`, the same app object
that serves the requests: no restart, no code), users are created only for
its roles, and one case goes through the API and another through the pages.
The shipped second service (IPDH) is walked the same way by its own officers.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.extensions import db
from models import Case
from tests.cases.conftest import api  # noqa: F401  (the JSON client fixture)
from tests.definitions.walker import walk_case
from tests.factories import SAMPLE_PDF, sample_applicant
from tests.reading import pdf_text
from tests.screens.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]

# Names no shipped definition, demo account or line of code uses.
THIRD = {
    "format": 1,
    "code": "UJI-ZETA",
    "name": "Izin Uji Zeta",
    "product": "Surat Izin Uji Zeta",
    "fee": 0,
    "completion_working_days": 5,
    "number_format": "{seq:04d}/ZETA/{year}",
    "institution": "optional",
    "certificate": {"title": "Piagam Izin Uji Zeta", "body": "Dengan ini diberikan Izin Uji Zeta kepada:"},
    "standard": {"legal_basis": ["Peraturan Uji Nomor 1 Tahun 2026"]},
    "executors": [
        {"code": "warga_zeta", "name": "Warga Zeta", "applicant": True},
        {"code": "juru_terima_zeta", "name": "Juru Terima Zeta"},
        {
            "code": "penilai_omega",
            "name": "Penilai Lapangan Omega",
            "competency": {"education": "D3", "note": "Minimal D3 teknik"},
        },
        {"code": "penyusun_sigma", "name": "Penyusun Naskah Sigma"},
        {"code": "pengesah_kappa", "name": "Pengesah Kappa"},
    ],
    "requirements": [
        {"code": "surat_mohon", "name": "Surat permohonan", "required": True, "document": True},
        {"code": "denah", "name": "Denah lokasi", "required": True, "document": False},
    ],
    "form": [
        {
            "name": "luas_lahan",
            "label": "Luas lahan (m2)",
            "type": "decimal",
            "required": True,
            "min": 1,
            "max": 100000,
        },
        {"name": "nama_usaha", "label": "Nama usaha", "type": "text", "required": True, "max_length": 80},
    ],
    "steps": [
        {
            "no": 1,
            "activity": "Menerima berkas",
            "short": "Terima",
            "kind": "intake",
            "executors": ["warga_zeta", "juru_terima_zeta"],
            "minutes": 10,
        },
        {
            "no": 2,
            "activity": "Memeriksa berkas",
            "kind": "verify",
            "executors": ["juru_terima_zeta"],
            "minutes": 20,
            "returns_to": "applicant",
        },
        {
            "no": 3,
            "activity": "Meninjau lapangan",
            "kind": "inspect",
            "executors": ["penilai_omega"],
            "working_days": 2,
            "returns_to": 2,
        },
        {"no": 4, "activity": "Menyusun naskah izin", "kind": "draft", "executors": ["penyusun_sigma"], "hours": 2},
        {
            "no": 5,
            "activity": "Mengesahkan izin",
            "kind": "sign",
            "executors": ["pengesah_kappa"],
            "working_days": 1,
            "returns_to": 4,
        },
        {"no": 6, "activity": "Memberi nomor", "kind": "number", "executors": ["penyusun_sigma"], "minutes": 5},
        {
            "no": 7,
            "activity": "Menyerahkan izin",
            "kind": "handover",
            "executors": ["warga_zeta", "juru_terima_zeta"],
            "minutes": 5,
        },
    ],
}
THIRD_ROLES = {e["code"]: e["name"] for e in THIRD["executors"]}
IPDH_ROLES = {
    "pemohon": "Pemohon",
    "front_office": "Front Office",
    "seksi_survei": "Seksi Survei",
    "seksi_perizinan": "Seksi Perizinan",
    "kabid_yandu": "Kepala Bidang Pelayanan dan Pengaduan",
    "kepala_dinas": "Kepala Dinas",
}


@pytest.fixture
def third_service(app, runner, write_yaml):
    """THIRD loaded through the CLI into the app the test client talks to."""
    result = runner.invoke(args=["service", "load", str(write_yaml(THIRD, "uji-zeta.yaml"))])
    assert result.exit_code == 0, result.output
    return THIRD["code"]


def _staff(make_user, roles: dict[str, str]) -> dict[str, str]:
    return {code: make_user(name, first_name=name.split()[0], last_name="Uji") for code, name in roles.items()}


def test_third_definition_walks_through_the_api_with_its_own_roles_only(app, api, make_user, third_service):
    staff = _staff(make_user, THIRD_ROLES)
    case = walk_case(app, api, staff, third_service)
    # Every role of the five not holding the step, at each of the seven steps.
    assert case["refusals"] == sum(5 - len(step["executors"]) for step in THIRD["steps"]) == 26
    assert re.fullmatch(r"0001/ZETA/\d{4}", case["certificate_no"])
    assert [e["role"] for e in case["control_card"]] == [
        "Juru Terima Zeta",
        "Juru Terima Zeta",
        "Penilai Lapangan Omega",
        "Penyusun Naskah Sigma",
        "Pengesah Kappa",
        "Penyusun Naskah Sigma",
        "Juru Terima Zeta",
    ]
    certificate = api.get(staff["juru_terima_zeta"], f"/api/v1/cases/{case['id']}/documents/certificate")
    assert certificate.status_code == 200 and certificate.mimetype == "application/pdf"
    text = " ".join(pdf_text(certificate.data).split())
    assert "PIAGAM IZIN UJI ZETA" in text and "Dengan ini diberikan Izin Uji Zeta kepada:" in text
    assert "Bursa Kerja" not in text
    # Signed by the service's own signer, under that role's title, not the head of office's.
    assert "Pengesah Kappa" in text and "Kepala Dinas Penanaman Modal" not in text.split("Ditetapkan")[-1]
    letter = pdf_text(
        api.get(staff["juru_terima_zeta"], f"/api/v1/cases/{case['id']}/documents/assignment-letter").data
    )
    assert "selaku Penilai Lapangan Omega" in letter and "Tim Teknis" not in letter


def test_shipped_second_service_walks_through_the_api_by_its_own_officers(app, api, make_user):
    staff = _staff(make_user, IPDH_ROLES)
    case = walk_case(app, api, staff, "IPDH")
    assert case["certificate_no"].startswith("001/IPDH/")
    assert case["refusals"] == 38  # six roles; the other five at steps 2-7, four at steps 1 and 8
    assert case["institution"] is None


def test_officer_of_two_services_sees_both_in_one_worklist(app, api, make_user, third_service):
    both = make_user("Juru Terima Zeta", "Front Office")
    zeta = api.post(
        both,
        "/api/v1/cases/",
        json={
            "service": third_service,
            "applicant": sample_applicant(),
            "form": {"luas_lahan": "120", "nama_usaha": "Usaha Zeta"},
        },
    )
    assert zeta.status_code == 201, zeta.json
    ipdh = api.post(
        both,
        "/api/v1/cases/",
        json={
            "service": "IPDH",
            "applicant": sample_applicant(),
            "form": {"alamat_tempat_praktek": "Jl. Uji 2", "nomor_ijazah": "DH-2020-001"},
        },
    )
    assert ipdh.status_code == 201, ipdh.json
    worklist = api.get(both, "/api/v1/cases/").json["result"]
    assert {c["service"] for c in worklist} == {"UJI-ZETA", "IPDH"}
    only_zeta = api.get(make_user("Juru Terima Zeta"), "/api/v1/cases/").json["result"]
    assert [c["service"] for c in only_zeta] == ["UJI-ZETA"]


def test_form_bounds_of_the_definition_are_enforced_with_the_field_named(app, api, make_user, third_service):
    clerk = make_user("Juru Terima Zeta")
    refused = api.post(
        clerk,
        "/api/v1/cases/",
        json={
            "service": third_service,
            "applicant": sample_applicant(),
            "form": {"luas_lahan": "0", "nama_usaha": "x" * 81},
        },
    )
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"form.luas_lahan", "form.nama_usaha"}
    with app.app_context():
        assert db.session.scalar(select(Case.id).where(Case.service.has(code=third_service))) is None


def test_third_definition_walks_through_the_pages(app, client, auth, make_user, third_service):
    staff = _staff(make_user, THIRD_ROLES)
    auth.login(staff["juru_terima_zeta"])
    form_page = client.get(f"/cases/new/{third_service}")
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert "Luas lahan (m2)" in html and 'name="institution.name"' in html  # optional: offered, not required
    applicant = sample_applicant()
    registered = client.post(
        f"/cases/new/{third_service}",
        data={
            "csrf_token": csrf_from(form_page),
            **{f"applicant.{k}": v for k, v in applicant.items()},
            "form.luas_lahan": "250",
            "form.nama_usaha": "Usaha Zeta",
        },
    )
    assert registered.status_code == 302, registered.get_data(as_text=True)
    case_id = int(re.search(r"/cases/(\d+)", registered.headers["Location"]).group(1))
    with app.app_context():
        case = db.session.get(Case, case_id)
        registration_no, lines = case.registration_no, [(r.id, r.requirement.document) for r in case.requirements]
        assert case.institution is None

    acting = {
        1: "juru_terima_zeta",
        2: "juru_terima_zeta",
        3: "penilai_omega",
        4: "penyusun_sigma",
        5: "pengesah_kappa",
        6: "penyusun_sigma",
        7: "juru_terima_zeta",
    }
    for step_no, code in acting.items():
        auth.logout()
        auth.login(staff[code])
        worklist = client.get("/cases/worklist/")
        assert worklist.status_code == 200
        assert registration_no in worklist.get_data(as_text=True), (step_no, code)
        page = client.get(f"/cases/{case_id}")
        assert page.status_code == 200
        token = csrf_from(page)
        if step_no == 2:
            for line_id, document in lines:
                data = {"csrf_token": token, "tick": "1", "checked": "1"}
                if document:
                    data["file"] = (io.BytesIO(SAMPLE_PDF), "scan.pdf")
                saved = client.post(
                    f"/cases/{case_id}/requirements/{line_id}",
                    data=data,
                    content_type="multipart/form-data",
                    follow_redirects=True,
                )
                assert "alert-success" in saved.get_data(as_text=True)
            page = client.get(f"/cases/{case_id}")
        version = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True)).group(1)
        data = {"csrf_token": token, "action": "forward", "version": version}
        if step_no == 3:
            data.update(date="2026-12-01", findings="Lokasi sesuai.", recommendation="memenuhi", team="Omega")
        if step_no == 5:  # sign: the signer ticks that they read the KONSEP
            data.update(confirm="1")
        if step_no == 7:
            data.update(received_by=applicant["name"], id_no=applicant["nik"])
        acted = client.post(f"/cases/{case_id}/act", data=data, follow_redirects=True)
        assert "alert-success" in acted.get_data(as_text=True), (step_no, acted.get_data(as_text=True)[:2000])
        # Every other role of the service sees no action on the case and cannot act.
        for other, username in staff.items():
            if other in (code, "warga_zeta"):
                continue
            auth.logout()
            auth.login(username)
            assert client.get("/cases/").status_code == 200
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "handed_over" and len(case.control_card) == 7


FOURTH = {
    "format": 1,
    "code": "UJI-ETA",
    "name": "Rekomendasi Uji Eta",
    "product": "Surat Rekomendasi Eta",
    "fee": 50000,
    "completion_working_days": 2,
    "number_format": "ETA-{seq}/{month_roman}/{year}",
    "standard": {},
    "executors": [
        {"code": "petugas_eta", "name": "Petugas Meja Eta"},
        {"code": "pejabat_eta", "name": "Pejabat Penilai Eta"},
        {"code": "arsiparis_eta", "name": "Arsiparis Eta"},
    ],
    "requirements": [{"code": "surat", "name": "Surat permohonan", "required": True, "document": False}],
    "form": [],
    "steps": [
        {"no": 1, "activity": "Menerima permohonan", "kind": "intake", "executors": ["petugas_eta"], "minutes": 5},
        {"no": 2, "activity": "Memeriksa", "kind": "verify", "executors": ["petugas_eta"], "minutes": 5},
        {
            "no": 3,
            "activity": "Menyetujui",
            "kind": "approve",
            "executors": ["pejabat_eta"],
            "hours": 1,
            "returns_to": 2,
        },
        {"no": 4, "activity": "Menomori", "kind": "number", "executors": ["arsiparis_eta"], "minutes": 5},
        {"no": 5, "activity": "Mengarsipkan", "kind": "task", "executors": ["arsiparis_eta"], "minutes": 5},
    ],
}


def test_an_sop_without_draft_or_handover_ends_after_its_last_step(app, api, make_user, runner, write_yaml):
    """No applicant column, no draft, a task after numbering, no handover: the case ends completed."""
    loaded = runner.invoke(args=["service", "load", str(write_yaml(FOURTH, "uji-eta.yaml"))])
    assert loaded.exit_code == 0, loaded.output
    staff = _staff(make_user, {e["code"]: e["name"] for e in FOURTH["executors"]})
    case = walk_case(app, api, staff, "UJI-ETA")
    assert case["status"] == "completed" and case["certificate_no"].startswith("ETA-1/")
    assert case["refusals"] == 2 + 2 + 2 + 2 + 2
    for username in staff.values():
        assert api.get(username, "/api/v1/cases/").json["result"] == []


@pytest.mark.parametrize("name", ["Public", "Admin"])
def test_a_built_in_role_is_never_an_executor(app, runner, write_yaml, dump_tables, name):
    """FAB opens to anonymous callers whatever Public holds: an executor named so would open the case API."""
    doc = {
        **THIRD,
        "code": "UJI-PUB",
        "executors": [dict(THIRD["executors"][0]), {**THIRD["executors"][1], "name": name}],
    }
    doc["steps"] = [{"no": 1, "activity": "Terima", "kind": "intake", "executors": ["juru_terima_zeta"], "minutes": 5}]
    before = dump_tables()
    result = runner.invoke(args=["service", "load", str(write_yaml(doc, "pub.yaml"))])
    assert result.exit_code != 0 and "pub.yaml: executors[1].name:" in result.output
    assert dump_tables() == before


def test_no_role_name_of_any_definition_is_written_in_code():
    """Roles are data: a role name in app/ or views/ code ties the product to one office."""
    from app.office.definition import OFFICES_DIR
    from app.services.loader import SERVICES_DIR
    from app.services.yaml_format import parse

    names = set()
    for path in SERVICES_DIR.glob("*.yaml"):
        names |= {e["name"] for e in parse(path.read_text(encoding="utf-8"), path.name)["executors"]}
    for path in OFFICES_DIR.glob("*.yaml"):
        names |= set(parse(path.read_text(encoding="utf-8"), path.name)["roles"])
    assert {"Front Office", "Kepala Bidang", "Seksi Survei"} <= names
    found = []
    for folder in ("app", "views", "models"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "demo.py":  # the demo's sample accounts, one per role
                continue
            text = path.read_text(encoding="utf-8")
            for name in names:
                if re.search(r"[\"']" + re.escape(name) + r"[\"']", text):
                    found.append(f"{path.relative_to(ROOT)}: {name!r}")
    assert found == []


FIFTH = {
    "format": 1,
    "code": "UJI-THETA",
    "name": "Izin Uji Theta",
    "product": "Surat Izin Theta",
    "fee": 25000,
    "completion_working_days": 3,
    "number_format": "TH-{seq}/{year}",
    "institution": "none",
    "standard": {},
    "executors": [
        {"code": "pemohon_theta", "name": "Pemohon Theta", "applicant": True},
        {"code": "pemeriksa_theta", "name": "Pemeriksa Theta"},
        {"code": "pejabat_theta", "name": "Pejabat Theta"},
    ],
    "requirements": [{"code": "surat", "name": "Surat permohonan", "required": True, "document": False}],
    "form": [],
    "steps": [
        {"no": 1, "activity": "Mengajukan permohonan", "kind": "intake", "executors": ["pemohon_theta"], "minutes": 5},
        {"no": 2, "activity": "Memeriksa berkas", "kind": "verify", "executors": ["pemeriksa_theta"], "minutes": 30},
        {"no": 3, "activity": "Membayar retribusi", "kind": "task", "executors": ["pemohon_theta"], "hours": 8},
        {"no": 4, "activity": "Menyetujui", "kind": "approve", "executors": ["pejabat_theta"], "hours": 1},
        {"no": 5, "activity": "Menomori", "kind": "number", "executors": ["pejabat_theta"], "minutes": 5},
    ],
}


def test_a_step_only_the_applicant_executes_is_moved_on_by_the_applicant(app, api, make_user, runner, write_yaml):
    """An SOP where the applicant pays between two office steps: the applicant's account forwards that step,
    and nobody else can; the office's steps stay the office's."""
    loaded = runner.invoke(args=["service", "load", str(write_yaml(FIFTH, "uji-theta.yaml"))])
    assert loaded.exit_code == 0, loaded.output
    staff = _staff(make_user, {e["code"]: e["name"] for e in FIFTH["executors"]})
    case = walk_case(app, api, staff, "UJI-THETA")
    assert case["status"] == "completed" and case["certificate_no"].startswith("TH-1/")
