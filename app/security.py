"""The security manager: FAB's, with our password policy (Superset's pattern)."""
from __future__ import annotations

from flask import current_app
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_babel import gettext as _


def password_validator(password: str) -> None:
    """Refuse passwords shorter than PASSWORD_MIN_LENGTH (12 by default)."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 12)
    if len(password or "") < minimum:
        raise PasswordComplexityValidationError(
            _("Password must be at least %(n)d characters long.", n=minimum)
        )


class SecurityManager(FabSecurityManager):
    """FAB's security manager; role and step grants live in app.roles."""
