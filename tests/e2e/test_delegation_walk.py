"""The Kepala Dinas is away: a Plt. signs inside the period, and is refused after it ends — in Chromium.

The head appoints the acting official on the delegation screen; the acting
official finds the case at the sign step in their worklist and signs it; the
certificate PDF and the control card say "Plt."; once the period is over (the
row's dates moved to the past) the same official gets nothing on another case.
"""

from __future__ import annotations

import pytest

from app.core.extensions import db
from models import Case
from tests.delegation.conftest import move, registration_no
from tests.e2e.conftest import login, screenshot
from tests.factories import advance, new_case
from tests.reading import pdf_text


def _case_at_sign_step(app) -> tuple[int, str]:
    case_id = new_case(app)
    advance(app, case_id, 8)
    return case_id, registration_no(app, case_id)


@pytest.mark.e2e
def test_plt_signs_inside_the_period_and_is_refused_after(app, make_user, browser_page):
    page = browser_page
    head = make_user("Kepala Dinas", first_name="Kepala", last_name="Kantor")
    acting = make_user("Sekretaris", first_name="Rahmat", last_name="Pelaksana")
    case_id, number = _case_at_sign_step(app)

    # The head appoints the Plt. in the browser (the form's default period starts today).
    login(page, head)
    page.goto("/delegations/")
    page.get_by_role("link", name="Tunjuk pejabat pelaksana").click()
    page.wait_for_load_state()
    form = page.locator("form.sp-delegation-form")
    form.locator("select[name=role]").select_option(label="Kepala Dinas")
    form.locator("select[name=user]").select_option(label=f"Rahmat Pelaksana ({acting})")
    form.locator("select[name=kind]").select_option("plt")
    form.locator("input[name=decree_no]").fill("800.1.3/017/SPT/2026")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1, page.content()[:2000]
    active = page.locator("table[data-group=active]")
    assert "Plt. Kepala Dinas" in active.inner_text() and "Rahmat Pelaksana" in active.inner_text()

    # The acting official sees the case at the sign step in their worklist and signs it.
    login(page, acting)
    page.goto("/cases/worklist/")
    page.get_by_role("link", name=number).click()
    page.wait_for_load_state()
    sign = page.locator("form.sp-action[data-action=forward]")
    sign.locator("[name=confirm]").check()
    sign.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()
    assert page.locator(".alert-success").count() == 1
    assert "Plt. Kepala Dinas" in page.locator("table.sp-control-card").inner_text()

    # Numbered by the back office; the certificate and the control card say Plt.
    advance(app, case_id, 10)
    page.goto(f"/cases/{case_id}")
    screenshot(page, "delegation-control-card.png")
    certificate = page.request.get(f"/documents/case/{case_id}/certificate.pdf")
    assert certificate.status == 200
    text = pdf_text(certificate.body())
    assert "Plt. Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Pekanbaru" in text
    assert "Rahmat Pelaksana" in text
    card = pdf_text(page.request.get(f"/documents/case/{case_id}/control-card.pdf").body())
    assert "Plt. Kepala Dinas" in card
    with app.app_context():
        assert db.session.get(Case, case_id).control_card[7].acting_as == "Plt. Kepala Dinas"

    # The period ends: another case at the sign step is no longer theirs.
    other_id, other_number = _case_at_sign_step(app)
    with app.app_context():
        from models.delegation import Delegation

        delegation_id = db.session.query(Delegation.id).scalar()
    move(app, delegation_id, -10, -1)
    page.goto("/cases/worklist/")
    assert page.get_by_role("link", name=other_number).count() == 0
    page.goto(f"/cases/{other_id}")
    assert page.locator("form.sp-action[data-action=forward]").count() == 0
    with app.app_context():
        assert db.session.get(Case, other_id).current_step_no == 8
