"""Login hardening FAB leaves to configuration: password policy and API login limits."""
from __future__ import annotations

from flask import Flask
from werkzeug.utils import import_string


def resolve_password_validator(app: Flask) -> None:
    """FAB calls FAB_PASSWORD_COMPLEXITY_VALIDATOR directly, so a dotted path
    in config.py must become the function itself before any form validates."""
    validator = app.config.get("FAB_PASSWORD_COMPLEXITY_VALIDATOR")
    if isinstance(validator, str):
        app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = import_string(validator)


def limit_api_login(app: Flask) -> None:
    """FAB rate-limits the login form only; give the JWT login the same limit,
    or password guessing simply moves to /api/v1/security/login."""
    sm = app.appbuilder.sm
    if not sm.is_auth_limited:
        return
    for view in app.appbuilder.baseviews:
        if isinstance(view, sm.security_api):
            sm.limiter.limit(sm.auth_rate_limit, methods=["POST"])(view.blueprint)


def init_app(app: Flask) -> None:
    resolve_password_validator(app)
    limit_api_login(app)
