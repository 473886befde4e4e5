"""The security manager: FAB's, with our password policy and session versions.

FAB checks FAB_PASSWORD_COMPLEXITY_VALIDATOR only in its web forms; the CLI
(`flask fab create-admin`, `create-user`, `reset-password`) hands the password
straight to `add_user`/`reset_password`, so the same rule is enforced there too.

Every user has a session version (models.session): a login records it in the
session cookie and the JWT; logout and every password change (own form, admin
reset, `flask fab reset-password`) bump it, so an earlier cookie or token is
refused. Failed logins are counted by app.setup.auth.LoginThrottle.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request, session
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    Role,
    User,
    ViewMenu,
    assoc_permissionview_role,
)
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.security.views import ResetMyPasswordView as FabResetMyPasswordView
from flask_appbuilder.security.views import RoleModelView as FabRoleModelView
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_appbuilder.security.views import UserGroupModelView as FabUserGroupModelView
from flask_appbuilder.security.views import UserInfoEditView as FabUserInfoEditView
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from app.core.extensions import appbuilder, db
from app.core.formatting import format_datetime
from app.security.capabilities import ANY_LOGIN
from app.security.passwords import COMMON_PASSWORDS
from app.setup.auth import SESSION_VERSION_KEY, login_throttle, throttled_message
from models.session import UserSessionVersion

log = logging.getLogger(__name__)


# Runs a password is "mostly" made of: keyboard rows and the alphabet/digits, both ways.
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "!@#$%^&*()",
)
_LEET = str.maketrans({"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"})
_MIN_EFFECTIVE = 8  # characters left once repeats and sequences are taken out


def _in_sequence(fragment: str) -> bool:
    return any(fragment in seq + seq or fragment in (seq + seq)[::-1] for seq in _SEQUENCES)


def _effective(password: str) -> str:
    """What is left of a password after removing runs of one character, sequences
    (abcd, 4321, qwerty) of 3 or more and repetitions of a short unit (abcabc)."""
    text = password.casefold()
    match = re.fullmatch(r"(.+?)\1+", text)
    if match:  # "abcabcabcabc", "Aa1!Aa1!Aa1!"
        text = match.group(1)
    text = re.sub(r"(.)\1{2,}", r"\1", text)
    out, i = [], 0
    while i < len(text):
        end = i + 3
        if end <= len(text) and _in_sequence(text[i:end]):
            while end < len(text) and _in_sequence(text[i : end + 1]):
                end += 1
            i = end
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _is_common(password: str) -> bool:
    text = password.casefold()
    candidates = {text, text.translate(_LEET)}
    for candidate in list(candidates):
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", candidate)  # "Password2024!" -> "password"
        candidates.add(core)
        candidates.add(re.sub(r"[\W_]+", "", candidate))
    return any(c in COMMON_PASSWORDS for c in candidates if c)


def _identity_parts(names: Iterable[str | None]) -> set[str]:
    parts = set()
    for name in names:
        name = (name or "").strip().casefold()
        if not name:
            continue
        parts.add(name)
        if "@" in name:
            parts.add(name.split("@", 1)[0])
    return {p for p in parts if len(p) >= 3}


def check_password(password: str, names: Iterable[str | None] = ()) -> None:
    """Raise PasswordComplexityValidationError if `password` is too short or easy to guess.

    `names` are the owner's username and e-mail: a password containing one is refused.
    """
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 12)
    password = password or ""
    if len(password) < minimum:
        raise PasswordComplexityValidationError(_("Password must be at least %(n)d characters long.", n=minimum))
    lowered = password.casefold()
    if any(part in lowered for part in _identity_parts(names)):
        raise PasswordComplexityValidationError(_("The password must not contain the username or e-mail address."))
    if len(set(lowered)) < 5 or len(_effective(password)) < _MIN_EFFECTIVE:
        raise PasswordComplexityValidationError(
            _(
                "This password is too easy to guess: it repeats characters or follows a sequence or keyboard "
                "row. Choose another."
            )
        )
    if _is_common(password):
        raise PasswordComplexityValidationError(
            _("This password is one of the most commonly used passwords. Choose another.")
        )


def _names_of(user: User) -> list[str | None]:
    return [getattr(user, "username", None), getattr(user, "email", None)] if user is not None else []


def _form_owner_names() -> list[str | None]:
    """Whose password a web form sets: the add/edit form's own fields, the user in
    `?pk=` (admin reset) or the officer themself (own password)."""
    if not has_request_context():
        return []
    names = [request.form.get("username"), request.form.get("email")]
    sm = appbuilder().sm
    view = (request.endpoint or "").split(".", 1)[0]
    if view == "ResetPasswordView" and request.args.get("pk"):
        names += _names_of(sm.get_user_by_id(request.args.get("pk")))
    elif view == "ResetMyPasswordView" and current_user.is_authenticated:
        names += _names_of(current_user)
    return names


def password_validator(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: the policy of check_password, with the
    owner's names taken from the request."""
    check_password(password, _form_owner_names())


# --- session versions ---


def session_version(user_id: int) -> int:
    """The user's current session version (0 before the first bump)."""
    return (
        db.session.scalar(sa.select(UserSessionVersion.version).where(UserSessionVersion.user_id == int(user_id))) or 0
    )


def bump_session_version(user_id: int) -> int:
    """Invalidate every session and token of the user; returns the new version."""
    user_id = int(user_id)
    table = UserSessionVersion.__table__
    dialect = db.session.get_bind().dialect.name
    # Both dialects spell the upsert alike; each needs its own Insert construct.
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt: Any = insert(table).values(user_id=user_id, version=1)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.user_id], set_={"version": table.c.version + 1})
    db.session.execute(stmt)
    db.session.commit()
    return session_version(user_id)


def _check_current_password(form: Any, field: Any) -> None:
    """The officer's own password form proves the password first; wrong answers
    count as failed logins of the account (a stolen session cannot guess it)."""
    user = appbuilder().sm.get_user_by_id(g.user.id)
    throttle = login_throttle()
    seconds = throttle.wait_seconds(user.username) if throttle else 0
    if seconds:
        raise ValidationError(throttled_message(seconds))
    if not field.data or not check_password_hash(user.password, field.data):
        if throttle:
            throttle.failed(user.username)
        raise ValidationError(_("The current password is not correct."))


class ResetMyPasswordForm(DynamicForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(), _check_current_password],
        widget=BS3PasswordFieldWidget(),
    )
    password = PasswordField(
        lazy_gettext("New password"),
        validators=[DataRequired(), PasswordComplexityValidator()],
        widget=BS3PasswordFieldWidget(),
    )
    conf_password = PasswordField(
        lazy_gettext("Confirm Password"),
        validators=[EqualTo("password", message=lazy_gettext("Passwords must match"))],
        widget=BS3PasswordFieldWidget(),
    )


def _active(value: object) -> str:
    return str(lazy_gettext("Active") if value else lazy_gettext("Inactive"))


def _names(items: Iterable[Any] | None) -> str:
    return ", ".join(str(item) for item in items or ())


def _local_time(value: datetime | None) -> str:
    # FAB stamps users with the server's naive local time; astimezone() reads it so.
    return format_datetime(value.astimezone()) if value else "-"


def _or_dash(value: object) -> str:
    return str(value) if value is not None else "-"


# FAB's own classes, renamed back to FAB's names so permission and endpoint
# names stay FAB's. Every officer may open their profile from the navbar and
# change their own name and password (FAB grants these only to Admin).
class UserDBModelView(FabUserDBModelView):
    capability_grants = {"can_userinfo": [ANY_LOGIN], "resetmypassword": [ANY_LOGIN], "userinfoedit": [ANY_LOGIN]}
    # "True" and "[Admin]" are Python's spelling, not the officer's.
    formatters_columns = {
        "active": _active,
        "roles": _names,
        "groups": _names,
        "last_login": _local_time,
        "created_on": _local_time,
        "changed_on": _local_time,
        "created_by": _or_dash,
        "changed_by": _or_dash,
    }


class ResetMyPasswordView(FabResetMyPasswordView):
    capability_grants = {"can_this_form_get": [ANY_LOGIN], "can_this_form_post": [ANY_LOGIN]}
    form = ResetMyPasswordForm


class UserInfoEditView(FabUserInfoEditView):
    capability_grants = {"can_this_form_get": [ANY_LOGIN], "can_this_form_post": [ANY_LOGIN]}


class UserGroupModelView(FabUserGroupModelView):
    # FAB leaves these labels to be generated from column names, untranslatable.
    label_columns = {
        "name": lazy_gettext("Name"),
        "label": lazy_gettext("Label"),
        "description": lazy_gettext("Description"),
        "users": lazy_gettext("Users"),
        "roles": lazy_gettext("Roles"),
    }
    formatters_columns = {"users": _names, "roles": _names}


class RoleModelView(FabRoleModelView):
    # Admin holds some two hundred permissions: listed in one cell they made the
    # role list a wall of text. The role's own page still lists them.
    list_columns = ["name"]


class AuthDBView(FabAuthDBView):
    # FAB's form plus the link to the applicants' online registration (views.applicants.public).
    login_template = "applicants/login_db.html"


class SecurityManager(FabSecurityManager):
    """FAB's security manager; role and step grants live in app.security.roles."""

    authdbview = AuthDBView
    userdbmodelview = UserDBModelView
    resetmypasswordview = ResetMyPasswordView
    userinfoeditview = UserInfoEditView
    groupmodelview = UserGroupModelView
    rolemodelview = RoleModelView
    # FAB's user-statistics chart loads Google Charts from the internet.
    userstatschartview = None

    def add_user(
        self,
        username: str,
        first_name: str,
        last_name: str,
        email: str,
        role: Any = None,
        password: str = "",
        hashed_password: str = "",
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """FAB's, refusing (False, like FAB's other failures) a plain password that is too weak.

        An empty password stays allowed: FAB then stores a random secret (accounts of
        other auth backends), which nobody can log in with.
        """
        if password and not hashed_password:
            try:
                check_password(password, [username, email])
            except PasswordComplexityValidationError as refused:
                log.error("User %s not created: %s", username, refused)
                return False
        return super().add_user(
            username, first_name, last_name, email, role, password, hashed_password, *args, **kwargs
        )

    def reset_password(self, userid: int, password: str) -> None:
        """FAB's, refusing a weak password (PasswordComplexityValidationError) before any change.

        Every session and token of the user ends; an officer changing their own
        password keeps the session they changed it from.
        """
        user = self.get_user_by_id(userid)
        check_password(password, _names_of(user))
        super().reset_password(userid, password)
        version = bump_session_version(user.id)
        if has_request_context() and current_user.is_authenticated and current_user.id == user.id:
            session[SESSION_VERSION_KEY] = version

    def auth_user_db(self, username: str, password: str) -> Any:
        """FAB's, counting failed attempts; while the account or address is
        throttled the password is not even checked."""
        throttle = login_throttle()
        if throttle is None:
            return super().auth_user_db(username, password)
        if throttle.wait_seconds(username):
            return None
        user = super().auth_user_db(username, password)
        if user:
            throttle.succeeded(username)
        else:
            throttle.failed(username)
        return user

    def load_user(self, pk: Any) -> Any:
        """The session cookie's user, only while its session version is current."""
        user = super().load_user(pk)
        if user is None or session.get(SESSION_VERSION_KEY) != session_version(user.id):
            return None
        return user

    def load_user_jwt(self, _jwt_header: dict, jwt_data: dict) -> Any:
        # The token's version is checked by the token_in_blocklist loader (app.setup.auth).
        user = FabSecurityManager.load_user(self, jwt_data["sub"])
        if user and user.is_active:
            g.user = user
            return user
        return None

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids: list[int]) -> bool:
        """FAB's check, answered from the roles' pairs read once per request.

        FAB runs one query per check, and one officer page asks ~30 of them (the
        navbar's menus and console entries, the buttons): the load test measured
        58 statements on the worklist, 33 of them these. Within a request the
        pairs are read once; a request that changes roles or grants drops them
        (`_forget_role_pairs`), so a check after the change reads them again.
        """
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        cache = request.environ.setdefault(ROLE_PAIRS_KEY, {})
        key = tuple(sorted(set(role_ids)))
        pairs = cache.get(key)
        if pairs is None:
            pairs = cache[key] = self._role_pairs(key)
        return (view_name, permission_name) in pairs

    def _has_view_access(self, user: object, permission_name: str, view_name: str) -> bool:
        """FAB's check on the user's roles, then what an active delegation lends them (app.delegation.effective)."""
        if super()._has_view_access(user, permission_name, view_name):
            return True
        from app.delegation.effective import delegated_grants

        return (permission_name, view_name) in delegated_grants(user).pairs

    def _get_user_permission_view_menus(self, user: object, permission_name: str, view_menus_name: Any) -> set[str]:
        """FAB's menu lookup, plus the menu entries of the screens an active delegation opens."""
        found = set(super()._get_user_permission_view_menus(user, permission_name, view_menus_name))
        if user is not None:
            from app.delegation.effective import delegated_grants

            found.update(view for perm, view in delegated_grants(user).pairs if perm == permission_name)
        return found

    def _role_pairs(self, role_ids: tuple[int, ...]) -> frozenset[tuple[str, str]]:
        """Every (view, permission) pair granted to any of the roles, in one query."""
        pv, perm, view = self.permissionview_model, self.permission_model, self.viewmenu_model
        rows = (
            self.session.query(view.name, perm.name)
            .select_from(pv)
            .join(assoc_permissionview_role, pv.id == assoc_permissionview_role.c.permission_view_id)
            .join(perm, perm.id == pv.permission_id)
            .join(view, view.id == pv.view_menu_id)
            .filter(assoc_permissionview_role.c.role_id.in_(role_ids))
        )
        return frozenset((v, p) for v, p in rows)

    def on_user_logout(self, user: User) -> None:
        """Logging out ends every session and token of the user, including copies of the cookie."""
        session.pop(SESSION_VERSION_KEY, None)
        bump_session_version(user.id)
        super().on_user_logout(user)


# The request's cache of role grants (SecurityManager.exist_permission_on_roles).
ROLE_PAIRS_KEY = "sp.role_pairs"
_GRANT_MODELS = (Role, PermissionView, Permission, ViewMenu)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _forget_role_pairs(session: sa.orm.Session, _context: Any) -> None:
    """A flush that touches roles or grants empties the request's cache of them."""
    if not has_request_context() or ROLE_PAIRS_KEY not in request.environ:
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, _GRANT_MODELS) for obj in changed):
        request.environ.pop(ROLE_PAIRS_KEY, None)


def grant_cache() -> dict | None:
    """This request's memo of what depends only on roles and grants (the role pairs, a user's
    worklist filter): dropped by any flush touching them; None outside a request."""
    return request.environ.setdefault(ROLE_PAIRS_KEY, {}) if has_request_context() else None
