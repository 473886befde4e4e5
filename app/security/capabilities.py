"""Capabilities: the one vocabulary the code checks; which role holds which is data.

Code never names a role. A view declares which capabilities open which of its
FAB permissions (`capability_grants = {"can_list": [CASES_WORK, ...]}`), a
console model which capabilities open which console actions
(`__console__["capabilities"]`), and code that decides outside a view asks
`has_capability(user, name)`. Roles get capabilities from two kinds of data:

- **service definitions**, by rule (DESIGN.md "Roles are data"): every executor
  of a service holds `cases.work`; the non-applicant executors of a service's
  intake step hold `cases.register`; applicant executors of it `cases.apply`;
- **the office definition**: each office role lists its capabilities.

`app.security.roles.sync_in_transaction` turns role capabilities into FAB permission
pairs: the pair (capability, "Capability") marks the holding itself (FAB's
role screen shows it, and an administrator may grant one by hand), plus every
view pair the capability opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l

# The view-menu name of the marker pairs (capability, CAPABILITY_VIEW).
CAPABILITY_VIEW = "Capability"
# In a grant list: every role but Public (a read-only call any login may make).
ANY_LOGIN = "*"

CASES_WORK = "cases.work"
CASES_REGISTER = "cases.register"
CASES_APPLY = "cases.apply"
CASES_READ_ALL = "cases.read_all"
DASHBOARD = "dashboard"
PERFORMANCE = "performance"
PERSONNEL = "personnel"
REGISTERS_CASES = "registers.cases"
REGISTERS_CERTIFICATES = "registers.certificates"
REGISTERS_COMPLAINTS = "registers.complaints"
REGISTERS_SURVEYS = "registers.surveys"
REGISTERS_PERSONNEL = "registers.personnel"
COMPLAINTS_READ = "complaints.read"
COMPLAINTS_RECORD = "complaints.record"
COMPLAINTS_REPLY = "complaints.reply"
COMPLAINTS_COORDINATE_DIVISION = "complaints.coordinate_division"
COMPLAINTS_COORDINATE_HEAD = "complaints.coordinate_head"
COMPLAINTS_REVIEW = "complaints.review"
COMPLAINTS_REPORT = "complaints.report"
SURVEYS_ENTER = "surveys.enter"
SURVEYS_REPORT = "surveys.report"
SURVEYS_FOLLOW_UP = "surveys.follow_up"
CONSOLE_READ = "console.read"
CONSOLE_RECORDS = "console.records"
DELEGATIONS_MANAGE = "delegations.manage"

# name -> what it lets a role do. The list is closed: office files, views and console
# declarations naming anything else are refused (app.office.definition, app.security.roles.check_declarations).
CAPABILITIES: dict[str, Any] = {
    CASES_WORK: _l("Work on the cases of the services whose steps the role executes (worklist, case page, API)"),
    CASES_REGISTER: _l("Register applications at the counter and keep applicant records"),
    CASES_APPLY: _l("Apply as an applicant and follow one's own applications"),
    CASES_READ_ALL: _l("Read every case of every service"),
    DASHBOARD: _l("Leaders' dashboard"),
    PERFORMANCE: _l("Officer performance and competency gaps"),
    PERSONNEL: _l("Keep personnel records"),
    REGISTERS_CASES: _l("Register of cases"),
    REGISTERS_CERTIFICATES: _l("Register of certificates"),
    REGISTERS_COMPLAINTS: _l("Register of complaints"),
    REGISTERS_SURVEYS: _l("Register of survey answers"),
    REGISTERS_PERSONNEL: _l("Register of personnel"),
    COMPLAINTS_READ: _l("Read the complaint book"),
    COMPLAINTS_RECORD: _l("Record complaints"),
    COMPLAINTS_REPLY: _l("Sort and answer complaints"),
    COMPLAINTS_COORDINATE_DIVISION: _l("Record a division head's coordination on a complaint"),
    COMPLAINTS_COORDINATE_HEAD: _l("Record the head of office's coordination on a complaint"),
    COMPLAINTS_REVIEW: _l("Review complaint answers"),
    COMPLAINTS_REPORT: _l("Monthly complaint report"),
    SURVEYS_ENTER: _l("Type in paper survey forms"),
    SURVEYS_REPORT: _l("Satisfaction index report"),
    SURVEYS_FOLLOW_UP: _l("Follow-up plans of the satisfaction survey"),
    CONSOLE_READ: _l("Read the master data in the console"),
    CONSOLE_RECORDS: _l("Read cases, control cards, complaints and survey answers in the console"),
    DELEGATIONS_MANAGE: _l("Appoint acting officials (Plt./Plh.) for a role's steps, and revoke them"),
}

# Holding one capability implies holding these too (an action on the complaint
# book needs the book open).
IMPLIES: dict[str, tuple[str, ...]] = {
    COMPLAINTS_RECORD: (COMPLAINTS_READ,),
    COMPLAINTS_REPLY: (COMPLAINTS_READ,),
    COMPLAINTS_COORDINATE_DIVISION: (COMPLAINTS_READ,),
    COMPLAINTS_COORDINATE_HEAD: (COMPLAINTS_READ,),
    COMPLAINTS_REVIEW: (COMPLAINTS_READ,),
    COMPLAINTS_REPORT: (COMPLAINTS_READ,),
    SURVEYS_FOLLOW_UP: (SURVEYS_REPORT,),
}


def closure(names: Iterable[str]) -> set[str]:
    """The capabilities with everything they imply."""
    result: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in result:
            result.add(name)
            todo.extend(IMPLIES.get(name, ()))
    return result


def executor_capabilities(services: Iterable[Any]) -> dict[str, set[str]]:
    """{role name: capabilities} that executor columns get from the loaded services, by rule."""
    from app.cases.step_kinds import step_kind  # the kinds import this module's names

    result: dict[str, set[str]] = {}
    for service in services:
        implied: dict[str, set[str]] = {}
        for step in service.steps:
            for e in step.executors:
                implied.setdefault(e.name, set()).update(step_kind(step).capabilities_for(e))
        for executor in service.executors:
            caps = result.setdefault(executor.name, set())
            caps.add(CASES_WORK)
            caps.update(implied.get(executor.name, ()))
    return result


def merge(*sources: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Union of several {role: capabilities} maps, implications included."""
    merged: dict[str, set[str]] = {}
    for source in sources:
        for role, caps in source.items():
            merged.setdefault(role, set()).update(caps)
    return {role: closure(caps) for role, caps in merged.items()}


def has_capability(user: User, name: str) -> bool:
    """Whether one of the user's roles holds the marker pair (name, CAPABILITY_VIEW), or the user is Admin.

    Read from the roles' permissions like FAB's own checks, so a grant an
    administrator adds by hand works at once.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    from flask import current_app

    admin = current_app.config.get("AUTH_ROLE_ADMIN", "Admin")
    roles = list(getattr(user, "roles", None) or ())
    if any(role.name == admin for role in roles):
        return True
    # The request's cached pairs of these roles (one query per request, not a lazy load per role).
    from app.core.extensions import appbuilder

    if roles and appbuilder().sm.exist_permission_on_roles(CAPABILITY_VIEW, name, [role.id for role in roles]):
        return True
    # An acting official (Plt./Plh.) holds, while the delegation runs, what working the role's steps needs.
    from app.delegation.effective import delegated_grants

    return name in delegated_grants(user).capabilities
