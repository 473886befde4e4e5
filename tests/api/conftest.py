"""A JSON client that checks every call it makes against the app's own OpenAPI document.

The document is fetched from `/api/v1/openapi.json` like an integrator would, then each
request (unless the test sends a bad one on purpose) and each answer, status code and
media type included, is validated with openapi-core. A view that answers a field, a
status or a content type its description does not declare fails the test (drift).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.wrappers import Request


class CheckedApi:
    """`get`/`post` like tests/cases' Api (so tests/definitions/walker.py can drive it), validated."""

    def __init__(self, client, auth, spec: dict[str, Any]) -> None:
        self.client, self.auth, self.spec = client, auth, spec
        self.openapi = OpenAPI.from_dict(spec)
        self.tokens: dict[str, dict[str, str]] = {}
        self.checked: list[tuple[str, str, int]] = []

    def headers(self, username: str | None) -> dict[str, str]:
        if username is None:
            return {}
        if username not in self.tokens:
            self.tokens[username] = self.auth.token(username)
        return self.tokens[username]

    def call(self, method: str, username: str | None, url: str, valid_request: bool = True, **kwargs):
        """Send, then validate the request (when meant to be valid) and the answer against the document."""
        headers = {**self.headers(username), **kwargs.pop("headers", {})}
        rv = self.client.open(url, method=method, headers=headers, **kwargs)
        environ = dict(rv.request.environ)
        stream = environ.get("wsgi.input")
        # The app read the body; a fresh copy of it lets openapi-core read it again.
        environ["wsgi.input"] = io.BytesIO(stream.getvalue() if isinstance(stream, io.BytesIO) else b"")
        request = WerkzeugOpenAPIRequest(Request(environ))
        if valid_request:
            self.openapi.validate_request(request)
        self.openapi.validate_response(request, WerkzeugOpenAPIResponse(rv))
        self.checked.append((method, request.path, rv.status_code))
        return rv

    def get(self, username: str | None, url: str, **kwargs):
        return self.call("GET", username, url, **kwargs)

    def post(self, username: str | None, url: str, **kwargs):
        return self.call("POST", username, url, **kwargs)


@pytest.fixture
def spec(client, auth, make_user) -> dict[str, Any]:
    """The document as any logged-in caller reads it, checked as a valid OpenAPI 3 document."""
    rv = client.get("/api/v1/openapi.json", headers=auth.token(make_user("Front Office")))
    assert rv.status_code == 200, rv.get_data(as_text=True)
    assert rv.mimetype == "application/json"
    validate(rv.json)
    return rv.json


@pytest.fixture
def checked(client, auth, spec) -> CheckedApi:
    return CheckedApi(client, auth, spec)
