"""The public address on receipts, survey links and certificate QR codes (PUBLIC_BASE_URL).

Unset outside production, it is the address the page was asked at, so a server on
another host or port prints its own; production refuses to start without it.
"""

from __future__ import annotations

import logging
import re

import pytest

from app import ConfigurationError, create_app
from app.core.urls import LOCAL_DEFAULT, public_base_url
from app.documents import verify_url
from tests.factories import advance
from tests.reading import pdf_text
from tests.screens.conftest import csrf_from
from tests.screens.test_new_application import URL, _valid_form

OTHER_HOST = "bureau.example.test:8123"


def test_receipt_survey_link_and_certificate_print_the_address_the_page_was_asked_at(app, login_as, client):
    assert not app.config["PUBLIC_BASE_URL"]
    other = f"http://{OTHER_HOST}"
    login_as("Front Office")
    # The same login, now asked at another host and port (the cookie goes with it).
    client.set_cookie("session", client.get_cookie("session").value, domain=OTHER_HOST.split(":")[0])
    rv = client.post(URL, data=_valid_form(csrf_from(client.get(URL, base_url=other))), base_url=other)
    assert rv.status_code == 302
    case_id = int(re.search(r"/cases/(\d+)$", rv.headers["Location"]).group(1))
    client.get(f"/cases/{case_id}", base_url=other)  # the key is shown once, then the receipt prints it
    receipt = client.get(f"/cases/{case_id}/receipt", base_url=other).get_data(as_text=True)
    assert f"{other}/public/track" in receipt, receipt[receipt.find("</table>") :]
    assert "127.0.0.1:5000" not in receipt

    advance(app, case_id, 10)  # numbered: the certificate with its QR code and link
    certificate = pdf_text(client.get(f"/documents/case/{case_id}/certificate.pdf", base_url=other).data)
    assert f"{other}/public/verify/" in certificate.replace(" ", "")

    advance(app, case_id, 11)  # handed over: the one-time survey link
    html = client.get(f"/cases/{case_id}", base_url=other).get_data(as_text=True)
    link = re.search(r'class="sp-survey-url">([^<]+)<', html).group(1)
    assert link.startswith(f"{other}/public/survey/")


def test_a_set_public_base_url_wins_over_the_request(app):
    app.config["PUBLIC_BASE_URL"] = "https://layanan.example.go.id/"
    try:
        with app.test_request_context("/", base_url=f"http://{OTHER_HOST}"):
            assert verify_url("abc") == "https://layanan.example.go.id/public/verify/abc"
    finally:
        app.config["PUBLIC_BASE_URL"] = ""


def test_outside_a_request_server_name_or_the_local_default_with_a_warning(app, caplog):
    with caplog.at_level(logging.WARNING, logger="app.core.urls"), app.app_context():
        assert public_base_url() == LOCAL_DEFAULT
        app.config["SERVER_NAME"] = "kantor.example.test"
        try:
            assert public_base_url() == "http://kantor.example.test"
        finally:
            app.config["SERVER_NAME"] = None
    assert "PUBLIC_BASE_URL is not set" in caplog.text


def test_production_refuses_to_start_without_public_base_url(app_config):
    production = {
        **app_config,
        "APP_ENV": "production",
        "SECRET_KEY": "z" * 48,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    for missing in ("", "layanan.example.go.id"):
        with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL must be set when APP_ENV=production"):
            create_app({**production, "PUBLIC_BASE_URL": missing})
    app = create_app({**production, "PUBLIC_BASE_URL": "https://layanan.example.go.id"})
    with app.test_request_context("/", base_url=f"http://{OTHER_HOST}"):
        assert verify_url("abc") == "https://layanan.example.go.id/public/verify/abc"
