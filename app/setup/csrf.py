"""CSRF protection on every HTML form; the JWT-authenticated JSON API is exempt.

FAB's API classes exempt their own blueprint only when CSRFProtect already
exists at registration time; the security/menu APIs are registered by
`appbuilder.init_app` before this module runs, so they are exempted here.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_appbuilder.api import BaseApi
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from app.core.extensions import appbuilder

csrf = CSRFProtect()


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_csrf_error(error: CSRFError):
    """Refuse the request with an explanation in the user's language; nothing was changed."""
    message = _("The form has expired or was not sent from this application. Reload the page and try again.")
    if _wants_json():
        return jsonify(message=message), 400
    return render_template("shell/error.html", title=_("Request refused"), message=message), 400


def exempt_json_apis(app: Flask) -> None:
    """Exempt every FAB API blueprint registered so far (later ones exempt themselves)."""
    for view in appbuilder(app).baseviews:
        if isinstance(view, BaseApi) and view.csrf_exempt and view.blueprint is not None:
            csrf.exempt(view.blueprint)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    exempt_json_apis(app)
    app.register_error_handler(CSRFError, handle_csrf_error)
