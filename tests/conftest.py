"""Fixtures shared by every test (the Flask tutorial's app/client/runner/auth).

Every test runs against a database of its own, cloned from a template that was
migrated with Alembic and bootstrapped once per session: a copied file on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. Set TEST_DATABASE to
`sqlite` (default) or `postgresql`; PG_URL points at the server.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.core.extensions import db  # noqa: E402

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct-horse-battery-staple"


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


# Refusals the server sent during the run: the permission checks the tests made.
REFUSALS = {"401": 0, "403": 0}


def _count_refusal(sender, response, **extra):
    key = str(response.status_code)
    if key in REFUSALS:
        REFUSALS[key] += 1


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"permission checks refused by the server: {REFUSALS['403']} x 403, {REFUSALS['401']} x 401"
    )


def _pg_admin_engine():
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@contextmanager
def pg_database(admin: sa.Engine, prefix: str, template: str | None = None) -> Iterator[str]:
    """A PostgreSQL database of its own (a copy of `template` if given), dropped on exit; yields its name."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _build_template(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from app.core.bootstrap import bootstrap

    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance)})
    with app.app_context():
        upgrade()
        bootstrap()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate and bootstrap one template database for the session."""
    base = tmp_path_factory.mktemp("db")
    if BACKEND == "sqlite":
        path = base / "template.sqlite"
        _build_template(f"sqlite:///{path}", base)
        yield {"backend": "sqlite", "path": path}
        return
    if BACKEND != "postgresql":
        raise pytest.UsageError(f"TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")
    admin = _pg_admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.exit(f"PostgreSQL unreachable at {PG_ADMIN_URL} with CI=true: {exc}", returncode=3)
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    try:
        with pg_database(admin, "sp_tmpl") as name:
            _build_template(_pg_url(name), base)
            yield {"backend": "postgresql", "name": name, "admin": admin}
    finally:
        admin.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    """A fresh database for one test, cloned from the template."""
    if database_template["backend"] == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copyfile(database_template["path"], path)
        yield f"sqlite:///{path}"
        return
    with pg_database(database_template["admin"], "sp_t", template=database_template["name"]) as name:
        yield _pg_url(name)


@pytest.fixture
def app_config(database_url, tmp_path):
    """Overrides for create_app; a test may update it before `app` is built."""
    return {
        "APP_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }


@pytest.fixture
def app(app_config):
    from flask import request_finished

    app = create_app(app_config)
    request_finished.connect(_count_refusal, app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user holding the named roles; returns the username."""

    def _make(*roles: str, username: str | None = None, first_name: str = "Uji", last_name: str | None = None) -> str:
        sm = app.appbuilder.sm
        username = username or "u_" + uuid.uuid4().hex[:10]
        with app.app_context():
            role_objs = []
            for name in roles:
                role = sm.find_role(name)
                assert role is not None, f"role {name!r} does not exist"
                role_objs.append(role)
            user = sm.add_user(
                username=username,
                first_name=first_name,
                last_name=last_name or username,
                email=f"{username}@example.test",
                role=role_objs,
                password=PASSWORD,
            )
            assert user, f"could not create user {username}"
        return username

    return _make


def count_rows(app, model) -> int:
    """How many rows the model's table holds now (what a refused request must leave unchanged)."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form served at `url`."""
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token in {url}"
    return match.group(1) or match.group(2)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self._client, "/login/")
        return self._client.post(
            "/login/", data={"username": username, "password": password, "csrf_token": token}
        )

    def logout(self):
        return self._client.get("/logout/")

    def token(self, username: str, password: str = PASSWORD) -> dict:
        """Authorization header for the JSON API (JWT from FAB's login)."""
        rv = self._client.post(
            "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db"},
        )
        assert rv.status_code == 200, rv.get_data(as_text=True)
        return {"Authorization": f"Bearer {rv.json['access_token']}"}


@pytest.fixture
def auth(client):
    return AuthActions(client)
