"""Who may see and act on a case: FAB permission pairs read straight from the database.

A step is held through the pair ("can_act", "<CODE> step <no>") on any of the
user's roles, so a grant an administrator adds by hand (a delegation) works at
once. Applicants (users whose every role is an applicant executor column of a
service definition) only ever see and act on their own cases
(Applicant.user_id). Holders of the capability `cases.read_all` read every case.
"""
from __future__ import annotations

from typing import Any, Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, literal, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.capabilities import CASES_READ_ALL, has_capability
from app.roles import step_grants, user_can_act  # noqa: F401  (re-exported to app.workflow)
from app.step_needs import WorkflowError
from models import Applicant, Case, Executor, Service, Step
from models.case import OPEN_STATUSES



def _role_names(user: Any) -> set[str]:
    return {role.name for role in getattr(user, "roles", None) or []}


def is_admin(user: Any) -> bool:
    return current_app.config.get("AUTH_ROLE_ADMIN", "Admin") in _role_names(user)


def is_applicant_user(user: Any) -> bool:
    """True for a public applicant account: every role is an applicant executor column."""
    names = _role_names(user)
    if not names:
        return False
    applicant_roles = set(db.session.scalars(select(Executor.name).where(Executor.applicant.is_(True))))
    return names <= applicant_roles


def own_applicant_id(user: Any) -> Optional[int]:
    return db.session.scalar(select(Applicant.id).where(Applicant.user_id == user.id))


def roles_for_step(user: Any, step: Step, grants: Optional[dict] = None) -> list[str]:
    """The user's role names that hold the step; the first one an executor of the step."""
    held = (grants if grants is not None else step_grants(user)).get(step.permission_view, [])
    executors = {executor.name for executor in step.executors}
    return sorted(held, key=lambda name: (name not in executors, name))


def _held_steps(user: Any, grants: dict) -> list[Step]:
    if not grants:
        return []
    steps = db.session.scalars(select(Step).options(joinedload(Step.service))).all()
    return [step for step in steps if step.permission_view in grants]


def can_view(case: Case, user: Any) -> bool:
    """Applicants: their own cases only. Officers: cases of services they hold a step of."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    if is_admin(user) or has_capability(user, CASES_READ_ALL):
        return True
    if is_applicant_user(user):
        return case.applicant is not None and case.applicant.user_id == user.id
    return any(step.service_id == case.service_id for step in _held_steps(user, step_grants(user)))


def visible_filter(user: Any):
    """A WHERE clause limiting a query on Case to what `can_view` allows."""
    if is_admin(user) or has_capability(user, CASES_READ_ALL):
        return Case.id.is_not(None)
    if is_applicant_user(user):
        return Case.applicant_id == (own_applicant_id(user) or -1)
    service_ids = {step.service_id for step in _held_steps(user, step_grants(user))}
    return Case.service_id.in_(service_ids) if service_ids else false()


# Step due time, nulls last, then id. Late means due before now, so ascending due
# time already puts late cases first; the partial index `ix_case_open_due` holds
# this order, so a page is read off it without sorting the open cases.
WORKLIST_ORDER = (Case.step_due_at.asc().nulls_last(), Case.id)


def worklist_filter(user: Any, status: Optional[str] = None, service_code: Optional[str] = None) -> list:
    """WHERE clauses on the case row alone (service, step number, status) picking the user's worklist.

    Open statuses: in_progress, completed (waiting at the handover step), and
    returned cases for holders of the service's first step (the applicant or
    the front office on their behalf resubmits them).
    """
    held = _held_steps(user, step_grants(user))
    step_nos: dict[int, set[int]] = {}
    for step in held:
        step_nos.setdefault(step.service_id, set()).add(step.no)
    first_step_services = [
        step.service_id for step in held
        if step.no == min(s.no for s in step.service.steps)
    ]
    waiting = [
        and_(Case.service_id == service_id, Case.current_step_no.in_(sorted(nos)),
             Case.status.in_(("in_progress", "completed")))
        for service_id, nos in sorted(step_nos.items())
    ]
    if first_step_services:
        waiting.append(and_(Case.status == "returned", Case.service_id.in_(first_step_services)))
    clauses = [
        # The partial index's own WHERE, as literals, so both databases may use it.
        Case.status.in_([literal(s, literal_execute=True) for s in OPEN_STATUSES]),
        or_(*waiting) if waiting else false(),
    ]
    if is_applicant_user(user):
        clauses.append(Case.applicant_id == (own_applicant_id(user) or -1))
    if status:
        clauses.append(Case.status == status)
    if service_code:
        clauses.append(Case.service_id == select(Service.id).where(Service.code == service_code).scalar_subquery())
    return clauses


def worklist_query(user: Any, status: Optional[str] = None, service_code: Optional[str] = None) -> Select:
    """Cases waiting on a step the user holds, late first, then by step due time."""
    return (
        select(Case)
        .where(*worklist_filter(user, status, service_code))
        .options(joinedload(Case.service), joinedload(Case.applicant), joinedload(Case.institution))
        .order_by(*WORKLIST_ORDER)
    )


def require_requirement_access(case: Case, user: Any, kinds: tuple[str, ...]) -> None:
    """Checklist changes: an open case, and a role holding a step of one of `kinds`."""
    if not can_view(case, user):
        raise WorkflowError(404, _("Case not found."))
    if case.status not in ("in_progress", "returned"):
        raise WorkflowError(409, _("The case is closed; its requirements can no longer change."))
    if not any(user_can_act(user, step) for step in case.service.steps if step.kind in kinds):
        raise WorkflowError(403, _("You may not change the requirements of this case."))
