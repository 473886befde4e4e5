"""Roles and permission grants as data, synced by one idempotent call (Superset's pattern).

`sync_roles()` creates every FAB view/menu permission, FAB's Admin and Public
roles, one role per SOP executor of every loaded service and one per office
role, the step permission pairs ("can_act", "<CODE> step <no>") granted to
their executors' roles, and for every role the pairs its capabilities open
(app.security.capabilities: `capability_grants` on FAB views/APIs,
`__console__["capabilities"]` on console models). No role is named here: the
service and office definitions name them. Admin gets every permission. Grants
are only ever added by a sync: one an administrator added by hand (a
delegation to an acting official, a capability pair) survives every sync.

FAB's own helpers commit after each row; these write through the session
without committing so a service load and its grants land in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.core.extensions import appbuilder, db
from app.security.capabilities import ANY_LOGIN, CAPABILITIES, CAPABILITY_VIEW, closure, executor_capabilities, merge

log = logging.getLogger(__name__)

ADMIN = "Admin"
PUBLIC = "Public"
STEP_PERMISSION = "can_act"
CONSOLE_ACTIONS = ("list", "add", "edit", "delete", "export")
MENU_PERMISSION = "menu_access"
# What every login holds on FAB's user view for its own profile (app.security.manager);
# it does not open the user list, so it earns no menu entry.
OWN_PROFILE_PERMISSIONS = frozenset({"can_userinfo", "resetmypassword", "userinfoedit"})


class _Grants:
    """Permission/view/role rows loaded once per sync; creates what is missing."""

    def __init__(self) -> None:
        sm = appbuilder().sm
        self.sm = sm
        self.session = db.session
        self.permissions = {p.name: p for p in self.session.scalars(select(sm.permission_model))}
        self.views = {v.name: v for v in self.session.scalars(select(sm.viewmenu_model))}
        self.pairs = {
            (pv.permission.name, pv.view_menu.name): pv
            for pv in self.session.scalars(select(sm.permissionview_model))
            if pv.permission is not None and pv.view_menu is not None
        }
        self.roles = {r.name: r for r in self.session.scalars(select(sm.role_model))}

    def role(self, name: str) -> Any:
        role = self.roles.get(name)
        if role is None:
            role = self.sm.role_model(name=name)
            self.session.add(role)
            self.roles[name] = role
        return role

    def pair(self, permission: str, view: str) -> Any:
        pv = self.pairs.get((permission, view))
        if pv is not None:
            return pv
        perm = self.permissions.get(permission)
        if perm is None:
            perm = self.permissions[permission] = self.sm.permission_model(name=permission)
            self.session.add(perm)
        vm = self.views.get(view)
        if vm is None:
            vm = self.views[view] = self.sm.viewmenu_model(name=view)
            self.session.add(vm)
        pv = self.pairs[(permission, view)] = self.sm.permissionview_model(permission=perm, view_menu=vm)
        self.session.add(pv)
        return pv

    def grant(self, role_names: Iterable[str], permission: str, view: str) -> None:
        """Grant to existing roles; a role not created yet gets it at a later sync."""
        pv = self.pair(permission, view)
        for name in role_names:
            targets = [r for n, r in self.roles.items() if n != PUBLIC] if name == ANY_LOGIN else [self.roles.get(name)]
            for role in targets:
                if role is None:
                    log.info("grant %s on %s: role %r does not exist yet", permission, view, name)
                elif pv not in role.permissions:
                    role.permissions.append(pv)


def _fab_views(g: _Grants) -> None:
    """What `appbuilder.add_permissions(update_perms=True)` creates, plus declared grants."""
    builder = appbuilder()
    for view in builder.baseviews:
        name = getattr(view, "class_permission_name", None)
        if not name:
            continue
        for perm in sorted(view.base_permissions or ()):
            g.pair(perm, name)
    if builder.menu is not None:
        for category in builder.menu.get_list():
            g.pair(MENU_PERMISSION, category.name)
            for item in category.childs:
                if item.name != "-":
                    g.pair(MENU_PERMISSION, item.name)


def held_capabilities(g: _Grants) -> dict[str, set[str]]:
    """{role: capabilities} held now through marker pairs (synced or added by hand)."""
    held: dict[str, set[str]] = {}
    for role in g.roles.values():
        for pv in role.permissions:
            if pv.view_menu is not None and pv.view_menu.name == CAPABILITY_VIEW and pv.permission is not None:
                held.setdefault(role.name, set()).add(pv.permission.name)
    return held


CONSOLE_KEYS = ("label", "list", "search", "filters", "readonly", "capabilities", "category", "hidden", "lookups")


class DeclarationError(RuntimeError):
    """A view or model declares a capability, action or console key the code does not know."""


def check_declarations(appbuilder: Any) -> None:
    """Stop the app at start-up on a misspelt capability, console key or console action (Django's checks).

    A grant to a capability nobody can hold would silently open nothing; a
    misspelt `__console__` key would silently be ignored.
    """
    from models import Model

    problems = []
    for view in appbuilder.baseviews:
        for perm, caps in (getattr(view, "capability_grants", None) or {}).items():
            problems += [
                f"{type(view).__name__}.capability_grants[{perm!r}]: unknown capability {cap!r}"
                for cap in caps
                if cap != ANY_LOGIN and cap not in CAPABILITIES
            ]
        if getattr(view, "role_grants", None):
            problems.append(f"{type(view).__name__}: role_grants names roles; declare capability_grants")
    for mapper in Model.registry.mappers:
        console = getattr(mapper.class_, "__console__", None)
        if not isinstance(console, dict):
            continue
        name = mapper.class_.__name__
        problems += [f"{name}.__console__: unknown key {key!r}" for key in console if key not in CONSOLE_KEYS]
        for cap, actions in (console.get("capabilities") or {}).items():
            if cap not in CAPABILITIES:
                problems.append(f"{name}.__console__['capabilities']: unknown capability {cap!r}")
            problems += [
                f"{name}.__console__['capabilities'][{cap!r}]: unknown action {a!r}"
                for a in actions
                if a not in CONSOLE_ACTIONS
            ]
    if problems:
        raise DeclarationError("; ".join(problems))


def role_capabilities() -> dict[str, set[str]]:
    """{role: capabilities} as the next sync will grant them: definitions' rules, the office, hand grants."""
    from app.office.definition import office_roles
    from models import Service

    services = db.session.scalars(select(Service).order_by(Service.id)).all()
    return merge(executor_capabilities(services), office_roles(), held_capabilities(_Grants()))


def capability_map() -> dict[str, dict[str, set[str]]]:
    """{capability: {view: permissions}} declared on FAB views and console models."""
    from models import Model

    opened: dict[str, dict[str, set[str]]] = {}
    for view in appbuilder().baseviews:
        for perm, caps in (getattr(view, "capability_grants", None) or {}).items():
            for cap in caps:
                opened.setdefault(cap, {}).setdefault(view.class_permission_name, set()).add(perm)
    for mapper in Model.registry.mappers:
        console = getattr(mapper.class_, "__console__", None)
        if not isinstance(console, dict):
            continue
        for cap, actions in (console.get("capabilities") or {}).items():
            opened.setdefault(cap, {}).setdefault(mapper.class_.__name__, set()).update(
                f"can_{action}" for action in actions
            )
    return opened


def _capability_grants(g: _Grants, role_caps: dict[str, set[str]]) -> None:
    """Each role gets the marker pair of every capability it holds and the view pairs those open."""
    from models import Model

    for mapper in Model.registry.mappers:
        if isinstance(getattr(mapper.class_, "__console__", None), dict):
            for action in console_actions(mapper.class_):
                g.pair(f"can_{action}", mapper.class_.__name__)
    for cap in CAPABILITIES:
        g.pair(cap, CAPABILITY_VIEW)
    opened = capability_map()
    for view, pairs in opened.get(ANY_LOGIN, {}).items():
        for perm in sorted(pairs):
            g.grant([ANY_LOGIN], perm, view)
    for role_name in sorted(role_caps):
        g.role(role_name)
        for cap in sorted(role_caps[role_name]):
            g.grant([role_name], cap, CAPABILITY_VIEW)
            for view, perms in sorted(opened.get(cap, {}).items()):
                for perm in sorted(perms):
                    g.grant([role_name], perm, view)


def revoke_capabilities(old: dict[str, list[str]], new: dict[str, list[str]]) -> None:
    """Take from office roles what a reloaded office definition no longer gives them.

    The marker pair of a dropped capability goes, and every view pair it
    opened that none of the role's remaining capabilities opens. Called by the
    office loader only, so pairs an administrator added by hand elsewhere stay.
    """
    sm = appbuilder().sm
    opened = capability_map()
    for role_name, caps in old.items():
        lost = closure(caps) - closure(new.get(role_name, []))
        role = sm.find_role(role_name) if role_name != ADMIN else None
        if not lost or role is None:
            continue
        remaining = {
            cap
            for pv in role.permissions
            if pv.view_menu is not None and pv.view_menu.name == CAPABILITY_VIEW
            for cap in [pv.permission.name]
            if cap not in lost
        }
        kept = {
            (perm, view) for cap in closure(remaining) for view, perms in opened.get(cap, {}).items() for perm in perms
        }
        dropped = {(cap, CAPABILITY_VIEW) for cap in lost} | {
            (perm, view) for cap in lost for view, perms in opened.get(cap, {}).items() for perm in perms
        }
        for pv in list(role.permissions):
            if pv.permission is None or pv.view_menu is None:
                continue
            key = (pv.permission.name, pv.view_menu.name)
            if key in dropped and key not in kept:
                role.permissions.remove(pv)
    db.session.flush()


def _menu_grants(g: _Grants) -> None:
    """A role that may use a view sees its menu entry, and the entry's category.

    FAB shows a menu item only to holders of ("menu_access", item name), which
    `_fab_views` creates for Admin alone; deriving it from the view grants keeps
    menus in step with permissions without a second list to maintain.
    """
    menu = appbuilder().menu
    if menu is None:
        return
    holders: dict[str, set[str]] = {}
    for role in g.roles.values():
        if role.name in (ADMIN, PUBLIC):
            continue
        for pv in role.permissions:
            if (
                pv.permission is not None
                and pv.permission.name != MENU_PERMISSION
                and pv.permission.name not in OWN_PROFILE_PERMISSIONS
                and pv.view_menu is not None
            ):
                holders.setdefault(pv.view_menu.name, set()).add(role.name)
    for category in menu.get_list():
        entries = category.childs or [category]
        category_roles: set[str] = set()
        for item in entries:
            view = getattr(getattr(item, "baseview", None), "class_permission_name", None)
            roles = holders.get(view, set()) if view else set()
            if roles:
                g.grant(sorted(roles), MENU_PERMISSION, item.name)
                category_roles |= roles
        if category_roles and category.childs:
            g.grant(sorted(category_roles), MENU_PERMISSION, category.name)


def console_actions(model: Any) -> tuple[str, ...]:
    """What the console offers on a model: records declared `readonly` are only read there."""
    if model.__console__.get("readonly"):
        return ("list", "export")
    return CONSOLE_ACTIONS


def _service_roles(g: _Grants, services: Iterable[Any]) -> None:
    """One role per executor; each step's pair granted to its executors' roles."""
    for service in services:
        for executor in service.executors:
            g.role(executor.name)
        for step in service.steps:
            g.grant([e.name for e in step.executors], STEP_PERMISSION, step.permission_view)


def sync_in_transaction(services: Iterable[Any] | None = None) -> None:
    """The whole sync in the current transaction (the caller commits); a service load uses it."""
    from app.office.definition import office_roles
    from models import Service

    g = _Grants()
    for name in (ADMIN, PUBLIC):
        g.role(name)
    # FAB_ROLES (config-declared roles), as FAB's create_db would store them.
    for role_name, pairs in g.sm.builtin_roles.items():
        g.role(role_name)
        for view, permission in pairs:
            g.grant([role_name], permission, view)
    if services is None:
        services = db.session.scalars(select(Service).order_by(Service.id)).all()
    services = list(services)
    _service_roles(g, services)
    _fab_views(g)
    _capability_grants(g, merge(executor_capabilities(services), office_roles(), held_capabilities(g)))
    _menu_grants(g)
    admin = g.roles[ADMIN]
    owned = set(admin.permissions)
    admin.permissions.extend(pv for pv in g.pairs.values() if pv not in owned)
    db.session.flush()


def sync_roles() -> None:
    """Create all permissions, roles and grants; idempotent; never removes a grant."""
    try:
        sync_in_transaction()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def revoke_step_grants(pairs: Iterable[tuple[str, str]]) -> None:
    """Take ("can_act", view) from roles a service definition no longer names for that step.

    Only the loader calls this, with the grants the previous definition made, so
    a step handed to another executor leaves the old one's role; Admin keeps all.
    """
    sm = appbuilder().sm
    for role_name, view in pairs:
        role = sm.find_role(role_name) if role_name != ADMIN else None
        pv = sm.find_permission_view_menu(STEP_PERMISSION, view)
        if role is not None and pv is not None and pv in role.permissions:
            role.permissions.remove(pv)
    db.session.flush()


def step_grants(user: User) -> dict[str, list[str]]:
    """{"<CODE> step <no>": [role name, ...], ...}: step views the user's roles hold, with those roles,
    plus the steps of a role delegated to the user today (app.delegation.effective).

    One query, read straight from FAB's tables so a grant an administrator adds
    by hand (a delegation) works at once; callers that check many steps (a
    worklist) compute it once.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    from app.delegation.effective import delegated_grants

    sm = appbuilder().sm
    role_ids = [r.id for r in sm.get_user_roles(user)]
    if not role_ids:
        return {view: [role] for view, role in delegated_grants(user).step_views.items()}
    from flask_appbuilder.security.sqla.models import assoc_permissionview_role

    pv, perm, vm, role = sm.permissionview_model, sm.permission_model, sm.viewmenu_model, sm.role_model
    rows = db.session.execute(
        select(vm.name, role.name)
        .select_from(role)
        .join(assoc_permissionview_role, assoc_permissionview_role.c.role_id == role.id)
        .join(pv, pv.id == assoc_permissionview_role.c.permission_view_id)
        .join(perm, perm.id == pv.permission_id)
        .join(vm, vm.id == pv.view_menu_id)
        .where(perm.name == STEP_PERMISSION, role.id.in_(role_ids))
        .order_by(role.name)
    ).all()
    grants: dict[str, list[str]] = {}
    for view_name, role_name in rows:
        grants.setdefault(view_name, []).append(role_name)
    # An acting official's delegated role, only where none of their own roles holds the step.
    for view_name, role_name in delegated_grants(user).step_views.items():
        grants.setdefault(view_name, [role_name])
    return grants


def acting_views(user: User) -> frozenset[str]:
    """Step permission views ("TD-BKK step 3", ...) the user's roles may act on."""
    return frozenset(step_grants(user))


def user_can_act(user: User, step: Any) -> bool:
    """Whether one of the user's roles holds ("can_act", step.permission_view)."""
    return step.permission_view in step_grants(user)
