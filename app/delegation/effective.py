"""What a user may do *today* beyond their own roles: the one place delegations take effect.

A delegation (models.delegation) is active while today's office date
(app.core.timezone.office_tz) lies within [start_date, end_date] and it was not
revoked; nothing is scheduled, every request computes it. While active, the
acting user holds, for the delegated role:

- the step pairs ("can_act", "<CODE> step <no>") of every step the role is an
  executor of (read from the service definitions, not from the role's grants);
- the capabilities the service definitions give an executor by rule for those
  steps (`cases.work`: worklist, case page, case API; `cases.register` where
  the role takes the intake step), the FAB view pairs they open and the menu
  entries of those views.

Nothing else of the role: its office capabilities (dashboard, complaints,
registers, `delegations.manage`) stay with the official it stands in for.

Every check reads this module through three hooks: `app.security.roles.step_grants`
(worklist, case visibility, the case page's actions, the engine),
`app.security.capabilities.has_capability` (the navbar badge, capability checks)
and the security manager's `_has_view_access`/menu lookup (FAB's `has_access`
and `protect`: pages and the JSON API). Grants added by hand to roles are read
by those functions as before; this only adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy.orm import joinedload, selectinload

from app.core.extensions import db
from app.core.timezone import office_tz
from models.delegation import ABBREVIATIONS, Delegation

# The request's cache: {user id: DelegatedGrants}.
CACHE_KEY = "sp.delegated_grants"


@dataclass(frozen=True)
class ActingRole:
    """One active delegation, as plain values."""

    delegation_id: int
    role_name: str
    kind: str
    title: str  # "Plt. Kepala Dinas"


@dataclass(frozen=True)
class DelegatedGrants:
    acting: tuple[ActingRole, ...] = ()
    # step view ("TD-BKK step 8") -> delegated role name
    step_views: dict[str, str] = field(default_factory=dict)
    capabilities: frozenset[str] = frozenset()
    # (permission, view) pairs FAB checks, menu entries included
    pairs: frozenset[tuple[str, str]] = frozenset()

    def for_role(self, role_name: str | None) -> ActingRole | None:
        return next((a for a in self.acting if a.role_name == role_name), None)


EMPTY = DelegatedGrants()


def office_today() -> date:
    """Today's date in the office's time zone: the day a delegation's window is compared with."""
    return datetime.now(office_tz()).date()


def active_clause(today: date) -> Any:
    """WHERE clause of the delegations in force on `today`."""
    return sa.and_(Delegation.revoked_at.is_(None), Delegation.start_date <= today, Delegation.end_date >= today)


def role_title(role_name: str) -> str:
    """How a role is named in an acting title: the office head's title for the head's role, else the role."""
    from app.office.definition import current_office

    office = current_office()
    if office.head_role and role_name == office.head_role and office.head_title:
        return office.head_title
    return role_name


def acting_title(kind: str, role_name: str) -> str:
    """`Plt. Kepala Dinas`: the kind's abbreviation and the role's title."""
    return f"{ABBREVIATIONS.get(kind, kind)} {role_title(role_name)}"


def acting_prefix(acting_as: str | None) -> str | None:
    """The abbreviation a stored acting title starts with (`Plt.`), if it is one of the kinds'."""
    word = (acting_as or "").split(" ", 1)[0]
    return word if word in ABBREVIATIONS.values() else None


def _user_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return None
    return getattr(user, "id", None)


def delegated_grants(user: Any, today: date | None = None) -> DelegatedGrants:
    """What the user's active delegations give them now (cached for the request)."""
    user_id = _user_id(user)
    if user_id is None:
        return EMPTY
    if today is not None or not has_request_context():
        return _compute(user, user_id, today or office_today())
    cache = request.environ.setdefault(CACHE_KEY, {})
    grants = cache.get(user_id)
    if grants is None:
        grants = cache[user_id] = _compute(user, user_id, office_today())
    return grants


def _compute(user: Any, user_id: int, today: date) -> DelegatedGrants:
    rows = db.session.execute(
        sa.select(Delegation.id, Delegation.kind, Role.name)
        .join(Role, Role.id == Delegation.role_id)
        .where(Delegation.acting_user_id == user_id, active_clause(today))
        .order_by(Delegation.start_date, Delegation.id)
    ).all()
    if not rows:
        return EMPTY
    own = {role.name for role in getattr(user, "roles", None) or ()}
    acting = tuple(
        ActingRole(row.id, row.name, row.kind, acting_title(row.kind, row.name)) for row in rows if row.name not in own
    )
    if not acting:
        return EMPTY
    return _grants_of(acting)


def _grants_of(acting: tuple[ActingRole, ...]) -> DelegatedGrants:
    from app.cases.step_kinds import step_kind
    from app.security.capabilities import CAPABILITY_VIEW, CASES_WORK, closure
    from app.security.roles import STEP_PERMISSION, capability_map
    from models import Executor, Step

    names = [a.role_name for a in acting]
    steps = db.session.scalars(
        sa.select(Step)
        .where(Step.executors.any(Executor.name.in_(names)))
        .options(joinedload(Step.service), selectinload(Step.executors))
        .order_by(Step.service_id, Step.no)
    ).all()
    step_views: dict[str, str] = {}
    caps: set[str] = set()
    for step in steps:
        for executor in step.executors:
            if executor.name in names and not executor.applicant:
                step_views.setdefault(step.permission_view, executor.name)
                caps.add(CASES_WORK)
                caps.update(step_kind(step).capabilities_for(executor))
    caps = closure(caps)
    pairs: set[tuple[str, str]] = {(STEP_PERMISSION, view) for view in step_views}
    opened = capability_map()
    for cap in caps:
        pairs.add((cap, CAPABILITY_VIEW))
        for view, perms in opened.get(cap, {}).items():
            pairs.update((perm, view) for perm in perms)
    pairs |= _menu_pairs({view for _perm, view in pairs})
    return DelegatedGrants(acting, step_views, frozenset(caps), frozenset(pairs))


def _menu_pairs(views: set[str]) -> set[tuple[str, str]]:
    """("menu_access", entry) for the menu entries of `views` and their categories (as app.security.roles does)."""
    from app.core.extensions import appbuilder
    from app.security.roles import MENU_PERMISSION

    menu = appbuilder().menu
    found: set[tuple[str, str]] = set()
    if menu is None:
        return found
    for category in menu.get_list():
        for item in category.childs or [category]:
            view = getattr(getattr(item, "baseview", None), "class_permission_name", None)
            if view and view in views:
                found.add((MENU_PERMISSION, item.name))
                if category.childs:
                    found.add((MENU_PERMISSION, category.name))
    return found


def acting_for_role(user: Any, role_name: str | None) -> ActingRole | None:
    """The delegation under which `user` acts when the engine picked `role_name` for them, if any.

    `step_grants` adds a delegated role only for steps none of the user's own
    roles holds, so a delegated role name here means the right came from the delegation alone.
    """
    if role_name is None or role_name in {r.name for r in getattr(user, "roles", None) or ()}:
        return None
    return delegated_grants(user).for_role(role_name)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _forget_delegations(session: sa.orm.Session, _context: Any) -> None:
    """A flush that writes a delegation empties the request's cache of delegated grants."""
    if not has_request_context() or CACHE_KEY not in request.environ:
        return
    if any(isinstance(obj, Delegation) for obj in (*session.new, *session.dirty, *session.deleted)):
        request.environ.pop(CACHE_KEY, None)
