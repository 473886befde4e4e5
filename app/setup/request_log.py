"""A request id on every request, and logs as JSON lines.

* Request id: an incoming `X-Request-ID` (the proxy's) is kept when it is a sane
  token (at most 64 of `A-Z a-z 0-9 . _ -`), otherwise one is made. It is echoed
  in the response's `X-Request-ID`, stored in `g.request_id` (the audit log
  records it, app.core.audit) and written on every log line of the request, so
  one id follows a request from the proxy's log to the audit row.
* One log line per request (logger `app.request`): method, path, status,
  duration_ms and the user's id when logged in. It replaces gunicorn's access
  log (gunicorn.conf.py turns that off).
* LOG_FORMAT=json (the default in production) writes every log record of the
  process as one JSON object per line on stderr: time (ISO 8601, UTC), level,
  logger, message, plus the request's fields when there is a request. Elsewhere
  (text) Flask's and the development server's own logging is left alone.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g, has_app_context, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The request's fields a record may carry (from the request context or `extra=`).
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")

request_log = logging.getLogger("app.request")


def incoming_request_id(value: str | None) -> str:
    """The proxy's id when it is a sane token, else a new one (a header is never trusted blindly)."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being served, or of the request whose job the worker is running
    (`carried_request_id`); None elsewhere (CLI)."""
    return g.get("request_id") if has_app_context() else None


@contextmanager
def carried_request_id(request_id: str | None) -> Iterator[None]:
    """Run background work under the id of the request that asked for it, so the worker's log
    lines and audit rows are found with the request's (`g` lives in the app context)."""
    had, before = "request_id" in g, g.get("request_id")
    g.request_id = request_id
    try:
        yield
    finally:
        if had:
            g.request_id = before
        else:
            g.pop("request_id", None)


def _user_id() -> int | None:
    """The logged-in user's id, read from what Flask-Login / the JWT check already loaded (no query)."""
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        # From the identity map key: an expired user (a rolled-back request) is not read again,
        # which would need the database, perhaps the reason this request failed.
        state = sa.inspect(user, raiseerr=False)
        identity = state.identity if state is not None else None
        return int(identity[0]) if identity else None
    jwt = g.get("_jwt_extended_jwt")
    if isinstance(jwt, dict) and str(jwt.get("sub", "")).isdigit():
        return int(jwt["sub"])
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_app_context() and g.get("request_id"):
            entry["request_id"] = g.get("request_id")
        if has_request_context():
            entry["method"] = request.method
            entry["path"] = request.path
        for field in REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (gunicorn and pytest replace it after start-up)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def log_format(app: Flask) -> str:
    """`json` or `text`: LOG_FORMAT when set, else json in production only."""
    value = str(app.config.get("LOG_FORMAT") or "").strip().lower()
    if value in {"json", "text"}:
        return value
    return "json" if app.config.get("APP_ENV") == "production" else "text"


def install_json_logging(level: str | int = "INFO") -> logging.Handler:
    """Route every logger of the process through one JSON handler on stderr (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, StderrHandler):
            root.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # Flask's own handler on app loggers would print the record a second time, as text.
    logging.getLogger("app").propagate = True
    return handler


def _start() -> None:
    g.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    if g.get("request_id") is None:
        # Refused before the before-request hooks ran (a URL value preprocessor's 404): an id still.
        g.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
    response.headers[REQUEST_ID_HEADER] = g.request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    request_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={"status": response.status_code, "duration_ms": duration_ms, "user_id": _user_id()},
    )
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("LOG_FORMAT", "")
    if log_format(app) == "json":
        install_json_logging(app.config.get("LOG_LEVEL") or "INFO")
        # Flask adds its text handler to app.logger only when none is set up; JSON goes via the root.
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)
    # Registered first among the before-request hooks that may refuse a request, so a
    # refused request (400, 429) has its id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
