"""Login hardening FAB leaves to configuration.

- The password policy (FAB_PASSWORD_COMPLEXITY_VALIDATOR resolved to a function).
- Failed-login throttling (`LoginThrottle`): only FAILED attempts count, per
  account (username or e-mail, case-insensitive, resolved to the user) and per
  client address; the login form and `POST /api/v1/security/login` share the
  counters. They live in RATELIMIT_STORAGE_URI (Redis in production, so every
  worker and instance sees the same counts; production refuses memory://).
  While a counter is full every attempt, even with the right password, is
  refused with 429 and the wait in minutes, before the password is checked.
  If Redis does not answer, the throttle logs an error and counts in this
  process's memory until Redis is back (retried every AUTH_THROTTLE_RETRY_SECONDS):
  logins keep working, throttled per worker, rather than nobody logging in.
- Session versions: a login stores the user's version in the Flask session and
  in the JWT (claim `sv`); logout and every password change bump it
  (app.security.manager), so cookies and tokens issued earlier are refused.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, flash, jsonify, make_response, request, session
from flask_babel import gettext as _
from flask_login import user_logged_in
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.utils import import_string

from app.core.extensions import appbuilder

log = logging.getLogger(__name__)

SESSION_VERSION_KEY = "_sv"
JWT_VERSION_CLAIM = "sv"


def resolve_password_validator(app: Flask) -> None:
    """FAB calls FAB_PASSWORD_COMPLEXITY_VALIDATOR directly, so a dotted path
    in config.py must become the function itself before any form validates."""
    validator = app.config.get("FAB_PASSWORD_COMPLEXITY_VALIDATOR")
    if isinstance(validator, str):
        app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = import_string(validator)


# --- failed-login throttle ---------------------------------------------------------------


class LoginThrottle:
    """Counts failed logins per account and per address in shared storage."""

    def __init__(self, app: Flask) -> None:
        self.uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        self.namespace = app.config.get("AUTH_THROTTLE_NAMESPACE", "sp-backoffice")
        self.per_account = parse(app.config["AUTH_FAILED_LOGIN_LIMIT_ACCOUNT"])
        self.per_address = parse(app.config["AUTH_FAILED_LOGIN_LIMIT_ADDRESS"])
        self.retry_seconds = float(app.config.get("AUTH_THROTTLE_RETRY_SECONDS", 30))
        options = {}
        if self.uri.startswith(("redis", "rediss")):
            # A dead Redis must cost a login a second, not a hung worker.
            options = {"socket_connect_timeout": 1, "socket_timeout": 1}
        self._primary = MovingWindowRateLimiter(storage_from_string(self.uri, **options))
        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        self._down_until = 0.0

    # The storage, or this process's memory while the storage does not answer.
    def _run(self, method: str, *args):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(self._primary, method)(*args)
            except Exception as exc:  # redis.ConnectionError, TimeoutError, limits.StorageError...
                self._down_until = time.monotonic() + self.retry_seconds
                log.error(
                    "Login throttle storage %s unreachable (%s): counting failed logins in this "
                    "process only until it answers again",
                    self.uri.split("@")[-1],
                    exc,
                )
        return getattr(self._fallback, method)(*args)

    def _keys(self, username: str | None) -> list[tuple]:
        keys = [(self.per_address, self.namespace, "login-address", request.remote_addr or "unknown")]
        account = _account_key(username)
        if account:
            keys.append((self.per_account, self.namespace, "login-account", account))
        return keys

    def wait_seconds(self, username: str | None) -> int:
        """0 if an attempt may be checked now, else the seconds until one may."""
        wait = 0.0
        now = time.time()
        for item, *ids in self._keys(username):
            stats = self._run("get_window_stats", item, *ids)
            if stats.remaining <= 0:
                wait = max(wait, stats.reset_time - now, 1)
        return math.ceil(wait)

    def failed(self, username: str | None) -> None:
        for item, *ids in self._keys(username):
            self._run("hit", item, *ids)

    def succeeded(self, username: str | None) -> None:
        """A right password clears the account's failures (never the address's:
        an attacker with an account of their own must not reset it)."""
        account = _account_key(username)
        if account:
            self._run("clear", self.per_account, self.namespace, "login-account", account)


def _account_key(username: str | None) -> str | None:
    """The account a login names: the user's id when it exists (so the username
    and the e-mail share one counter), else the name itself, case-insensitive."""
    name = (username or "").strip().casefold()
    if not name:
        return None
    sm = appbuilder().sm
    user = sm.find_user(username=name) or sm.find_user(email=name)
    if user is None and "@" in name:
        user = _find_by_email_ci(name)
    return f"user:{user.id}" if user is not None else f"name:{name}"


def _find_by_email_ci(email: str):
    from sqlalchemy import func, select

    from app.core.extensions import db

    model = appbuilder().sm.user_model
    return db.session.scalars(select(model).where(func.lower(model.email) == email)).first()


def login_throttle() -> LoginThrottle | None:
    return current_app.extensions.get("sp_login_throttle")


def throttled_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return _("Too many failed login attempts. Try again in %(minutes)d minutes.", minutes=minutes)


def _login_endpoints(app: Flask) -> set[str]:
    sm = appbuilder(app).sm
    endpoints = {f"{sm.auth_view.endpoint}.login"}
    for view in appbuilder(app).baseviews:
        if isinstance(view, sm.security_api):
            endpoints.add(f"{view.endpoint}.login")
    return endpoints


def _refuse_throttled(seconds: int):
    message = throttled_message(seconds)
    if request.path.startswith("/api/"):
        response = make_response(jsonify(message=message), 429)
    else:
        from flask_appbuilder.security.forms import LoginForm_db

        view = appbuilder().sm.auth_view
        flash(message, "danger")
        form = LoginForm_db()
        form.username.data = request.form.get("username", "")
        html = view.render_template(view.login_template, title=view.title, form=form, appbuilder=appbuilder())
        response = make_response(html, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def throttle_logins(app: Flask) -> None:
    """Refuse a login attempt while its account or address is over the limit."""
    app.extensions["sp_login_throttle"] = LoginThrottle(app)
    endpoints = _login_endpoints(app)

    @app.before_request
    def _check_login_throttle():
        if request.method != "POST" or request.endpoint not in endpoints:
            return None
        if request.path.startswith("/api/"):
            body = request.get_json(silent=True)
            username = body.get("username") if isinstance(body, dict) else None
        else:
            username = request.form.get("username")
        seconds = login_throttle().wait_seconds(username if isinstance(username, str) else None)
        return _refuse_throttled(seconds) if seconds else None


# --- session versions --------------------------------------------------------------------


def track_session_versions(app: Flask) -> None:
    """The version goes into the session at a form login and into every JWT."""
    from app.security.manager import session_version

    def _remember_version(sender, user, **_extra):
        session[SESSION_VERSION_KEY] = session_version(user.id)

    user_logged_in.connect(_remember_version, app, weak=False)

    jwt = app.extensions.get("flask-jwt-extended")
    if jwt is None:
        return

    @jwt.additional_claims_loader
    def _version_claim(identity):
        try:
            return {JWT_VERSION_CLAIM: session_version(int(identity))}
        except (TypeError, ValueError):
            return {}

    @jwt.token_in_blocklist_loader
    def _superseded(_header, payload) -> bool:
        try:
            user_id = int(payload["sub"])
        except (KeyError, TypeError, ValueError):
            return True
        return payload.get(JWT_VERSION_CLAIM) != session_version(user_id)

    @jwt.revoked_token_loader
    def _revoked(_header, _payload):
        return jsonify(
            message=_("This login token is no longer valid (logged out or password changed); log in again.")
        ), 401


def init_app(app: Flask) -> None:
    resolve_password_validator(app)
    throttle_logins(app)
    track_session_versions(app)
