"""The OpenAPI document describes every /api/v1 route, and who may read it and its Swagger UI page."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.shell.test_shell_assets import _external_refs
from views.api.openapi import api_rules, build_spec, undescribed

SKIPPED = {"HEAD", "OPTIONS"}


def _served(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every rule the app serves under /api/v1."""
    out = set()
    for rule in api_rules(app):
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        out |= {(path, m.lower()) for m in rule.methods - SKIPPED}
    return out


def test_every_api_route_is_described_and_nothing_else(app, spec):
    assert undescribed(app) == [], "describe these calls in views/api/schemas.py CALLS"
    documented = {(path, m) for path, ops in spec["paths"].items() for m in ops if m != "parameters"}
    assert documented == _served(app)
    for path, ops in spec["paths"].items():
        for method, op in ((m, o) for m, o in ops.items() if m != "parameters"):
            assert op["summary"] and op["responses"], (path, method)
            assert "default" not in op["responses"], (path, method)
            errors = [s for s in op["responses"] if s.startswith("4")]
            assert errors, (path, method)
    # The calls DESIGN.md promises, with their path parameters and the PDF answer.
    document = spec["paths"]["/api/v1/cases/{case_id}/documents/{kind}"]
    names = [p["name"] for p in document["parameters"]]
    assert names == ["case_id", "kind"]
    assert {"certificate", "control-card", "bap", "assignment-letter"} <= set(
        document["parameters"][1]["schema"]["enum"]
    )
    assert "application/pdf" in document["get"]["responses"]["200"]["content"]
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "access (or refresh) token",
    }
    assert spec["paths"]["/api/v1/security/login"]["post"]["security"] == []
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == {"message", "errors"}


def test_a_new_route_without_a_description_is_caught(app):
    """What the first test catches: a route added under /api/v1 with no entry in CALLS."""
    from flask import Flask

    other = Flask("probe")
    other.add_url_rule("/api/v1/widgets/<int:widget_id>", "WidgetApi.get", lambda widget_id: "")
    assert undescribed(other) == ["WidgetApi.get"]
    with other.test_request_context():
        spec = build_spec(other)
    validate(spec)
    op = spec["paths"]["/api/v1/widgets/{widget_id}"]["get"]
    assert op["tags"] == ["Undescribed"] and "default" in op["responses"]


def test_the_document_needs_a_login(client, auth, make_user):
    rv = client.get("/api/v1/openapi.json")
    assert rv.status_code == 401 and set(rv.json) == {"message"}
    # A browser session works too (the Swagger UI page reads it so).
    auth.login(make_user("Tim Teknis"))
    rv = client.get("/api/v1/openapi.json")
    assert rv.status_code == 200 and rv.json["info"]["version"]


def test_swagger_ui_page_for_administrators_only(client, auth, make_user):
    anonymous = client.get("/api/docs/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    auth.login(make_user("Front Office"))
    refused = client.get("/api/docs/", follow_redirects=False)
    assert refused.status_code in (302, 403)
    assert "swagger-ui" not in refused.get_data(as_text=True)
    auth.logout()

    auth.login(make_user("Admin"))
    rv = client.get("/api/docs/")
    assert rv.status_code == 200
    html = rv.get_data(as_text=True)
    assert _external_refs(html) == []
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    # CSP: no inline script; the page's scripts are this site's static files, and they are there.
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    scripts = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    assert scripts == [
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/js/swagger-init.js",
    ]
    for url in scripts:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.data) > 500, url
    assert "script-src 'self'" in rv.headers["Content-Security-Policy"]
    client.get("/lang/id")
    assert "Dokumentasi API" in client.get("/api/docs/").get_data(as_text=True)
