"""In Chromium: the head signs, the certificate is numbered and signed with the configured key;
the downloaded file validates in pyHanko as intact and signed by that signer, and a copy with
one byte changed reads DIUBAH (altered) on the public check page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cases.demo_data import officer_role
from app.core.extensions import db
from models import Case, Service
from tests.e2e.conftest import artifact_path, login
from tests.e2e.test_case_walkthrough import act, open_from_worklist
from tests.factories import advance, new_case, role_user
from tests.signing.conftest import (  # noqa: F401  (fixtures of the signing tests, used here)
    SIGNER_CN,
    certificate_row,
    certificate_step_nos,
    one_byte_changed,
    sha256,
    signing_app,
    test_pki,
    validate,
)


def _download(page, href: str) -> bytes:
    """Chromium downloads the file (a click on a download link), as a user saves it."""
    with page.expect_download() as started:
        page.evaluate(
            """href => { const a = document.createElement('a'); a.href = href; a.download = 'sertifikat.pdf';
                        document.body.appendChild(a); a.click(); a.remove(); }""",
            href,
        )
    download = started.value
    path = artifact_path("signed-certificate.pdf")
    download.save_as(str(path))
    return path.read_bytes()


def _check(page, data: bytes, name: str) -> tuple[str, str]:
    """Upload `data` on the public check page (logged out); (status, text) of the verdict."""
    path = artifact_path(name)
    path.write_bytes(data)
    page.context.clear_cookies()
    page.goto("/public/verify/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Periksa berkas").click()
    page.wait_for_load_state()
    verdict = page.locator(".sp-verdict")
    return verdict.get_attribute("data-status") or "", verdict.inner_text()


@pytest.mark.e2e
def test_signed_certificate_downloaded_in_chromium_validates_and_one_byte_changed_reads_altered(
    signing_app, browser_page, test_pki
):
    app, page = signing_app, browser_page
    case_id = new_case(app, "TD-BKK")
    sign_no, number_no = certificate_step_nos(app, "TD-BKK")
    advance(app, case_id, min(sign_no, number_no))
    with app.app_context():
        case = db.session.get(Case, case_id)
        registration_no = case.registration_no
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        steps = {s.no: s for s in service.steps}
        officers = {no: role_user(app, officer_role(steps[no])).username for no in (sign_no, number_no)}

    for no in sorted((sign_no, number_no)):
        login(page, officers[no])
        open_from_worklist(page, registration_no)
        act(page, **({"confirm": "1"} if page.locator("form.sp-action [name=confirm]").count() else {}))
    certificate_no = page.locator(".sp-certificate-no").inner_text()
    cert = certificate_row(app, case_id)
    assert cert.number == certificate_no and cert.signed_pdf_key

    href = page.locator("a.sp-certificate-pdf").get_attribute("href")
    data = _download(page, href)
    assert sha256(data) == cert.signed_pdf_sha256
    status = validate(data, test_pki.ca.cert_pem)
    assert status.intact and status.valid and status.trusted and status.coverage.name == "ENTIRE_FILE"
    assert SIGNER_CN in status.signing_cert.subject.human_friendly

    assert _check(page, data, "signed-certificate-copy.pdf")[0] == "valid"
    verdict, text = _check(page, one_byte_changed(data), "signed-certificate-altered.pdf")
    assert verdict == "altered" and "DIUBAH" in text
