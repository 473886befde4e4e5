"""/healthz and /readyz as the proxy in front of the instances sees them."""

from __future__ import annotations

import pytest

from app import create_app
from app.core.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_PORT = 1  # nothing listens there: a refused connection, at once


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_healthz_answers_ok_without_session_or_login(client):
    rv = client.get("/healthz")
    assert rv.status_code == 200
    assert rv.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in rv.headers
    assert rv.headers["Cache-Control"] == "no-store"


def test_readyz_reports_each_check_ok(client):
    rv = client.get("/readyz")
    assert rv.status_code == 200, rv.get_data(as_text=True)
    assert rv.get_json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}
    assert "Set-Cookie" not in rv.headers


def test_probes_are_neither_rate_limited_nor_csrf_checked(client):
    for _ in range(60):
        assert client.get("/healthz").status_code == 200
    # No CSRF token: a probe only reads; a POST is refused as a method, never as a CSRF failure.
    assert client.post("/readyz").status_code == 405


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(app_config):
    app = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{CLOSED_PORT}/x"}
    )
    client = app.test_client()
    try:
        # Alive, though not ready: the proxy takes it out of the pool rather than restarting it.
        assert client.get("/healthz").status_code == 200
        rv = client.get("/readyz")
        assert rv.status_code == 503
        body = rv.get_json()
        assert body["status"] == "fail"
        assert body["failed"] == ["database"]
        assert body["checks"]["storage"] == "ok"
        # Nothing about where the database is or how it failed.
        text = rv.get_data(as_text=True)
        assert str(CLOSED_PORT) + "/" not in text and "postgres" not in text and "refused" not in text.lower()
    finally:
        _dispose(app)


def test_readyz_pings_the_configured_redis(app_config):
    app = create_app({**app_config, "REDIS_URL": REDIS_URL})
    try:
        rv = app.test_client().get("/readyz")
        assert rv.status_code == 200, rv.get_data(as_text=True)
        assert rv.get_json()["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}
    finally:
        _dispose(app)


def test_readyz_is_503_naming_redis_when_it_does_not_answer(app_config):
    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{CLOSED_PORT}/0"})
    try:
        rv = app.test_client().get("/readyz")
        assert rv.status_code == 503
        assert rv.get_json()["failed"] == ["redis"]
        assert rv.get_json()["checks"]["database"] == "ok"
        assert "127.0.0.1" not in rv.get_data(as_text=True)
    finally:
        _dispose(app)


def test_readyz_is_503_naming_storage_when_scans_cannot_be_written(app_config, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the scan folder should be")
    app = create_app({**app_config, "UPLOAD_DIR": str(blocker)})
    try:
        rv = app.test_client().get("/readyz")
        assert rv.status_code == 503
        assert rv.get_json()["failed"] == ["storage"]
    finally:
        _dispose(app)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_tell_no_version(client, path):
    rv = client.get(path)
    text = rv.get_data(as_text=True).lower()
    assert "version" not in text and "flask" not in text and "0.1.0" not in text
