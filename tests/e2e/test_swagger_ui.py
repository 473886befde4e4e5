"""The Swagger UI page in real Chromium: it renders every call of the document under the CSP,
and an administrator can try a call with the token from the login."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_swagger_ui_renders_the_document_and_tries_a_call(browser_page, make_user):
    page = browser_page
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    admin = make_user("Admin")
    login(page, admin)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "API" in page.inner_text(".swagger-ui .info .title")
    spec = page.evaluate("fetch('/api/v1/openapi.json').then(r => r.json())")
    operations = sum(len([m for m in ops if m != "parameters"]) for ops in spec["paths"].values())
    assert page.locator(".opblock").count() == operations
    assert not violations, violations

    # Authorize with a token from the login call, then try the services call.
    token = page.evaluate(
        "u => fetch('/api/v1/security/login', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({username: u.name, password: u.password, provider: 'db'})})"
        ".then(r => r.json()).then(j => j.access_token)",
        {"name": admin, "password": PASSWORD},
    )
    page.click("button.authorize")
    page.fill("input[id^='auth-bearer-value'], .auth-container input[type=text]", token)
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")
    services = page.locator("#operations-Services-ServiceApi_get_list")
    services.locator(".opblock-summary").click()
    services.locator("button.try-out__btn").click()
    services.locator("button.execute").click()
    page.wait_for_selector(
        "#operations-Services-ServiceApi_get_list .live-responses-table tr.response .response-col_status"
    )
    assert "200" in services.locator(".live-responses-table tr.response .response-col_status").first.inner_text()
    assert "TD-BKK" in services.locator(".live-responses-table .microlight").first.inner_text()
    assert not violations, violations
