"""Security headers on every response.

- No framing, no MIME sniffing, no referrer leaks (every response).
- Content-Security-Policy: scripts only from this site, plus inline blocks that
  carry this response's nonce. FAB's and Flask-Admin's templates print the
  nonce on their own inline scripts (FAB through the Jinja global `csp_nonce`,
  Flask-Admin through `csp_nonce_generator`); our templates have no inline
  script and no inline event handler (their JS lives in app/static/js/). An
  injected <script> or onclick= never carries the nonce, so it does not run.
  Styles may be inline (FAB's and our print pages use style attributes).
- Strict-Transport-Security (1 year, subdomains) in production or over HTTPS.
- `Cache-Control: no-store` on every answer to a logged-in user and on every
  API answer: pages show NIK and names, which must not stay in a shared
  browser's or proxy's cache after logout.
- Session and remember-me cookies are `Secure` in production unless
  SESSION_COOKIE_SECURE / REMEMBER_COOKIE_SECURE say otherwise explicitly.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def csp_nonce() -> str:
    """This request's nonce (FAB's templates call `csp_nonce()` when it is defined)."""
    nonce = getattr(g, "_csp_nonce", None)
    if nonce is None:
        nonce = g._csp_nonce = secrets.token_urlsafe(18)
    return nonce


def secure_cookies_in_production(app: Flask) -> None:
    production = app.config.get("APP_ENV") == "production"
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = production


def _logged_in() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # no user loader context (static files, errors before login setup)
        return False


def _private(response: Response) -> bool:
    if request.path.startswith("/api/"):
        return True
    if request.endpoint and request.endpoint.endswith("static"):
        return False
    # Authorization header: a JWT caller of a page; the session user: a logged-in page.
    return "Authorization" in request.headers or _logged_in()


def _nonce_for_flask_admin(app: Flask) -> None:
    """The console's Admin is created after this module runs: give it the nonce on first use."""
    for admin in app.extensions.get("admin", []):
        if getattr(admin, "csp_nonce_generator", None) is None:
            admin.csp_nonce_generator = csp_nonce


def init_app(app: Flask) -> None:
    secure_cookies_in_production(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def _console_nonce() -> None:
        _nonce_for_flask_admin(current_app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
        max_age = current_app.config.get("HSTS_MAX_AGE", 0)
        if max_age and (current_app.config.get("APP_ENV") == "production" or request.is_secure):
            response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
        if _private(response):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            response.vary.add("Cookie")
        return response
