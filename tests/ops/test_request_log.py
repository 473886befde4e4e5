"""The request id (header, audit row, log line) and the JSON log lines."""

from __future__ import annotations

import json
import logging
import re

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.setup.request_log import StderrHandler
from models import AuditLog
from tests.cases.conftest import Api
from tests.factories import officer, sample_applicant, sample_institution

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_a_sane_request_id_is_echoed(client):
    rv = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2_x"})
    assert rv.headers["X-Request-ID"] == "lb-7f3a.2_x"


@pytest.mark.parametrize("sent", ["", "has space", "a" * 65, "semi;colon", "<script>", "ünï"])
def test_an_odd_request_id_is_replaced_by_a_new_one(client, sent):
    rv = client.get("/healthz", headers={"X-Request-ID": sent})
    assert HEX32.fullmatch(rv.headers["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_the_request_id_is_stored_in_the_audit_row_of_an_action(app, client, auth, make_user):
    front = officer(app, make_user, "Front Office")
    headers = {**Api(client, auth).headers(front), "X-Request-ID": "proxy-req-0001"}
    rv = client.post(
        "/api/v1/cases/",
        headers=headers,
        json={
            "service": "TD-BKK",
            "applicant": sample_applicant(),
            "institution": sample_institution(),
            "form": {"luas_ruangan_m2": "48.5", "rencana_penempatan": "25"},
        },
    )
    assert rv.status_code in (200, 201), rv.get_data(as_text=True)
    assert rv.headers["X-Request-ID"] == "proxy-req-0001"
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditLog.action, AuditLog.request_id, AuditLog.username).where(AuditLog.action == "case.create")
        ).all()
    assert [(r.request_id, r.username) for r in rows] == [("proxy-req-0001", front)]


@pytest.fixture
def json_app_config(app_config):
    """An app logging JSON lines; the root logger is put back as it was afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    app_config["LOG_FORMAT"] = "json"
    yield app_config
    for handler in list(root.handlers):
        if isinstance(handler, StderrHandler):
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_log_has_one_parseable_line_per_request_with_its_fields(json_app_config, capsys):
    from app import create_app

    app = create_app(json_app_config)
    client = app.test_client()
    try:
        with app.app_context():
            sm = app.appbuilder.sm
            officer_name = "ops_log_officer"
            sm.add_user(
                username=officer_name,
                first_name="Ops",
                last_name="Log",
                email="ops_log@example.test",
                role=[sm.find_role("Front Office")],
                password="correct-horse-battery-staple",
            )
            officer_id = sm.find_user(username=officer_name).id
        capsys.readouterr()
        client.get("/readyz", headers={"X-Request-ID": "json-line-1"})
        token = client.post(
            "/api/v1/security/login",
            json={"username": officer_name, "password": "correct-horse-battery-staple", "provider": "db"},
        ).get_json()["access_token"]
        client.get("/api/v1/cases/", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "json-line-2"})
        lines = _lines(capsys.readouterr().err)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    requests = {line["request_id"]: line for line in lines if line["logger"] == "app.request"}
    first = requests["json-line-1"]
    assert first["method"] == "GET" and first["path"] == "/readyz" and first["status"] == 200
    assert first["level"] == "INFO" and first["message"] == "GET /readyz 200"
    assert isinstance(first["duration_ms"], (int, float)) and first["duration_ms"] >= 0
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert "user_id" not in first
    second = requests["json-line-2"]
    assert second["path"] == "/api/v1/cases/" and second["status"] == 200
    assert second["user_id"] == officer_id


def test_text_is_the_default_outside_production(app):
    from app.setup.request_log import log_format

    assert log_format(app) == "text"
    app.config["APP_ENV"] = "production"
    assert log_format(app) == "json"
    app.config["LOG_FORMAT"] = "text"
    assert log_format(app) == "text"


def test_a_request_refused_before_the_hooks_still_gets_an_id(client):
    # A FAB `<pk>` that is no id is a 404 from the URL value preprocessor (app/setup/limits.py).
    rv = client.get("/users/show/not-a-number", headers={"X-Request-ID": "early-404"})
    assert rv.status_code == 404
    assert rv.headers["X-Request-ID"] == "early-404"
