"""Other services in a real browser: the shipped IPDH by its own officers, and a definition loaded while
the server runs (names seen nowhere else), each walked from the counter form to the handover.

Nothing here is specific to a service: the steps, their executors and what each
step's form asks come from the definition, read back from the database.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.extensions import db
from models import Service
from tests.definitions.test_any_service import THIRD
from tests.e2e.conftest import login
from tests.e2e.test_case_walkthrough import act, complete_checklist, open_from_worklist, tiny_png


def _plan(app, code: str) -> list[tuple[int, str, str]]:
    """(step no, kind, role name of the officer who acts) for every step of the service."""
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == code))
        return [(s.no, s.kind, next(e.name for e in s.executors if not e.applicant)) for s in service.steps]


def _walk(app, page, code: str, users: dict[str, str], form: dict[str, str], scan) -> None:
    plan = _plan(app, code)
    login(page, users[plan[0][2]])
    page.goto("/cases/new/")
    page.get_by_role("link", name=re.compile(re.escape(code))).click()
    page.wait_for_url(f"**/cases/new/{code}")
    assert page.locator("[name='institution.name']").count() == (0 if code == "IPDH" else 1)
    page.fill("[name='applicant.nik']", "1471010101900009")
    page.fill("[name='applicant.name']", "drh. Maya Sari")
    page.fill("[name='applicant.phone']", "0812 1111 2222")
    page.fill("[name='applicant.address']", "Jl. Arifin Ahmad No. 9, Pekanbaru")
    for name, value in form.items():
        page.fill(f"[name='form.{name}']", value)
    page.get_by_role("button", name="Daftarkan permohonan").click()
    page.wait_for_load_state()
    registration_no = page.locator(".sp-reg-no").inner_text()
    assert registration_no.startswith(code + "/")
    act(page)
    for _no, kind, role in plan[1:]:
        login(page, users[role])
        open_from_worklist(page, registration_no)
        if kind == "verify":
            complete_checklist(page, scan)
            act(page)
        elif kind == "inspect":
            act(page, date="2026-12-01", findings="Lokasi sesuai.", recommendation="memenuhi", team="Petugas Lapangan")
        elif kind == "handover":
            act(page, received_by="drh. Maya Sari", id_no="1471010101900009")
        elif kind == "sign":
            act(page, confirm="1")  # the signer confirms having read the KONSEP
        else:
            act(page)
        if kind == "number":
            assert (
                code in page.locator(".sp-certificate-no").inner_text()
                or "ZETA" in page.locator(".sp-certificate-no").inner_text()
            )
    assert page.locator(".sp-status").inner_text() == "Sudah diserahkan"
    assert page.locator("table.sp-control-card tbody tr").count() >= len(plan)


@pytest.mark.e2e
def test_ipdh_case_by_its_own_officers(app, make_user, browser_page, tmp_path):
    roles = ("Front Office", "Seksi Survei", "Seksi Perizinan", "Kepala Bidang Pelayanan dan Pengaduan", "Kepala Dinas")
    users = {role: make_user(role, first_name=role.split()[0], last_name="Petugas") for role in roles}
    scan = tmp_path / "scan.png"
    tiny_png(scan)
    _walk(
        app,
        browser_page,
        "IPDH",
        users,
        {"alamat_tempat_praktek": "Jl. Sudirman 10", "nomor_ijazah": "DH-2020-01"},
        scan,
    )


@pytest.mark.e2e
def test_definition_loaded_while_the_server_runs_is_walked_by_its_own_officers(
    app, runner, make_user, browser_page, tmp_path
):
    from app.services.yaml_format import dump

    path = tmp_path / "uji-zeta.yaml"
    path.write_text(dump(THIRD), encoding="utf-8")
    loaded = runner.invoke(args=["service", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    users = {
        e["name"]: make_user(e["name"], first_name=e["name"].split()[0], last_name="Uji")
        for e in THIRD["executors"]
        if not e.get("applicant")
    }
    scan = tmp_path / "scan.png"
    tiny_png(scan)
    _walk(app, browser_page, THIRD["code"], users, {"luas_lahan": "250", "nama_usaha": "Usaha Zeta"}, scan)
