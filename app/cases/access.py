"""Who may see and act on a case: FAB permission pairs read straight from the database.

A step is held through the pair ("can_act", "<CODE> step <no>") on any of the
user's roles, so a grant an administrator adds by hand (a delegation) works at
once. Holders of the capability `cases.read_all` read every case.

Applicants (users whose every role is an applicant executor column of a
service definition) only ever see and act on their own cases: the ones their
account submitted (Case.created_by_id), plus, once a holder of `cases.register`
has checked their identity at the counter, every case of the applicant record
linked to the account (Applicant.user_id). Typing a NIK links nothing: it only
leaves a pending claim (Applicant.claimed_by_id) for the counter to confirm.

The NIK is personal data (UU PDP): it is shown whole only to the counter
(`cases.register`) and to the confirmed applicant; everyone else reads
`mask_nik`.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, false, func, literal, or_, select
from sqlalchemy.orm import joinedload

from app.cases.step_kinds import step_kind
from app.cases.step_needs import WorkflowError
from app.core.extensions import db
from app.security.capabilities import CASES_READ_ALL, CASES_REGISTER, has_capability
from app.security.roles import step_grants, user_can_act
from models import Applicant, Case, CaseStatus, Executor, Service, Step
from models.case import OPEN_STATUSES


def _role_names(user: User) -> set[str]:
    return {role.name for role in getattr(user, "roles", None) or []}


def is_admin(user: User) -> bool:
    return current_app.config.get("AUTH_ROLE_ADMIN", "Admin") in _role_names(user)


def is_applicant_user(user: User) -> bool:
    """True for a public applicant account: every role is an applicant executor column."""
    names = _role_names(user)
    if not names:
        return False
    applicant_roles = set(db.session.scalars(select(Executor.name).where(Executor.applicant.is_(True))))
    return names <= applicant_roles


def own_applicant_id(user: User) -> int | None:
    """The applicant record confirmed as this account's (None before the counter confirms it)."""
    return db.session.scalar(select(Applicant.id).where(Applicant.user_id == user.id))


def _own_cases(user: User):
    """Applicant accounts: what they submitted, and the cases of their confirmed record."""
    return or_(Case.created_by_id == user.id, Case.applicant_id == (own_applicant_id(user) or -1))


def claim_is_sandbox(applicant: Applicant, user: User) -> bool:
    """The record is only this account's unconfirmed claim: it typed the NIK and nobody else filed on it.

    Only then may the account's applications update the record, and only then
    does it read the person's details on its own cases: once the counter has
    registered somebody under the NIK, the record speaks for that person.
    """
    if applicant.user_id is not None or applicant.claimed_by_id != user.id:
        return False
    foreign = exists().where(
        Case.applicant_id == applicant.id, or_(Case.created_by_id.is_(None), Case.created_by_id != user.id)
    )
    return not db.session.scalar(select(foreign))


def pending_claim(applicant: Applicant | None) -> int | None:
    """The id of the account that claimed the NIK and waits for the counter's confirmation."""
    if applicant is None or applicant.user_id is not None:
        return None
    return applicant.claimed_by_id


def reveals_nik(user: User, case: Case | None = None) -> bool:
    """Whether `user` reads the whole NIK: the counter, or the applicant whose confirmed record it is."""
    if has_capability(user, CASES_REGISTER):
        return True
    return case is not None and case.applicant is not None and case.applicant.user_id == getattr(user, "id", None)


def sees_applicant_details(case: Case, user: User) -> bool:
    """Name, phone, email and address of the case's applicant record.

    An applicant account whose identity the counter has not confirmed sees them
    only while the record is still its own claim: after the counter registers
    the real person under that NIK, the record holds that person's details.
    """
    if not is_applicant_user(user):
        return True
    applicant = case.applicant
    return applicant is not None and (applicant.user_id == user.id or claim_is_sandbox(applicant, user))


def mask_nik(value: str | None) -> str:
    """`1471********0002`: the first and last four digits, the rest starred (empty stays empty)."""
    text = (value or "").strip()
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def roles_for_step(user: User, step: Step, grants: dict | None = None) -> list[str]:
    """The user's role names that hold the step; the first one an executor of the step."""
    held = (grants if grants is not None else step_grants(user)).get(step.permission_view, [])
    executors = {executor.name for executor in step.executors}
    return sorted(held, key=lambda name: (name not in executors, name))


def _held_steps(user: User, grants: dict) -> list[Step]:
    if not grants:
        return []
    steps = db.session.scalars(select(Step).options(joinedload(Step.service))).all()
    return [step for step in steps if step.permission_view in grants]


def can_view(case: Case, user: User) -> bool:
    """Applicants: their own cases only. Officers: cases of services they hold a step of."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    if is_admin(user) or has_capability(user, CASES_READ_ALL):
        return True
    if is_applicant_user(user):
        return case.created_by_id == user.id or (case.applicant is not None and case.applicant.user_id == user.id)
    return any(step.service_id == case.service_id for step in _held_steps(user, step_grants(user)))


def visible_filter(user: User):
    """A WHERE clause limiting a query on Case to what `can_view` allows."""
    if is_admin(user) or has_capability(user, CASES_READ_ALL):
        return Case.id.is_not(None)
    if is_applicant_user(user):
        return _own_cases(user)
    service_ids = {step.service_id for step in _held_steps(user, step_grants(user))}
    return Case.service_id.in_(service_ids) if service_ids else false()


# Step due time, nulls last, then id. Late means due before now, so ascending due
# time already puts late cases first; the partial index `ix_case_open_due` holds
# this order, so a page is read off it without sorting the open cases.
WORKLIST_ORDER = (Case.step_due_at.asc().nulls_last(), Case.id)


def worklist_filter(user: User, status: str | None = None, service_code: str | None = None) -> list:
    """WHERE clauses on the case row alone (service, step number, status) picking the user's worklist.

    Open statuses: in_progress, completed (waiting at the handover step), and
    returned cases for holders of the service's first step (the applicant or
    the front office on their behalf resubmits them).
    """
    held = _held_steps(user, step_grants(user))
    step_nos: dict[int, set[int]] = {}
    for step in held:
        step_nos.setdefault(step.service_id, set()).add(step.no)
    # Each service's first step number in one query (not a lazy load of every held service's steps).
    first_nos = dict(db.session.execute(select(Step.service_id, func.min(Step.no)).group_by(Step.service_id)).all())
    first_step_services = [step.service_id for step in held if step.no == first_nos.get(step.service_id)]
    waiting = [
        and_(
            Case.service_id == service_id,
            Case.current_step_no.in_(sorted(nos)),
            Case.status.in_((CaseStatus.IN_PROGRESS, CaseStatus.COMPLETED)),
        )
        for service_id, nos in sorted(step_nos.items())
    ]
    if first_step_services:
        waiting.append(and_(Case.status == CaseStatus.RETURNED, Case.service_id.in_(first_step_services)))
    clauses = [
        # The partial index's own WHERE, as literals, so both databases may use it.
        Case.status.in_([literal(s, literal_execute=True) for s in OPEN_STATUSES]),
        or_(*waiting) if waiting else false(),
    ]
    if is_applicant_user(user):
        clauses.append(_own_cases(user))
    if status:
        clauses.append(Case.status == status)
    if service_code:
        clauses.append(Case.service_id == select(Service.id).where(Service.code == service_code).scalar_subquery())
    return clauses


def worklist_query(user: User, status: str | None = None, service_code: str | None = None) -> Select:
    """Cases waiting on a step the user holds, late first, then by step due time."""
    return (
        select(Case)
        .where(*worklist_filter(user, status, service_code))
        .options(joinedload(Case.service), joinedload(Case.applicant), joinedload(Case.institution))
        .order_by(*WORKLIST_ORDER)
    )


def checklist_open(case: Case) -> bool:
    """Whether the checklist (ticks, scans) may change now, whoever asks.

    The checklist is the evidence later steps rely on: it changes while the case
    sits at a step whose kind gives checklist rights, or while it is returned.
    """
    if case.status == CaseStatus.RETURNED:
        return True
    if case.status != CaseStatus.IN_PROGRESS:
        return False
    step = next((s for s in case.service.steps if s.no == case.current_step_no), None)
    return step is not None and bool(step_kind(step).checklist_rights)


def require_requirement_access(case: Case, user: User, right: str) -> None:
    """Checklist changes: an open checklist (`checklist_open`), and a role holding a step whose kind gives `right`."""
    if not can_view(case, user):
        raise WorkflowError(404, _("Case not found."))
    if case.status not in (CaseStatus.IN_PROGRESS, CaseStatus.RETURNED):
        raise WorkflowError(409, _("The case is closed; its requirements can no longer change."))
    if not checklist_open(case):
        raise WorkflowError(
            409,
            _(
                "The requirements were verified and the case has moved on; "
                "they can only change while the case is at intake or verification, "
                "or returned for completion."
            ),
        )
    if not any(user_can_act(user, step) for step in case.service.steps if right in step_kind(step).checklist_rights):
        raise WorkflowError(403, _("You may not change the requirements of this case."))
