"""The 503 of app/setup/db_errors.py without any server to stop: an app whose database
refuses connections (port 1) answers every page that needs it with a clean 503.

Runs on both backends in a second; tests/faults/test_database_restart.py is the real fault.
"""

from __future__ import annotations

import pytest

from app import create_app

DEAD = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=1"


@pytest.fixture
def dead_app(app_config):
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": DEAD})


def test_api_answers_json_503_with_retry_after(dead_app):
    answer = dead_app.test_client().get("/api/v1/cases/", headers={"Authorization": "Bearer x.y.z"})
    assert answer.status_code == 503
    assert answer.json == {"message": "Layanan tidak dapat menjawab sekarang. Tidak ada yang diubah; coba lagi nanti."}
    assert answer.headers["Retry-After"] == "5"
    login = dead_app.test_client().post(
        "/api/v1/security/login", json={"username": "petugas", "password": "x" * 12, "provider": "db"}
    )
    assert login.status_code == 503 and set(login.json) == {"message"}


def test_pages_answer_the_error_page_never_a_trace(dead_app):
    client = dead_app.test_client()
    for url in ("/public/", "/"):
        answer = client.get(url)
        body = answer.get_data(as_text=True)
        assert answer.status_code == 503, url
        assert "Layanan tidak tersedia" in body and "Traceback" not in body and "psycopg" not in body


def test_readyz_names_the_database(dead_app):
    answer = dead_app.test_client().get("/readyz")
    assert answer.status_code == 503 and "database" in answer.json["failed"]
    assert dead_app.test_client().get("/healthz").status_code == 200
