"""A delegation starts and ends by itself: inside its window the acting official works the role's
steps (worklist, case page, API, engine), outside it every one of these refuses again.

Run on TD-BKK (the head's role, "Plt. Kepala Dinas") and on UJI-YOTA, a service defined here
whose signer role is named nowhere else ("Plh. Pengesah Akhir Yota").
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.cases import workflow
from app.cases.control_card import verify_chain
from app.cases.step_needs import WorkflowError
from app.core.extensions import db
from app.documents.case_documents import signer_title
from models import AuditLog, Case, ControlCardEntry
from models.delegation import Delegation
from tests.cases.conftest import api  # noqa: F401  (the JSON client fixture)
from tests.delegation.conftest import delegate, move, registration_no
from tests.factories import advance, new_case, role_user
from tests.reading import menu_text, page_text, pdf_text


def officer_of(app, role: str) -> str:
    """The shared officer of `role` (tests.factories.role_user), by username."""
    with app.app_context():
        return role_user(app, role).username


def open_case(app, service: dict, at_step: int) -> int:
    intake = officer_of(app, service["intake"])
    case_id = new_case(app, service["code"], user=intake)
    advance(app, case_id, at_step)
    return case_id


def _version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(Case, case_id).version


def _seen(client, api, acting: str, case_id: int, number: str) -> dict:
    """What the acting official meets: worklist (screen and API), case page, case API."""
    worklist = client.get("/cases/worklist/")
    page = client.get(f"/cases/{case_id}")
    listed = api.get(acting, "/api/v1/cases/")
    return {
        "worklist": worklist.status_code,
        "in_worklist": worklist.status_code == 200 and number in worklist.get_data(as_text=True),
        "page": page.status_code,
        "sign_offered": page.status_code == 200 and 'data-action="forward"' in page.get_data(as_text=True),
        "api": api.get(acting, f"/api/v1/cases/{case_id}").status_code,
        "api_list": listed.status_code == 200 and case_id in [c["id"] for c in listed.json["result"]],
    }


INSIDE = {"worklist": 200, "in_worklist": True, "page": 200, "sign_offered": True, "api": 200, "api_list": True}


def _refused(seen: dict) -> bool:
    return (
        seen["worklist"] == 403
        and not seen["in_worklist"]
        and seen["page"] in (403, 404)
        and seen["api"] in (403, 404)
        and not seen["api_list"]
    )


def test_the_window_opens_and_closes_the_steps_by_itself(app, client, auth, api, make_user, service):
    case_id = open_case(app, service, service["sign"])
    number = registration_no(app, case_id)
    acting = make_user("Kepegawaian", first_name="Rahmat", last_name="Pelaksana")
    auth.login(acting)
    assert _refused(_seen(client, api, acting, case_id, number))  # no delegation at all

    delegation = delegate(app, service["role"], acting, start=1, end=3)  # starts tomorrow
    assert _refused(_seen(client, api, acting, case_id, number))

    move(app, delegation, 0, 0)  # today is its only day
    assert _seen(client, api, acting, case_id, number) == INSIDE
    home = client.get("/")
    assert "Daftar kerja saya" in menu_text(home.get_data(as_text=True))
    assert "sp-waiting-total" in home.get_data(as_text=True)  # the worklist count on the home page

    move(app, delegation, -3, 0)  # today is its last day
    assert _seen(client, api, acting, case_id, number) == INSIDE

    move(app, delegation, -5, -1)  # ended yesterday
    assert _refused(_seen(client, api, acting, case_id, number))
    home = client.get("/").get_data(as_text=True)
    assert "Daftar kerja saya" not in menu_text(home) and "sp-waiting-total" not in home

    move(app, delegation, -1, 2)
    with app.app_context():
        db.session.get(Delegation, delegation).revoked_at = datetime.now(UTC)
        db.session.commit()
    assert _refused(_seen(client, api, acting, case_id, number))
    # The engine itself refuses, whatever screen asks.
    version = _version(app, case_id)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=acting)
        case = db.session.get(Case, case_id)
        with pytest.raises(WorkflowError) as refused:
            workflow.act(case, user, "forward", case.version, data={"confirm": True})
        assert refused.value.status in (403, 404)
    assert _version(app, case_id) == version
    # Back inside the window, the engine lets the acting official sign.
    with app.app_context():
        db.session.get(Delegation, delegation).revoked_at = None
        db.session.commit()
        user = app.appbuilder.sm.find_user(username=acting)
        case = db.session.get(Case, case_id)
        workflow.act(case, user, "forward", case.version, data={"confirm": True})
        assert db.session.get(Case, case_id).current_step_no == service["after"]


def test_only_the_steps_of_the_role_and_no_other_capability(app, client, auth, api, make_user, service):
    """Inside the window: the delegated role's steps, not the role's office capabilities nor other steps."""
    at_draft = open_case(app, service, service["sign"] - 1)
    acting = make_user("Kepegawaian")
    delegate(app, service["role"], acting, start=0, end=1)
    auth.login(acting)
    # The case before the sign step is visible (same service) but offers no action.
    page = client.get(f"/cases/{at_draft}")
    assert page.status_code == 200 and 'data-action="forward"' not in page.get_data(as_text=True)
    refused = api.act(acting, at_draft, "forward", _version(app, at_draft))
    assert refused.status_code == 403
    # Nothing of the role's office grants (the head's dashboard, delegations) comes with it.
    assert client.get("/delegations/").status_code == 403
    assert client.get("/dashboard/leaders/").status_code in (403, 404)
    with app.test_request_context():
        from app.delegation.effective import delegated_grants

        grants = delegated_grants(app.appbuilder.sm.find_user(username=acting))
        assert grants.capabilities == {"cases.work"}
        assert set(grants.step_views) == service["steps"]


def test_the_acting_official_signs_and_the_card_the_pdf_and_the_chain_say_so(
    app, client, auth, api, make_user, runner, service
):
    case_id = open_case(app, service, service["sign"])
    acting = make_user("Kepegawaian", first_name="Rahmat", last_name="Pelaksana")
    kind = "plt" if service["code"] == "TD-BKK" else "plh"
    delegation = delegate(app, service["role"], acting, start=-2, end=2, kind=kind)
    expected = "Plt. Kepala Dinas" if service["code"] == "TD-BKK" else "Plh. Pengesah Akhir Yota"

    signed = api.act(acting, case_id, "forward", _version(app, case_id), data={"confirm": True})
    assert signed.status_code == 200, signed.json
    assert signed.json["control_card"][-1]["acting_as"] == expected
    assert all(row["acting_as"] is None for row in signed.json["control_card"][:-1])
    with app.app_context():
        case = db.session.get(Case, case_id)
        row = case.control_card[-1]
        assert (row.step_no, row.role, row.acting_as) == (service["sign"], service["role"], expected)
        assert row.officer_name == "Rahmat Pelaksana"
        assert all(r.acting_as is None for r in case.control_card[:-1])
        assert verify_chain(case)
        assert signer_title(case).startswith(expected.split()[0] + " ")
        audit = db.session.scalar(
            select(AuditLog)
            .where(AuditLog.action == "case.forward", AuditLog.object_id == str(case_id))
            .order_by(AuditLog.id.desc())
        )
        assert audit.username == acting
        assert audit.after["acting_as"] == expected and audit.after["delegation_id"] == delegation
    result = runner.invoke(args=["cases", "verify-chain"])
    assert result.exit_code == 0, result.output

    # Numbered by the service's own officer: the certificate names the acting signer's title.
    advance(app, case_id, service["after"] + 1)
    intake = officer_of(app, service["intake"])
    certificate = api.get(intake, f"/api/v1/cases/{case_id}/documents/certificate")
    assert certificate.status_code == 200
    text = pdf_text(certificate.data)
    with app.app_context():
        title = signer_title(db.session.get(Case, case_id))
    if service["code"] == "TD-BKK":
        assert title == "Plt. Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Pekanbaru"
    else:
        assert title == "Plh. Pengesah Akhir Yota"
    assert title in text and "Rahmat Pelaksana" in text
    card = pdf_text(api.get(intake, f"/api/v1/cases/{case_id}/documents/control-card").data)
    assert expected in card
    auth.login(intake)
    page = page_text(client.get(f"/cases/{case_id}"))
    assert f"Rahmat Pelaksana (RP) {expected}" in page

    # After the period the acting official is refused on another case at the same step.
    other = open_case(app, service, service["sign"])
    move(app, delegation, -5, -1)
    version = _version(app, other)
    refused = api.act(acting, other, "forward", version, data={"confirm": True})
    assert refused.status_code in (403, 404)
    assert _version(app, other) == version
    with app.app_context():
        assert db.session.get(Case, other).current_step_no == service["sign"]
        marked = select(ControlCardEntry.id).where(
            ControlCardEntry.case_id == other, ControlCardEntry.acting_as.is_not(None)
        )
        assert db.session.scalar(marked) is None


def test_the_role_holder_signs_without_any_mark(app, api, service):
    case_id = open_case(app, service, service["sign"] + 1)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert all(row.acting_as is None for row in case.control_card)
        assert not signer_title(case).startswith(("Plt.", "Plh."))


def test_hand_added_grants_work_as_before(app, client, auth, api, make_user, runner, service):
    """A role given the sign step by hand (no delegation, no end date) signs as before, unmarked,
    and a role sync keeps the grant."""
    case_id = open_case(app, service, service["sign"])
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.add_role("Peran Tangan Uji")
        for perm, view in (
            ("can_act", f"{service['code']} step {service['sign']}"),
            ("cases.work", "Capability"),
            ("can_put", "Cases API"),
            ("can_get", "Cases API"),
        ):
            sm.add_permission_role(role, sm.find_permission_view_menu(perm, view))
        db.session.commit()
    assert runner.invoke(args=["roles", "sync"]).exit_code == 0
    by_hand = make_user("Peran Tangan Uji", first_name="Tangan", last_name="Uji")
    signed = api.act(by_hand, case_id, "forward", _version(app, case_id), data={"confirm": True})
    assert signed.status_code == 200, signed.json
    with app.app_context():
        case = db.session.get(Case, case_id)
        row = case.control_card[-1]
        assert (row.role, row.acting_as) == ("Peran Tangan Uji", None)
        assert verify_chain(case)
        assert db.session.scalar(select(Delegation.id)) is None
    auth.login(by_hand)
    assert client.get("/cases/worklist/").status_code == 200
