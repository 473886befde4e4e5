"""Returns per `returns_to`, reject, stale versions and what each step kind needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.calendar.working_days import Calendar
from app.core.extensions import db
from models import Case, ControlCardEntry, InspectionReport, OutboxMessage
from tests.cases.conftest import case_state
from tests.factories import advance, complete_requirements, new_case, step_data

BAP_NO = {
    "report": {
        "date": "2026-01-06",
        "findings": "Ruangan tidak tersedia.",
        "recommendation": "tidak_memenuhi",
        "team": ["Andi Saputra"],
    }
}


def test_return_to_applicant_stops_the_clock_and_resubmission_resumes_it(app, api, staff):
    case_id = api.create(staff["Pemohon"]).json["id"]
    advance(app, case_id, 2)
    version = case_state(app, case_id)["version"]
    no_reason = api.act(staff["Front Office"], case_id, "return", version)
    assert no_reason.status_code == 422 and set(no_reason.json["errors"]) == {"note"}
    assert no_reason.json["message"] == "Tuliskan alasan pengembalian berkas."
    returned = api.act(staff["Front Office"], case_id, "return", version, note="KTP belum dilampirkan")
    assert returned.status_code == 200
    assert returned.json["status"] == "returned" and returned.json["step"] == 2
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.paused_at is not None and case.step_due_at is None
        sms = db.session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case_id))
        assert "KTP belum dilampirkan" in sms.body and "dikembalikan" in sms.body
        # Ten days of waiting for the applicant (some of them office days).
        db.session.execute(update(Case).where(Case.id == case_id).values(paused_at=case.paused_at - timedelta(days=10)))
        db.session.commit()
        case = db.session.get(Case, case_id)
        paused_at, due_before = case.paused_at, case.due_at

    # Only the applicant side (step 1 holders) may resubmit; other officers get 403.
    assert api.act(staff["Tim Teknis"], case_id, "forward", version + 1).status_code == 403
    resumed = api.act(staff["Pemohon"], case_id, "forward", version + 1)
    assert resumed.status_code == 200, resumed.json
    assert resumed.json["status"] == "in_progress" and resumed.json["step"] == 2
    assert resumed.json["control_card"][-1]["outcome"] == "resubmit"
    with app.app_context():
        case = db.session.get(Case, case_id)
        acted_at = resumed.json["control_card"][-1]["acted_at"]
        row = db.session.scalars(
            select(ControlCardEntry).where(ControlCardEntry.case_id == case_id).order_by(ControlCardEntry.seq.desc())
        ).first()
        assert row.acted_at.isoformat()[:19] == acted_at[:19]
        cal = Calendar.from_db()
        paused = cal.working_minutes(paused_at, row.acted_at)
        assert paused > 0
        assert case.paused_at is None and case.paused_working_minutes == paused
        assert case.due_at == cal.add(due_before, minutes=paused)
        assert case.step_due_at > row.acted_at


def test_return_at_inspection_goes_back_to_front_office_with_the_bap_kept(app, api, staff):
    case_id = new_case(app)
    advance(app, case_id, 3)
    version = case_state(app, case_id)["version"]
    missing = api.act(staff["Tim Teknis"], case_id, "return", version, note="Tidak layak")
    assert missing.status_code == 422 and case_state(app, case_id)["step"] == 3
    back = api.act(staff["Tim Teknis"], case_id, "return", version, note="Tidak layak", data=BAP_NO)
    assert back.status_code == 200
    assert back.json["status"] == "in_progress" and back.json["step"] == 2
    with app.app_context():
        assert (
            db.session.scalar(select(InspectionReport.recommendation).where(InspectionReport.case_id == case_id))
            == "tidak_memenuhi"
        )


@pytest.mark.parametrize(
    "step_no,role",
    [
        (5, "JF Analis Kebijakan Ahli Muda"),
        (6, "JF Analis Kebijakan Ahli Madya"),
        (7, "Sekretaris"),
        (8, "Kepala Dinas"),
    ],
)
def test_reviewers_return_the_draft_to_its_drafter(app, api, staff, step_no, role):
    case_id = new_case(app)
    advance(app, case_id, step_no)
    version = case_state(app, case_id)["version"]
    back = api.act(staff[role], case_id, "return", version, note="Redaksi surat perlu diperbaiki")
    assert back.status_code == 200 and back.json["step"] == 4 and back.json["status"] == "in_progress"
    assert back.json["control_card"][-1]["outcome"] == "return"
    # The drafter now has it on their worklist.
    assert case_id in [c["id"] for c in api.get(staff["Back Office"], "/api/v1/cases/").json["result"]]


def test_steps_without_a_return_refuse_it_and_reject_closes_the_case(app, api, staff):
    case_id = new_case(app)
    advance(app, case_id, 4)
    version = case_state(app, case_id)["version"]
    assert api.act(staff["Back Office"], case_id, "return", version, note="x").status_code == 422
    assert api.act(staff["Back Office"], case_id, "reject", version).status_code == 422
    rejected = api.act(staff["Back Office"], case_id, "reject", version, note="Sekolah tidak berizin")
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    after = api.act(staff["Back Office"], case_id, "forward", version + 1)
    assert after.status_code == 409 and case_state(app, case_id)["status"] == "rejected"


def test_a_stale_version_is_refused_and_not_applied_twice(app, api, staff):
    case_id = new_case(app)
    first = api.act(staff["Front Office"], case_id, "forward", 1)
    assert first.status_code == 200
    before = case_state(app, case_id)
    again = api.act(staff["Front Office"], case_id, "forward", 1)
    assert again.status_code == 409 and "diubah" in again.json["message"]
    assert case_state(app, case_id) == before
    assert api.act(staff["Front Office"], case_id, "forward", "abc").status_code == 400


def test_verify_needs_every_required_requirement_and_scans_for_documents(app, api, staff):
    case_id = new_case(app)
    advance(app, case_id, 2)
    version = case_state(app, case_id)["version"]
    unchecked = api.act(staff["Front Office"], case_id, "forward", version)
    assert unchecked.status_code == 422 and "belum diperiksa" in unchecked.json["message"]
    no_scan = api.check(staff["Front Office"], case_id, "ktp")
    assert no_scan.status_code == 422 and "pindaian" in no_scan.json["message"]
    assert case_state(app, case_id)["checked"] == []
    assert api.check(staff["Front Office"], case_id, "formulir").status_code == 200
    still = api.act(staff["Front Office"], case_id, "forward", version)
    assert still.status_code == 422 and "Formulir" not in still.json["message"]
    complete_requirements(app, case_id)
    assert api.act(staff["Front Office"], case_id, "forward", version).status_code == 200


def test_inspection_needs_a_complete_bap_recommending_approval(app, api, staff):
    case_id = new_case(app)
    advance(app, case_id, 3)
    version = case_state(app, case_id)["version"]
    assert (
        api.act(staff["Tim Teknis"], case_id, "forward", version).json["message"]
        == "Berita Acara Pemeriksaan (BAP) wajib diisi."
    )
    partial = api.act(
        staff["Tim Teknis"],
        case_id,
        "forward",
        version,
        data={"report": {"date": "kemarin", "recommendation": "memenuhi"}},
    )
    assert partial.status_code == 422
    assert set(partial.json["errors"]) == {"report.date", "report.findings", "report.team"}
    refused = api.act(staff["Tim Teknis"], case_id, "forward", version, data=BAP_NO)
    assert refused.status_code == 422 and "kembalikan" in refused.json["message"]
    with app.app_context():
        assert db.session.scalar(select(InspectionReport.id).where(InspectionReport.case_id == case_id)) is None
    assert case_state(app, case_id)["step"] == 3
    assert api.act(staff["Tim Teknis"], case_id, "forward", version, data=step_data("inspect")).status_code == 200


def test_handover_needs_the_receiver(app, api, staff):
    case_id = new_case(app)
    advance(app, case_id, 10)
    version = case_state(app, case_id)["version"]
    assert case_state(app, case_id)["status"] == "completed"
    missing = api.act(staff["Front Office"], case_id, "forward", version, data={"received_by": "Siti"})
    assert missing.status_code == 422 and set(missing.json["errors"]) == {"id_no"}
    assert api.act(staff["Front Office"], case_id, "return", version, note="x").status_code == 409
    done = api.act(staff["Front Office"], case_id, "forward", version, data=step_data("handover"))
    assert done.status_code == 200 and done.json["status"] == "handed_over"


def test_cancel_by_the_applicant_on_their_own_case_only(app, api, staff, make_user):
    case_id = api.create(staff["Pemohon"]).json["id"]
    assert api.act(staff["Front Office"], case_id, "cancel", 1).status_code == 403
    cancelled = api.act(staff["Pemohon"], case_id, "cancel", 1, note="Salah layanan")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert api.act(staff["Pemohon"], case_id, "cancel", 2).status_code == 409


def test_a_concurrent_action_on_the_same_version_is_refused_with_nothing_half_written(app, staff):
    """Two officers load the case at once; the second write hits the version column."""
    from app.cases import workflow
    from app.cases.step_needs import WorkflowError

    case_id = new_case(app)
    with app.app_context():
        fo = app.appbuilder.sm.find_user(username=staff["Front Office"])
        first = db.session.get(Case, case_id)
        version = first.version
        with app.app_context():  # another request, its own session, same moment
            other = db.session.get(Case, case_id)
            workflow.act(other, app.appbuilder.sm.find_user(username=staff["Front Office"]), "forward", version)
        with pytest.raises(WorkflowError) as refused:
            workflow.act(first, fo, "forward", version)
        assert refused.value.status == 409
    state = case_state(app, case_id)
    assert state["step"] == 2 and state["card"] == 1 and state["version"] == version + 1


def test_sample_cases_for_the_demo(app, staff):
    from app.cases.demo_data import create_sample_cases

    with app.app_context():
        ids = create_sample_cases(6)
        cases = [db.session.get(Case, i) for i in ids]
        assert [c.current_step_no for c in cases] == [1, 2, 3, 5, 10, 8]
        now = datetime.now(UTC)
        assert cases[2].step_due_at < now  # the late one
        assert cases[4].status == "completed" and cases[4].certificate is not None
        assert len({c.applicant_id for c in cases}) == 6
