"""The Content-Security-Policy in real Chromium: no page reports a violation, and
the JavaScript FAB, Flask-Admin and our files bring still works under it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.factories import advance, new_case

pytestmark = pytest.mark.e2e


def _watch_csp(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " console.error('Content Security Policy violation: ' + location.pathname + ' ' + e.violatedDirective + ' '"
        " + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample); });"
    )
    return seen


def test_pages_run_under_the_csp_without_violations(app, browser_page, make_user):
    case_id = new_case(app)
    advance(app, case_id, 3)
    page = browser_page
    violations = _watch_csp(page)
    for url in ("/public/", "/public/track", "/public/complaint"):
        page.goto(url)
    login(page, make_user("Admin"))
    for url in (
        "/",
        "/cases/",
        f"/cases/{case_id}",
        "/cases/new/TD-BKK",
        "/users/list/",
        "/users/add",
        "/resetmypassword/form",
        "/dashboard/leaders/",
        "/admin/console_holiday/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert not violations, f"{url}: {violations}"

    # FAB's navbar dropdown (bootstrap.js) opens.
    page.goto("/")
    page.click("li.dropdown > a.dropdown-toggle >> nth=0")
    page.wait_for_selector("li.dropdown.open, li.dropdown .dropdown-menu:visible")
    # The leaders' dashboard draws its charts (local Chart.js, data block, dashboard.js).
    page.goto("/dashboard/leaders/")
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances || {}).length > 0")
    # Flask-Admin: the filter menu adds a filter row without navigating, and the delete
    # button still asks first (data-confirm, not an inline onclick).
    page.goto("/admin/console_holiday/")
    page.click(".dropdown:has(a.dropdown-item.filter) > a")
    page.locator("a.dropdown-item.filter").first.click()
    page.wait_for_selector("table.filters tr, .filters .filter-op, #filter_form input[type=text]")
    assert page.url.endswith("/admin/console_holiday/")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    delete = page.locator("form.icon button[data-confirm]")
    if delete.count():
        delete.first.click()
        assert asked, "the delete button did not ask for confirmation"
        assert page.url.endswith("/admin/console_holiday/")
    assert not violations, violations
