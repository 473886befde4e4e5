"""How cases read on the officers' screens (labels, step names, time left) and
the guard every case route starts with.

Shared by the worklist, the register of all cases, the counter and the case
page so they always say the same thing about a case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from app.calendar.working_days import Calendar
from app.cases import workflow
from app.cases.lateness import CLOCK_STATUSES  # statuses whose step clock runs; "late" is defined there
from app.core.errors import flash_error
from app.core.extensions import db
from app.core.formatting import format_duration
from models import Case, Step
from models.case import CaseOutcome, CaseStatus


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


def flash_refusal(error: workflow.WorkflowError) -> None:
    """The engine said no: nothing was written; tell the officer why, in their language."""
    flash_error(error)


def record_identity_decision(decide: Callable[[bool], object]) -> None:
    """The counter's answer on an online account's claim (the form's `decision`: confirm or
    refuse), given to `decide`, flashed either way; the case page and the NIK search share it."""
    from flask import flash, request
    from flask_babel import gettext

    confirm = request.form.get("decision", "confirm") != "refuse"
    try:
        decide(confirm)
    except workflow.WorkflowError as error:
        flash_refusal(error)
    else:
        flash(
            gettext("Identity confirmed: the online account is linked to this applicant.")
            if confirm
            else gettext("The online account's claim on this NIK was refused."),
            "success",
        )


def status_label(status: str) -> str:
    return CaseStatus.label_of(status)


def outcome_label(outcome: str) -> str:
    return CaseOutcome.label_of(outcome)


def short(text: str | None, length: int = 60) -> str:
    # Activities written as bullet lists ("- Pemohon meminta ...") read as one line.
    text = " ".join((text or "").split()).removeprefix("- ")
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class CaseRow(Protocol):
    """What the list helpers read of a case: an ORM Case or a plain list row (ListedCase)."""

    @property
    def service_id(self) -> int: ...
    @property
    def current_step_no(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def step_due_at(self) -> datetime | None: ...


def steps_for(cases: Iterable[CaseRow]) -> dict[tuple[int, int | None], Step]:
    """The current Step of each case, fetched in one query for a whole page."""
    pairs = {(c.service_id, c.current_step_no) for c in cases if c.current_step_no}
    if not pairs:
        return {}
    rows = db.session.scalars(
        sa.select(Step).where(sa.or_(*[sa.and_(Step.service_id == s, Step.no == n) for s, n in pairs]))
    )
    return {(s.service_id, s.no): s for s in rows}


def now() -> datetime:
    return datetime.now(UTC)


def is_late(case: CaseRow, at: datetime | None = None) -> bool:
    """The current step has run past its due time while its clock runs (app.cases.lateness)."""
    if case.status not in CLOCK_STATUSES or case.step_due_at is None:
        return False
    return case.step_due_at < (at or now())


def late_by(case: CaseRow, cal: Calendar, at: datetime | None = None) -> str:
    """How late the case is, in working time (`1 hari 2 jam kerja`); empty when not late."""
    at = at or now()
    if not is_late(case, at) or case.step_due_at is None:
        return ""
    return format_duration(cal.working_minutes(case.step_due_at, at), cal.day_minutes)


def time_left(case: CaseRow, cal: Calendar, at: datetime | None = None) -> str:
    """`1 hari 2 jam kerja left`, or how late (`late by 2 jam kerja`), counted in office time."""
    if case.status not in CLOCK_STATUSES or case.step_due_at is None:
        return ""
    at = at or now()
    if is_late(case, at):
        return _("late by %(t)s", t=late_by(case, cal, at))
    return _("%(t)s left", t=format_duration(cal.working_minutes(at, case.step_due_at), cal.day_minutes))
