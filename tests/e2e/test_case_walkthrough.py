"""An officer's day in a real browser: one TD-BKK application through all 10 SOP steps.

Each executor role logs in with its own account and does its step on the case
page, as an officer would: the counter registers the application, the front
office uploads the scans and ticks the checklist, the technical team files the
BAP, the reviewers initial, the head of office signs, the back office numbers
it, and the front office hands it over.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import zlib

import pytest
from openpyxl import load_workbook

from tests.browser import DOCS_IMAGES
from tests.e2e.conftest import artifact_path, login, screenshot
from tests.reading import pdf_text


def tiny_png(path) -> None:
    """A real 8x8 grey PNG (the engine checks a scan's content, not its name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def act(page, action: str = "forward", **fields: str) -> None:
    """Fill one action form on the case page and submit it; the engine must accept it."""
    form = page.locator(f"form.sp-action[data-action={action}]")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        elif field.evaluate("e => e.type") == "checkbox":
            field.check()
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()
    assert page.locator(".alert-success").count() == 1


def complete_checklist(page, scan) -> None:
    """On the case page: attach a scan where a line takes one, tick every line, save the checklist once."""
    codes = []
    for row in page.locator("table.sp-requirements tbody tr").all():
        code = row.get_attribute("data-requirement")
        codes.append(code)
        line = page.locator(f"tr[data-requirement={code}]")
        if line.locator("input[type=file]").count():
            line.locator("input[type=file]").set_input_files(str(scan))
        line.locator("input[name^=checked-]").check()
    page.get_by_role("button", name="Simpan daftar persyaratan").click()
    page.wait_for_load_state()
    for code in codes:
        assert page.locator(f"tr[data-requirement={code}] .sp-checked .fa-check").count() == 1, code


def open_from_worklist(page, registration_no: str) -> None:
    """The case must be waiting in this officer's worklist; open it from there."""
    page.goto("/cases/worklist/")
    page.get_by_role("link", name=registration_no).click()
    page.wait_for_load_state()


@pytest.mark.e2e
def test_td_bkk_case_through_all_ten_steps(app, make_user, browser_page, tmp_path):
    page = browser_page
    users = {
        role: make_user(role, first_name=role.split()[0], last_name="Petugas")
        for role in (
            "Front Office",
            "Tim Teknis",
            "Back Office",
            "JF Analis Kebijakan Ahli Muda",
            "JF Analis Kebijakan Ahli Madya",
            "Sekretaris",
            "Kepala Dinas",
        )
    }
    scan = tmp_path / "scan.png"
    tiny_png(scan)

    # Step 1 at the counter: the generated form, then the receipt shown once.
    login(page, users["Front Office"])
    page.goto("/cases/new/")
    page.get_by_role("link", name=re.compile("TD-BKK")).click()
    page.fill("[name='applicant.nik']", "1471010101900007")
    page.fill("[name='applicant.name']", "Rahmat Hidayat")
    page.fill("[name='applicant.phone']", "0812 7654 3210")
    page.fill("[name='applicant.address']", "Jl. Tuanku Tambusai No. 5, Pekanbaru")
    page.fill("[name='institution.name']", "SMK Muhammadiyah 1 Pekanbaru")
    page.fill("[name='institution.license_no']", "421/SMK/2018/77")
    page.fill("[name='form.luas_ruangan_m2']", "24,5")
    page.fill("[name='form.rencana_penempatan']", "40")
    page.get_by_role("button", name="Daftarkan permohonan").click()
    page.wait_for_load_state()
    registration_no = page.locator(".sp-reg-no").inner_text()
    assert re.fullmatch(r"TD-BKK/\d{4}/\d{6}", registration_no)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".sp-tracking-key").inner_text())
    act(page, note="Berkas diterima di loket")

    # Step 2: scans and checklist, then forward. The limits are on the page before any upload.
    open_from_worklist(page, registration_no)
    assert "maks. 5 MB" in page.locator("#sp-upload-limits").inner_text()
    page.locator("#requirements").scroll_into_view_if_needed()
    shot = artifact_path("checklist.png")
    page.locator("#sp-checklist").screenshot(path=str(shot))
    if os.environ.get("UPDATE_DOCS_IMAGES") == "1":
        shutil.copyfile(shot, DOCS_IMAGES / "checklist.png")
    complete_checklist(page, scan)
    act(page)

    # Step 3: the technical team's field survey report (BAP). Their navbar says one case waits.
    login(page, users["Tim Teknis"])
    assert page.locator(".sp-waiting").first.inner_text().strip() == "1"
    open_from_worklist(page, registration_no)
    # A BAP sent without its date comes back with the date marked and the findings still typed.
    findings = "Ruang kantor 24,5 m2 dan struktur organisasi BKK sesuai."
    bap = page.locator("form.sp-action[data-action=forward]")
    bap.locator("[name=findings]").fill(findings)
    bap.locator("[name=recommendation]").select_option("memenuhi")
    bap.locator("[name=team]").fill("Andi Saputra\nRina Marlina")
    bap.locator("button[type=submit]").click()
    page.wait_for_load_state()
    bap = page.locator("form.sp-action[data-action=forward]")
    assert bap.locator(".has-error #bap-date").count() == 1
    assert bap.locator(".sp-field-error").first.is_visible()
    assert bap.locator("[name=findings]").input_value() == findings
    act(page, date="2026-12-01")

    # Steps 4-9: draft, three initials, signature, number and stamp.
    for role in (
        "Back Office",
        "JF Analis Kebijakan Ahli Muda",
        "JF Analis Kebijakan Ahli Madya",
        "Sekretaris",
        "Kepala Dinas",
        "Back Office",
    ):
        login(page, users[role])
        open_from_worklist(page, registration_no)
        draft = page.locator("a.sp-read-draft")
        if role == "JF Analis Kebijakan Ahli Muda":
            # The reviewers initial what they read: the draft beside the paraf button is the certificate, marked KONSEP.
            response = page.request.get(draft.get_attribute("href"))
            assert response.status == 200 and response.headers["content-type"] == "application/pdf"
            text = pdf_text(response.body())
            assert "KONSEP" in text and "SMK Muhammadiyah 1 Pekanbaru" in text
        # The signer ticks that they read the KONSEP (step_kinds.Sign refuses the signature without it).
        act(page, **({"confirm": "1"} if page.locator("form.sp-action [name=confirm]").count() else {}))
    certificate_no = page.locator(".sp-certificate-no").inner_text()
    assert "TD-BKK" in certificate_no

    # Step 10: handover at the counter.
    login(page, users["Front Office"])
    open_from_worklist(page, registration_no)
    act(page, received_by="Rahmat Hidayat", id_no="1471010101900007")

    assert page.locator(".sp-status").inner_text() == "Sudah diserahkan"
    card_rows = page.locator("table.sp-control-card tbody tr")
    assert card_rows.count() >= 10
    assert [card_rows.nth(i).locator("td").first.inner_text() for i in range(10)] == [str(n) for n in range(1, 11)]
    assert page.locator("form.sp-action").count() == 0  # nothing left to do

    page.locator("h2").first.scroll_into_view_if_needed()
    assert screenshot(page, "case-page.png").stat().st_size > 10_000

    # The cases register as XLSX, as Excel opens it: the NIK is the exact 16-digit text, not 1,47E+15.
    response = page.request.get("/registers/cases/export/xlsx")
    assert response.status == 200
    sheet = load_workbook(io.BytesIO(response.body()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    row = next(r for r in rows[1:] if registration_no in r)
    assert row[header.index("NIK")] == "1471010101900007"
