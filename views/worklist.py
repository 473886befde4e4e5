"""My worklist: the cases sitting on steps my roles hold, late first."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from sqlalchemy.orm import joinedload

from app import workflow
from app.calendar import Calendar
from app.extensions import db
from models import Case

from .case_display import current_officer, is_late, now, short, status_label, steps_for, time_left

PAGE_SIZE = 25
# Every SOP executor column of the shipped services; Pemohon sees only their own cases.
EXECUTOR_ROLES = [
    "Pemohon", "Front Office", "Back Office", "Tim Teknis", "JF Analis Kebijakan Ahli Muda",
    "JF Analis Kebijakan Ahli Madya", "Sekretaris", "Kepala Dinas",
]


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def case_rows(cases: list[Case]) -> list[dict[str, Any]]:
    """What a list row shows of each case, with its step and time left."""
    steps = steps_for(cases)
    cal = Calendar.from_db()
    at = now()
    rows = []
    for case in cases:
        step = steps.get((case.service_id, case.current_step_no))
        rows.append({
            "case": case,
            "step": f"{case.current_step_no}. {short(step.activity, 50)}" if step else "",
            "late": is_late(case, at),
            "time_left": time_left(case, cal, at),
            "status": status_label(case.status),
        })
    return rows


class WorklistView(BaseView):
    """The officer's own queue."""

    route_base = "/cases/worklist"
    class_permission_name = "My worklist"
    method_permission_name = {"index": "worklist"}
    default_view = "index"
    role_grants = {"can_worklist": EXECUTOR_ROLES, "menu_access": EXECUTOR_ROLES}

    @expose("/")
    @has_access
    def index(self):
        """Cases on my steps, late first; one page at a time, never counted."""
        page = page_number()
        query = (
            workflow.worklist_query(current_officer())
            .options(joinedload(Case.applicant), joinedload(Case.institution), joinedload(Case.service))
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        )
        # One extra row says whether a next page exists without counting the table.
        cases = list(db.session.scalars(query).unique())
        has_next = len(cases) > PAGE_SIZE
        return self.render_template(
            "cases/worklist.html",
            rows=case_rows(cases[:PAGE_SIZE]),
            page=page,
            has_next=has_next,
        )
