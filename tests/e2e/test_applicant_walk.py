"""An applicant online, in Chromium: registers, reads the verification link in their mail (the
outbox row), activates the account, logs in, applies with scans, is confirmed at the counter by
the front office, and after the officers' steps downloads the certificate and sees the survey link."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.extensions import db
from models import Case, OutboxMessage, Service
from tests.e2e.conftest import login
from tests.e2e.test_case_walkthrough import tiny_png
from tests.factories import advance, officer, sample_form, sample_nik
from tests.reading import pdf_text

PASSWORD = "Kelinci-Merah-Lompat-7391"


def _verification_link(app, email: str) -> str:
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        ).first()
    match = re.search(r"https?://\S+(/public/register/confirm/\S+)", body or "")
    assert match, body
    return match.group(1)


@pytest.mark.e2e
def test_applicant_registers_applies_online_and_downloads_the_certificate(app, make_user, browser_page, tmp_path):
    page = browser_page
    nik, email = sample_nik(), "dewi.online@example.test"
    scan = tmp_path / "scan.png"
    tiny_png(scan)

    # Registration from the login page's link.
    page.goto("/login/")
    page.get_by_role("link", name="Daftar untuk permohonan daring").click()
    page.wait_for_url("**/public/register")
    page.fill("#reg-name", "Dewi Lestari")
    page.fill("#reg-nik", nik)
    page.fill("#reg-email", email)
    page.fill("#reg-phone", "0813 7000 1122")
    page.fill("#reg-password", PASSWORD)
    page.fill("#reg-password_confirm", PASSWORD)
    page.get_by_role("button", name="Daftar", exact=True).click()
    page.wait_for_url("**/public/register/sent")
    assert "Periksa e-mail Anda" in page.locator("h1").inner_text()

    # The applicant reads their mail (the outbox row) and opens the link.
    page.goto(_verification_link(app, email))
    page.get_by_role("button", name="Aktifkan akun saya").click()
    page.wait_for_load_state()
    assert page.locator(".sp-verified").count() == 1

    # Log in and apply online: the form starts from the registration.
    login(page, email, PASSWORD)
    page.goto("/applicant/")
    assert "Identitas belum dikonfirmasi" in page.locator(".sp-identity-unconfirmed").inner_text()
    page.locator(".sp-apply-services").get_by_role("link", name=re.compile("TD-BKK")).click()
    page.wait_for_url("**/cases/new/TD-BKK")
    assert page.input_value("[name='applicant.nik']") == nik
    assert page.input_value("[name='applicant.name']") == "Dewi Lestari"
    page.fill("[name='applicant.address']", "Jl. Kenanga 5, Pekanbaru")
    page.fill("[name='institution.name']", "LPK Dewi Mandiri")
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        values = {name: str(value) for name, value in sample_form(service).items()}
    for name, value in values.items():
        field = page.locator(f"[name='form.{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Daftarkan permohonan").click()
    page.wait_for_load_state()
    registration_no = page.locator(".sp-reg-no").inner_text()
    case_id = int(re.search(r"/cases/(\d+)", page.url).group(1))

    # The scans, uploaded by the applicant at intake, then submitted.
    for line in page.locator("table.sp-requirements tbody tr").all():
        if line.locator("input[type=file]").count():
            line.locator("input[type=file]").set_input_files(str(scan))
    page.get_by_role("button", name="Simpan daftar persyaratan").click()
    page.wait_for_load_state()
    assert page.locator(".sp-scan").count() >= 1
    page.locator("form.sp-action[data-action=forward] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-danger").count() == 0

    # The front office checks the identity card at the counter and links the account.
    login(page, officer(app, make_user, "Front Office"))
    page.goto("/applicants/search")
    page.fill("#nik", nik)
    page.get_by_role("button", name="Cari").click()
    page.wait_for_load_state()
    assert "Dewi Lestari" in page.locator(".sp-found").inner_text()
    assert registration_no in page.locator(".sp-found-cases").inner_text()
    assert nik not in page.url
    page.locator(".sp-confirm-identity").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1

    # The officers move the case on and hand the product over.
    advance(app, case_id, 11)
    with app.app_context():
        number = db.session.get(Case, case_id).certificate.number

    # The applicant follows it to the end: certificate and survey link.
    login(page, email, PASSWORD)
    page.goto(f"/cases/{case_id}")
    assert page.locator(".sp-status").inner_text() == "Sudah diserahkan"
    card = page.locator("table.sp-applicant-card").inner_text()
    assert "Front Office Petugas" not in card and "Kepala Dinas Petugas" not in card
    link = page.locator("a.sp-certificate-pdf")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert number in pdf_text(response.body())
    survey = page.locator("a.sp-survey-url").get_attribute("href")
    assert "/public/survey/" in survey
    page.locator("a.sp-survey-url").click()
    page.wait_for_load_state()
    assert page.locator("form").count() >= 1
