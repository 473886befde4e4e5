"""The OpenAPI 3 document of `/api/v1`, generated from the running app, and its Swagger UI page.

Paths, methods and path parameters are read from the app's url_map, so the document
always lists what the app serves; each operation's summary is its view's docstring and
the rest comes from views/api/schemas.py (`CALLS`). `GET /api/v1/openapi.json` serves
it to any logged-in caller (token or browser session): it tells nothing secret, but
like the rest of the API it is not for visitors. `/api/docs` shows it in a locally
vendored Swagger UI (offices run on closed intranets) to holders of its own FAB pair,
which no capability opens: administrators only.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from apispec import APISpec
from flask import Flask, current_app
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import protect
from werkzeug.routing import Rule

from app.security.capabilities import ANY_LOGIN
from views.api.base import JsonApi, safe
from views.api.schemas import CALLS, Call, Schema, components

PREFIX = "/api/v1/"
API_VERSION = "1.0"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
ERROR_TEXTS = {
    400: "Bad request (the message says what to send)",
    401: "No valid token (or session)",
    403: "The caller's roles may not do this",
    404: "Not found, or not visible to the caller",
    409: "Stale version or state: read the record again",
    413: "The body is too large",
    422: "Refused by the rules; `errors` names the fields",
    429: "Too many failed logins; see Retry-After",
}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_CONVERTED: dict[str, Schema] = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number"}}


def api_rules(app: Flask) -> list[Rule]:
    """Every rule the app serves under /api/v1, in path order."""
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX)), key=lambda r: r.rule)


def undescribed(app: Flask) -> list[str]:
    """Endpoints under /api/v1 that `CALLS` does not describe (each one fails the spec test)."""
    return sorted({r.endpoint for r in api_rules(app) if r.endpoint not in CALLS})


def _path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """`/cases/<int:case_id>` -> `/cases/{case_id}` and its path parameters."""
    params = []
    for match in _ARGUMENT.finditer(rule.rule):
        schema = dict(_CONVERTED.get(match["converter"] or "", {"type": "string"}))
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule), params


def _schema(target: str | Schema) -> Schema:
    return {"$ref": f"#/components/schemas/{target}"} if isinstance(target, str) else target


def _content(answer: str | dict[str, Schema]) -> dict[str, Any]:
    if isinstance(answer, str):
        return {"application/json": {"schema": _schema(answer)}}
    return {media: {"schema": schema} for media, schema in answer.items()}


def _security(auth: str) -> list[dict[str, list]]:
    if auth == "none":
        return []
    if auth == "bearer_or_session":
        return [{"bearer": []}, {"session": []}]
    return [{"bearer": []}]


def _summary(view: Any) -> tuple[str, str]:
    """The view's docstring: first line as the summary, the rest (before FAB's `---` YAML) as description."""
    doc = inspect.getdoc(view) or ""
    doc = doc.split("\n---", 1)[0].strip()
    first, _, rest = doc.partition("\n")
    return first.strip(), " ".join(rest.split())


def _operation(app: Flask, rule: Rule, call: Call | None) -> dict[str, Any]:
    view = app.view_functions[rule.endpoint]
    summary, description = _summary(view)
    operation: dict[str, Any] = {"operationId": rule.endpoint.replace(".", "_"), "summary": summary or rule.endpoint}
    if call is None:
        # Still listed (its path is served) but flagged; `undescribed()` makes the test fail on it.
        operation.update({"tags": ["Undescribed"], "responses": {"default": {"description": "not described yet"}}})
        return operation
    if call.description or description:
        operation["description"] = " ".join(x for x in (description, call.description) if x)
    operation["tags"] = [call.tag]
    if call.query:
        operation["parameters"] = [
            {"name": p.name, "in": "query", "required": False, "schema": p.schema, "description": p.description}
            for p in call.query
        ]
    if call.request:
        operation["requestBody"] = {
            "required": True,
            "content": {media: {"schema": _schema(name)} for media, name in call.request.items()},
        }
    responses: dict[str, Any] = {
        str(status): {"description": "OK" if status == 200 else "Created", "content": _content(answer)}
        for status, answer in call.answers.items()
    }
    # Any body over MAX_BODY_BYTES (or an upload over UPLOAD_MAX_BYTES) is refused before the view.
    errors = sorted(set(call.errors) | ({413} if call.request else set()))
    for status in errors:
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    operation["responses"] = responses
    operation["security"] = _security(call.auth)
    return operation


def build_spec(app: Flask) -> dict[str, Any]:
    """The whole document, as a dict (OpenAPI 3.0.3)."""
    spec = APISpec(
        title=f"{app.config.get('APP_NAME', 'SP-Backoffice')} API",
        version=API_VERSION,
        openapi_version="3.0.3",
        info={
            "description": "Cases, services, complaints, surveys and registers of the permit office "
            "(DESIGN.md, JSON API). Log in with POST /api/v1/security/login and send "
            "`Authorization: Bearer <access_token>`. Every refusal is JSON "
            '`{"message": ..., "errors"?: {field: message}}`.'
        },
        servers=[{"url": "/"}],
    )
    for name, schema in components().items():
        spec.components.schema(name, schema)
    for status, text in ERROR_TEXTS.items():
        spec.components.response(
            f"E{status}",
            {"description": text, "content": {"application/json": {"schema": _schema("Error")}}},
        )
    spec.components.security_scheme(
        "bearer",
        {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "access (or refresh) token"},
    )
    spec.components.security_scheme(
        "session",
        {"type": "apiKey", "in": "cookie", "name": app.config.get("SESSION_COOKIE_NAME", "session")},
    )
    paths: dict[str, dict[str, Any]] = {}
    for rule in api_rules(app):
        path, params = _path(rule)
        call = CALLS.get(rule.endpoint)
        for param in params:
            if call is not None and param["name"] in call.path:
                param["schema"] = call.path[param["name"]]()
        entry = paths.setdefault(path, {"parameters": params} if params else {})
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            entry[method.lower()] = _operation(app, rule, CALLS.get(rule.endpoint))
    for path, entry in paths.items():
        parameters = entry.pop("parameters", None)
        spec.path(path=path, operations=entry, parameters=parameters)
    return spec.to_dict()


class OpenApiView(JsonApi):
    """The OpenAPI document of /api/v1."""

    route_base = "/api/v1"
    class_permission_name = "OpenAPI"
    method_permission_name = {"document": "get"}
    capability_grants = {"can_get": [ANY_LOGIN]}

    @expose("/openapi.json", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    def document(self):
        """The OpenAPI 3 document of every /api/v1 call."""
        return self.response(200, **build_spec(current_app))


class ApiDocsView(BaseView):
    """Swagger UI over the OpenAPI document (administrators only: no capability opens its pair)."""

    route_base = "/api/docs"
    class_permission_name = "API documentation"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """The Swagger UI page; its script is static (CSP: no inline script)."""
        return self.render_template("api/docs.html")


def register(appbuilder: Any) -> None:
    appbuilder.add_api(OpenApiView)
    appbuilder.add_view_no_menu(ApiDocsView)
