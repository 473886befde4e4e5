"""The 503 of app/setup/db_errors.py without any server to stop: an app whose database
refuses connections (port 1) answers every page that needs it with a clean 503.

Runs on both backends in a second; tests/faults/test_database_restart.py is the real fault.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time

import pytest
import sqlalchemy as sa
from flask import render_template_string

from app import create_app
from app.core.extensions import db

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


def test_a_database_that_accepts_but_never_answers_is_a_503_within_the_connect_timeout(app_config):
    """A host that stops answering (a partition, not a refused port): a listening socket that never
    speaks. Without a connect timeout each request, /readyz included, would hang for minutes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes the handshake; nobody ever answers
        port = silent.getsockname()[1]
        app = create_app(
            {
                **app_config,
                "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{port}/nothing",
                "DB_CONNECT_TIMEOUT": 1,
            }
        )
        started = time.monotonic()
        answer = app.test_client().get("/readyz")
        waited = time.monotonic() - started
    assert answer.status_code == 503 and answer.json["failed"] == ["database"]
    assert waited < 10, f"/readyz waited {waited:.1f} s for a silent database"


@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE", "sqlite") != "postgresql", reason="kills its own PostgreSQL connection"
)
def test_a_connection_that_dies_mid_page_is_a_503_even_after_code_that_did_without_the_database(app_config):
    """The 15 s outage of the load test found it: a page's first failed query was caught by code that
    can do without the database (the letterhead of the page), and its next query met the session's
    dead transaction: a PendingRollbackError, a 500. Now the caller rolls back, and a dead transaction
    met anyway answers the outage's 503."""
    app = create_app(app_config)

    @app.get("/_test/dies-mid-page")
    def dies_mid_page():
        db.session.execute(sa.text("SELECT 1"))  # a transaction is open on this connection
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with contextlib.suppress(sa.exc.OperationalError):  # code that did without the database, no rollback
            db.session.execute(sa.text("SELECT 1"))
        db.session.execute(sa.text("SELECT 1"))  # PendingRollbackError
        return "unreachable"

    @app.get("/_test/letterhead-then-query")
    def letterhead_then_query():
        db.session.execute(sa.text("SELECT 1"))
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # The letterhead's query fails and falls back; the page's own query then gets a new connection.
        page = render_template_string("{{ office.name }}")
        return f"{page} {db.session.execute(sa.text('SELECT 2')).scalar()}"

    @app.get("/_test/dies-after-page")
    def dies_after_page():
        db.session.execute(sa.text("SELECT 1"))
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "made"  # the page is made; only the end of its transaction meets the dead connection

    # The restart test saw it as a 500 from gunicorn: the teardown's ROLLBACK on a terminated connection.
    answer = app.test_client().get("/_test/dies-after-page")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "made"
    answer = app.test_client().get("/_test/dies-mid-page")
    assert answer.status_code == 503 and "Layanan tidak tersedia" in answer.get_data(as_text=True)
    # The database is back (it never left): the next page of the same process is served.
    assert app.test_client().get("/public/").status_code == 200
    answer = app.test_client().get("/_test/letterhead-then-query")
    assert answer.status_code == 200 and answer.get_data(as_text=True).endswith(" 2")
