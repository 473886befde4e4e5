"""How cases read on the officers' screens (labels, step names, time left) and
the guard every case route starts with.

Shared by the worklist, the register of all cases, the counter and the case
page so they always say the same thing about a case.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

import sqlalchemy as sa
from flask import abort, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.cases import workflow
from app.core.extensions import db
from app.core.formatting import format_duration, to_local
from models import Case, Step

def current_officer():
    """The logged-in user object itself (the engine stores its id on rows)."""
    return current_user._get_current_object()


def case_or_abort(case_id: int) -> Case:
    """The case, if this user may see it; 404 otherwise.

    One answer for "no such case" and "not yours", so case numbers cannot be
    probed for existence (the API answers the same).
    """
    case = db.session.get(Case, case_id)
    if case is None or not workflow.can_view(case, current_officer()):
        abort(404)
    return case


def flash_refusal(error: "workflow.WorkflowError") -> None:
    """The engine said no: nothing was written; tell the officer why, in their language."""
    db.session.rollback()
    flash(error.message, "danger")


STATUS_LABELS = {
    "in_progress": _l("In progress"),
    "returned": _l("Returned to the applicant"),
    "completed": _l("Completed, ready for pick-up"),
    "handed_over": _l("Handed over"),
    "rejected": _l("Rejected"),
    "cancelled": _l("Cancelled"),
}
OUTCOME_LABELS = {
    "forward": _l("Forwarded"),
    "return": _l("Returned"),
    "reject": _l("Rejected"),
    "cancel": _l("Cancelled"),
    "resubmit": _l("Resubmitted"),
}
# Statuses whose step clock runs: only these can be late.
CLOCK_STATUSES = ("in_progress",)


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


def short(text: Optional[str], length: int = 60) -> str:
    # Activities written as bullet lists ("- Pemohon meminta ...") read as one line.
    text = " ".join((text or "").split()).removeprefix("- ")
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def steps_for(cases: Iterable[Case]) -> dict[tuple[int, int], Step]:
    """The current Step of each case, fetched in one query for a whole page."""
    pairs = {(c.service_id, c.current_step_no) for c in cases if c.current_step_no}
    if not pairs:
        return {}
    rows = db.session.scalars(
        sa.select(Step).where(sa.or_(*[sa.and_(Step.service_id == s, Step.no == n) for s, n in pairs]))
    )
    return {(s.service_id, s.no): s for s in rows}


def now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def is_late(case: Case, at: Optional[datetime] = None) -> bool:
    """The current step has run past its due time while its clock runs."""
    if case.status not in CLOCK_STATUSES or case.step_due_at is None:
        return False
    return _aware(case.step_due_at) < (at or now())


def time_left(case: Case, cal, at: Optional[datetime] = None) -> str:
    """`3 working days left`, `2 j 15 m left`, or how late, counted in office time."""
    if case.status not in CLOCK_STATUSES or case.step_due_at is None:
        return ""
    at = at or now()
    due = _aware(case.step_due_at)
    if due < at:
        return _("late by %(t)s", t=format_duration(cal.working_minutes(due, at)) or "0 m")
    today, due_day = to_local(at).date(), to_local(due).date()
    if due_day > today:
        days, day = 0, today
        while day < due_day:
            day += timedelta(days=1)
            if cal.is_working_day(day):
                days += 1
        if days >= 1:
            return _("%(n)d working day(s) left", n=days)
    return _("%(t)s left", t=format_duration(cal.working_minutes(at, due)) or "0 m")
