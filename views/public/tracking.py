"""Case tracking by registration number plus the key printed on the receipt.

The page must not tell whether a registration number exists: an unknown
number and a wrong key get the very same answer, and the key's hash is
computed either way (the engine's `check_tracking_key`) so both take the same
path. A match shows only what the applicant already knows from the receipt:
status, current step, due date and whether the product is ready.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.workflow import check_tracking_key
from app.core.extensions import db
from models import Case, CaseStatus, Service, Step
from views.cases.display import status_label

NUMBER_MAX = 40  # Case.registration_no's length: anything longer cannot match
KEY_MAX = 40


def find_case(number: str, key: str) -> Case | None:
    """The case when number and key both match, else None (never says which failed)."""
    case = None
    if number and len(number) <= NUMBER_MAX:
        case = db.session.scalar(select(Case).where(Case.registration_no == number))
    return case if check_tracking_key(case, key[:KEY_MAX]) else None


def case_status(case: Case) -> dict[str, Any]:
    """What the tracking page shows of a matched case: nothing personal."""
    step = None
    if case.current_step_no is not None:
        step = db.session.scalar(
            select(Step).where(Step.service_id == case.service_id, Step.no == case.current_step_no)
        )
    service = db.session.get(Service, case.service_id)
    return {
        "registration_no": case.registration_no,
        "service": service.name if service else "",
        "product": service.product if service else "",
        "status": case.status,
        "status_label": status_label(case.status),
        "step_no": case.current_step_no if case.status in (CaseStatus.IN_PROGRESS, CaseStatus.RETURNED) else None,
        "step": step.activity
        if step is not None and case.status in (CaseStatus.IN_PROGRESS, CaseStatus.RETURNED)
        else None,
        "received_at": case.received_at,
        "due_at": case.due_at if case.status == CaseStatus.IN_PROGRESS else None,
        "ready": case.status == CaseStatus.COMPLETED,
        "waiting_for_applicant": case.status == CaseStatus.RETURNED,
    }


def track():
    """The form; on POST the case's status, or one answer for every mismatch."""
    number = key = ""
    result = None
    not_matched = False
    if request.method == "POST":
        number = (request.form.get("number") or "").strip()
        key = (request.form.get("key") or "").strip()
        if not number or not key:
            not_matched = True
        else:
            case = find_case(number, key)
            if case is None:
                not_matched = True
            else:
                result = case_status(case)
    return render_template(
        "public/track.html",
        number=number,
        key=key,
        result=result,
        refusal=_("No application matches this registration number and tracking key. Check both on your receipt.")
        if not_matched
        else None,
    )
