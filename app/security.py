"""The security manager: FAB's, with our password policy (Superset's pattern).

FAB checks FAB_PASSWORD_COMPLEXITY_VALIDATOR only in its web forms; the CLI
(`flask fab create-admin`, `create-user`, `reset-password`) hands the password
straight to `add_user`/`reset_password`, so the same rule is enforced there too.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Optional

from flask import current_app
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.views import ResetMyPasswordView as FabResetMyPasswordView
from flask_appbuilder.security.views import RoleModelView as FabRoleModelView
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_appbuilder.security.views import UserGroupModelView as FabUserGroupModelView
from flask_appbuilder.security.views import UserInfoEditView as FabUserInfoEditView
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from app.capabilities import ANY_LOGIN
from app.formatting import format_datetime

log = logging.getLogger(__name__)


def password_validator(password: str) -> None:
    """Refuse passwords shorter than PASSWORD_MIN_LENGTH (12 by default)."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 12)
    if len(password or "") < minimum:
        raise PasswordComplexityValidationError(
            _("Password must be at least %(n)d characters long.", n=minimum)
        )


def _active(value: object) -> str:
    return str(lazy_gettext("Active") if value else lazy_gettext("Inactive"))


def _names(items: object) -> str:
    return ", ".join(str(item) for item in items or ())


def _local_time(value: Optional[datetime]) -> str:
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
        "active": _active, "roles": _names, "groups": _names,
        "last_login": _local_time, "created_on": _local_time, "changed_on": _local_time,
        "created_by": _or_dash, "changed_by": _or_dash,
    }


class ResetMyPasswordView(FabResetMyPasswordView):
    capability_grants = {"can_this_form_get": [ANY_LOGIN], "can_this_form_post": [ANY_LOGIN]}


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


class SecurityManager(FabSecurityManager):
    """FAB's security manager; role and step grants live in app.roles."""

    userdbmodelview = UserDBModelView
    resetmypasswordview = ResetMyPasswordView
    userinfoeditview = UserInfoEditView
    groupmodelview = UserGroupModelView
    rolemodelview = RoleModelView
    # FAB's user-statistics chart loads Google Charts from the internet.
    userstatschartview = None

    def add_user(self, username: str, first_name: str, last_name: str, email: str, role: Any = None,
                 password: str = "", hashed_password: str = "", *args: Any, **kwargs: Any) -> Any:
        """FAB's, refusing (False, like FAB's other failures) a plain password that is too short.

        An empty password stays allowed: FAB then stores a random secret (accounts of
        other auth backends), which nobody can log in with.
        """
        if password and not hashed_password:
            try:
                password_validator(password)
            except PasswordComplexityValidationError as refused:
                log.error("User %s not created: %s", username, refused)
                return False
        return super().add_user(username, first_name, last_name, email, role, password, hashed_password,
                                *args, **kwargs)

    def reset_password(self, userid: int, password: str) -> None:
        """FAB's, refusing a too-short password (PasswordComplexityValidationError) before any change."""
        password_validator(password)
        super().reset_password(userid, password)
