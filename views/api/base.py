"""The base of our JSON APIs: FAB's BaseApi, answering every error as `{"message"}` in the
user's language and never with a stack trace.

FAB's own refusals ("Not authorized", "Forbidden", ...) are fixed English strings;
DESIGN.md promises JSON errors an Indonesian integration can show as they are.
A refusal of our rules (app.core.errors.DomainError) is raised, not caught, by the
API views: `_json_errors` answers it `{"message", "errors"?}` with its status.
Decorate with this module's `safe`, not FAB's, which would turn it into a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, current_app
from flask_appbuilder.api import BaseApi
from flask_babel import gettext as _
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from werkzeug.exceptions import BadRequest, HTTPException

from app.calendar.working_days import CalendarNotSetUp
from app.core.errors import DomainError
from app.core.extensions import db
from app.setup.db_errors import UNAVAILABLE, handle_database_unavailable
from app.setup.errors import error_texts, handle_calendar_not_set_up, handle_domain_error, handle_http_error


def safe(f: Callable[..., Any]) -> Callable[..., Any]:
    """FAB's `safe` (an unexpected exception answers a JSON 500, a BadRequest a 400), except that
    a DomainError goes on to the JSON handler (`_json_errors`), which answers its status and message."""

    @functools.wraps(f)
    def guarded(self: JsonApi, *args: Any, **kwargs: Any) -> Response:
        try:
            return f(self, *args, **kwargs)
        except (DomainError, *UNAVAILABLE):
            raise  # a refusal, or the database not answering (503): the handlers below answer them
        except BadRequest as exc:
            return self.response_400(message=str(exc))
        except Exception:
            current_app.logger.exception("%s error", type(self).__name__)
            return self.response_500()

    return guarded


class JsonApi(BaseApi):
    """Subclass this, not BaseApi, for an API under /api/v1."""

    def _message(self, code: int, message: str | None = None) -> Response:
        return self.response(code, message=message or error_texts(code)[1])

    def response_400(self, message: str | None = None) -> Response:
        return self._message(400, message)

    def response_401(self) -> Response:
        return self._message(401)

    def response_403(self) -> Response:
        return self._message(403)

    def response_404(self) -> Response:
        return self._message(404)

    def response_422(self, message: str | None = None) -> Response:
        return self._message(422, message)

    def response_500(self, message: str | None = None) -> Response:
        return self._message(500)

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        _json_errors(blueprint, self.__class__.__name__)
        return blueprint


def _json_errors(blueprint, name: str) -> None:
    """Errors raised before or around the views answer JSON too."""

    @blueprint.errorhandler(JWTExtendedException)
    @blueprint.errorhandler(PyJWTError)
    def _unauthorised(exc):
        return {"message": error_texts(401)[1]}, 401

    @blueprint.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return handle_http_error(exc)

    # Registered here too: the blueprint's catch-all below would win over the app's handler.
    @blueprint.errorhandler(DomainError)
    def _refused(exc: DomainError):
        return handle_domain_error(exc)

    @blueprint.errorhandler(CalendarNotSetUp)
    def _no_calendar(exc: CalendarNotSetUp):
        return handle_calendar_not_set_up(exc)

    for kind in UNAVAILABLE:  # PostgreSQL restarting: 503, not the catch-all's 500
        blueprint.register_error_handler(kind, handle_database_unavailable)

    @blueprint.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        current_app.logger.exception("%s error", name)
        return {"message": _("Internal error; the change was not saved.")}, 500
