"""Limits on what a request may carry, before any view reads it.

* Bodies: a JSON or form post may be at most MAX_BODY_BYTES (256 KB); only a
  multipart upload (a scan) may reach MAX_CONTENT_LENGTH. Werkzeug refuses a
  larger body with 413 while reading it, so nothing is parsed or written.
* JSON nested deeper than MAX_JSON_DEPTH is a 400, not a RecursionError.
* Path ids: `<int:...>` accepts at most MAX_ID (PostgreSQL INTEGER); a larger
  id, or a FAB `<pk>` that is no id at all, is a 404 rather than a database
  overflow (500).
* A NUL character (which PostgreSQL text cannot hold) anywhere in the path,
  query string, form or JSON strings is a 400.
* FAB model views' file downloads (no model has a file column) are a 404.
* FAB's API login reads `provider` without checking it is there; a body
  without it is answered 400 here, in the user's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, Request, abort, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from app.core.parsing import MAX_ID, bounded_int

MAX_JSON_DEPTH = 32
# Query keys that are numbers wherever they appear (our lists, FAB's `page_<view>`, the console's
# `page`/`page_size`/`id`/`sort`): anything but an ASCII whole number in [0, MAX_ID] is a 400.
NUMERIC_ARGS = re.compile(r"(page|page_size|psize|before|step|id|version|sort)(_\w+)?")
API_LOGIN_PATH = "/api/v1/security/login"
API_LOGIN_PROVIDERS = ("db", "ldap")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` of ASCII digits only, at most MAX_ID (beyond is a 404, not a query)."""

    regex = r"[0-9]{1,12}"

    def __init__(
        self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (iteratively: no recursion to exhaust).

    A string holding a NUL character raises the 400 on the way.
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise _nul()
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _nul() -> BadRequest:
    return BadRequest(_("The request contains a NUL character, which is not allowed."))


def _too_deep() -> BadRequest:
    return BadRequest(_("The JSON body is nested too deeply (at most %(n)d levels).", n=MAX_JSON_DEPTH))


class LimitedRequest(Request):
    """Flask's request with the body cap and the JSON depth check."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if not current_app or self.mimetype == "multipart/form-data":
            return limit
        body = current_app.config.get("MAX_BODY_BYTES")
        return min(limit, body) if limit and body else (limit or body)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            value = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise _too_deep() from None
        if value is not None and json_depth(value) > MAX_JSON_DEPTH:
            raise _too_deep()
        return value


def _huge_pk(endpoint: str | None, values: dict | None) -> None:
    """FAB's model views take `<pk>` as a string: a non-id is a 404 before it reaches the database.

    Their `/download/<filename>` serves file columns from UPLOAD_FOLDER; no model of ours has
    one (and the folder is unset, so FAB would raise), so those routes are a 404 too.
    """
    if (endpoint or "").endswith(".download") and values and "filename" in values:
        abort(404)
    if not values:
        return
    for key, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            abort(404)
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ID:
            abort(404)
        if key == "pk" and isinstance(value, str):
            text = value.strip()
            if not (text.isascii() and text.isdigit() and len(text) <= 12 and 0 < int(text) <= MAX_ID):
                abort(404)


def _check_args_and_form():
    """No NUL character in query-string or form values; numeric query keys hold bounded whole numbers."""
    pairs = list(request.args.items(multi=True))
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        pairs += list(request.form.items(multi=True))
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        raise _nul()
    for key, value in request.args.items(multi=True):
        if value and NUMERIC_ARGS.fullmatch(key) and bounded_int(value, 0, MAX_ID) is None:
            raise BadRequest(_("%(name)s must be a whole number from 0 to %(max)d.", name=key, max=MAX_ID))


def _api_login_payload():
    """400 (Indonesian) for an API login body FAB would answer with a 500 'Fatal error'."""
    if request.method != "POST" or request.path.rstrip("/") != API_LOGIN_PATH or not request.is_json:
        return None
    body = request.get_json(silent=True)
    valid = (
        isinstance(body, dict)
        and isinstance(body.get("username"), str)
        and isinstance(body.get("password"), str)
        and body.get("provider") in API_LOGIN_PROVIDERS
        and isinstance(body.get("refresh", False), bool)
    )
    if valid:
        return None
    return jsonify(message=_('Send {"username": "...", "password": "...", "provider": "db"}.')), 400


def init_app(app: Flask) -> None:
    app.config.setdefault("MAX_BODY_BYTES", 256 * 1024)
    app.request_class = LimitedRequest
    # Our views are added after this runs, so every `<int:...>` of ours is bounded.
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_value_preprocessor(_huge_pk)
    app.before_request(_check_args_and_form)
    app.before_request(_api_login_payload)
