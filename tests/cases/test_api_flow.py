"""The whole TD-BKK case through the JSON API, by officers of the eight executor roles.

At every step each role that does not hold the step tries the action and is
refused with 403, and the case is unchanged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.core.extensions import db
from models import Case, Certificate, OutboxMessage, SurveyInvitation
from tests.cases.conftest import EXECUTOR_ROLES, case_state
from tests.factories import step_data

# Who acts at each step (DESIGN.md's table); both holders of steps 1 and 10 are tried by others.
ACTORS = {
    1: "Pemohon",
    2: "Front Office",
    3: "Tim Teknis",
    4: "Back Office",
    5: "JF Analis Kebijakan Ahli Muda",
    6: "JF Analis Kebijakan Ahli Madya",
    7: "Sekretaris",
    8: "Kepala Dinas",
    9: "Back Office",
    10: "Front Office",  # the applicant's role holds step 10 too, but only the office hands over (403 for it)
}
HOLDERS = {1: {"Pemohon", "Front Office"}, 10: {"Pemohon", "Front Office"}}
KINDS = {
    1: "intake",
    2: "verify",
    3: "inspect",
    4: "draft",
    5: "approve",
    6: "approve",
    7: "approve",
    8: "sign",
    9: "number",
    10: "handover",
}


def test_whole_case_through_the_api_with_403_for_every_other_role(app, api, staff):
    created = api.create(staff["Pemohon"])
    assert created.status_code == 201, created.json
    case = created.json
    case_id = case["id"]
    assert case["registration_no"].startswith("TD-BKK/")
    assert case["status"] == "in_progress" and case["step"] == 1 and case["version"] == 1
    assert len(case["tracking_key"]) == 14
    assert [r["checked"] for r in case["requirements"]] == [False] * 8
    with app.app_context():
        assert db.session.get(Case, case_id).tracking_key_hash != case["tracking_key"]

    checks = 0
    for step_no in range(1, 11):
        state = case_state(app, case_id)
        assert state["step"] == step_no
        holders = HOLDERS.get(step_no, {ACTORS[step_no]})
        data = step_data(KINDS[step_no])
        for role in EXECUTOR_ROLES:
            if role in holders:
                continue
            refused = api.act(staff[role], case_id, "forward", state["version"], data=data)
            assert refused.status_code == 403, (step_no, role, refused.json)
            assert set(refused.json) == {"message"}
            assert case_state(app, case_id) == state
            checks += 1
        if KINDS[step_no] == "verify":
            for line in case["requirements"]:
                if line["document"]:
                    assert api.upload(staff["Front Office"], case_id, line["code"]).status_code == 201
                answer = api.check(staff["Front Office"], case_id, line["code"])
                assert answer.status_code == 200 and answer.json["checked"] is True
        done = api.act(staff[ACTORS[step_no]], case_id, "forward", state["version"], data=data)
        assert done.status_code == 200, (step_no, done.json)
        case = done.json
        assert case["version"] == state["version"] + 1
        assert case["control_card"][-1]["step"] == step_no
        assert case["control_card"][-1]["role"] == ACTORS[step_no]
        assert case["control_card"][-1]["outcome"] == "forward"
        if step_no == 9:
            assert case["status"] == "completed"
            assert case["certificate_no"].startswith("001/TD-BKK/DPMPTSP/")

    print(f"\npermission checks refused with 403: {checks}")
    assert checks == 2 * 6 + 8 * 7
    assert case["status"] == "handed_over"
    assert len(case["control_card"]) == 10
    assert case["control_card"][7]["initial"] == "KP"  # Kepala Petugas: the signer's paraf
    with app.app_context():
        row = db.session.get(Case, case_id)
        assert row.signed_by_id is not None and row.closed_at is not None
        assert row.received_by == "Penerima"
        assert db.session.scalar(select(Certificate.case_id)) == case_id
        sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).all()
        assert [(m.channel, m.recipient) for m in sms] == [("sms", row.applicant.phone)]
        assert row.registration_no in sms[0].body and "siap diambil" in sms[0].body
        # The product is handed over with a one-time satisfaction-survey link.
        invitation = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.case_id == case_id))
        assert invitation is not None and invitation.used_at is None and len(invitation.token) >= 32


def test_case_detail_and_worklist_shape(app, api, staff):
    case_id = api.create(staff["Front Office"]).json["id"]
    detail = api.get(staff["Front Office"], f"/api/v1/cases/{case_id}").json
    with app.app_context():
        row = db.session.get(Case, case_id)
        registration_no, due_at = row.registration_no, row.due_at
    assert detail["id"] == case_id and detail["registration_no"] == registration_no
    assert (detail["service"], detail["status"], detail["step"], detail["version"]) == ("TD-BKK", "in_progress", 1, 1)
    assert detail["certificate_no"] is None and detail["control_card"] == []
    assert datetime.fromisoformat(detail["due_at"]) == due_at  # 6 working days on, per the calendar
    assert [r["code"] for r in detail["requirements"]][:2] == ["formulir", "izin_operasional"]
    assert detail["allowed_actions"] == ["forward", "reject"]
    worklist = api.get(staff["Front Office"], "/api/v1/cases/?status=in_progress&service=TD-BKK").json
    assert [c["id"] for c in worklist["result"]] == [case_id]
    assert api.get(staff["Tim Teknis"], "/api/v1/cases/").json["result"] == []


def test_api_errors_are_json(app, client, api, staff):
    assert client.get("/api/v1/cases/").status_code == 401
    assert "message" in client.get("/api/v1/cases/").json
    assert api.get(staff["Front Office"], "/api/v1/cases/99999").json == {"message": "Berkas tidak ditemukan."}
    bad = api.post(staff["Front Office"], "/api/v1/cases/1/act", data="not json", content_type="text/plain")
    assert bad.status_code == 400 and "message" in bad.json
    case_id = api.create(staff["Front Office"]).json["id"]
    unknown = api.act(staff["Front Office"], case_id, "explode", 1)
    assert unknown.status_code == 400 and unknown.json["message"]
