"""Error answers in the user's language, never a stack trace.

Werkzeug's own pages are English and FAB's API answers unknown routes with
HTML, so every HTTP error gets our page (or JSON `{"message": ...}` under
/api/) here. Unexpected exceptions reach the 500 handler only when Flask does
not propagate them; APP_ENV=production forces that, whatever DEBUG or
PROPAGATE_EXCEPTIONS the environment sets, so a visitor never sees a trace.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from app.calendar.working_days import CalendarNotSetUp
from app.core.errors import DomainError
from app.core.extensions import db


def error_texts(code: int) -> tuple[str, str]:
    """(title, explanation) of a status code, in the reader's language."""
    texts = {
        400: (_("Bad request"), _("The request could not be understood. Nothing was changed.")),
        401: (_("Not logged in"), _("Log in first.")),
        403: (_("Access denied"), _("You are not allowed to open this page or take this action.")),
        404: (_("Page not found"), _("The page or record you asked for does not exist.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request. Nothing was changed.")),
        413: (_("File too large"), _("The upload is larger than the allowed limit. Nothing was saved.")),
        429: (_("Too many requests"), _("Too many requests from your connection. Wait a minute and try again.")),
        503: (_("Service unavailable"), _("The service cannot answer now. Nothing was changed; try again later.")),
        500: (_("Internal error"), _("Something went wrong on our side. The change was not saved; try again later.")),
    }
    return texts.get(code, texts[500] if code >= 500 else texts[400])


def _own_description(error: HTTPException) -> str | None:
    """A description our code passed to `abort` (already translated), not Werkzeug's English default."""
    default = type(error).description
    return error.description if error.description and error.description != default else None


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(code: int, description: str | None = None) -> Response:
    title, message = error_texts(code)
    message = description or message
    if _wants_json():
        return make_response(jsonify(message=message), code)
    return make_response(render_template("shell/error.html", title=title, message=message), code)


def handle_http_error(error: HTTPException):
    """Werkzeug's and `abort`'s errors (403, 404, 405, 413, 429, ...) as our page or JSON."""
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:
        db.session.rollback()
    description = _own_description(error) if error.code < 500 else None
    if error.code == 413 and description is None and request.mimetype != "multipart/form-data":
        description = _(
            "The request is larger than the allowed %(n)d KB. Nothing was saved.",
            n=current_app.config.get("MAX_BODY_BYTES", 0) // 1024,
        )
    response = _answer(error.code, description)
    # werkzeug's MethodNotAllowed names the methods the route takes.
    if error.code == 405 and (allowed := getattr(error, "valid_methods", None)):
        response.headers["Allow"] = ", ".join(allowed)
    return response


def handle_server_error(error: InternalServerError):
    """An unexpected exception: logged by Flask, rolled back, a plain message to the user."""
    db.session.rollback()
    return _answer(500)


def handle_calendar_not_set_up(error: Exception):
    """No office hours: every SLA clock is undefined. Say so, change nothing."""
    db.session.rollback()
    current_app.logger.error("%s", error)
    return _answer(
        503,
        _(
            "The working calendar has no office hours yet, so no deadline can be set. Nothing was "
            "changed. An administrator must run `flask bootstrap` or set the office hours."
        ),
    )


def handle_domain_error(error: DomainError):
    """A refusal of our rules (app.core.errors): nothing kept; under /api/ the JSON body
    `{"message", "errors"?}` with its status, else our error page with its message."""
    db.session.rollback()
    if _wants_json():
        return make_response(jsonify(error.body()), error.status)
    return _answer(error.status, error.message)


def harden_production(app: Flask) -> None:
    """In production an exception is never re-raised to a debugger or shown as a trace."""
    if app.config.get("APP_ENV") != "production":
        return
    app.debug = False
    app.config.update(
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        FAB_API_SHOW_STACKTRACE=False,
        TRAP_HTTP_EXCEPTIONS=False,
        EXPLAIN_TEMPLATE_LOADING=False,
    )


def init_app(app: Flask) -> None:
    harden_production(app)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(CalendarNotSetUp, handle_calendar_not_set_up)
    app.register_error_handler(DomainError, handle_domain_error)
