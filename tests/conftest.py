"""Fixtures shared by every test (the Flask tutorial's app/client/runner/auth).

Every test runs against a database of its own, cloned from a template that was
migrated with Alembic and bootstrapped once per session: a copied file on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL (made ahead by a thread).
Tests with the default config share one app per process, reset before each
test and pointed at the test's database (`SharedApp`); a test that changes
`app_config` gets an app built from it. Set TEST_DATABASE to
`sqlite` (default) or `postgresql`; PG_URL points at the server.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Apps the tests build with APP_ENV=production (and the gunicorn instances they start) must name a
# signing backend (app/setup/signing.py): none, unless a test configures one (tests/signing/).
os.environ.setdefault("SIGNING_BACKEND", "none")

from app import create_app  # noqa: E402
from app.core.extensions import db  # noqa: E402

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct-horse-battery-staple"

# The browser fixtures (live_server, chromium, browser_page): one definition for every folder.
pytest_plugins = ("tests.browser",)


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


# The longest tests (a browser, a wheel build, several processes, whole matrices) run
# first: with `--dist worksteal` (Makefile) a worker never ends the run alone on one.
LONG_FIRST = (
    "tests/e2e/",
    "tests/shell/test_installed_package.py",
    "tests/console/test_console_matrix.py",
    "tests/security/test_fuzz_routes.py",
    "tests/cases/test_chain_numbering_reminders.py",
    "tests/cases/test_api_flow.py",
    "tests/definitions/test_any_service.py",
    "tests/test_production_install.py",
    "tests/test_migrations.py",
    "tests/api/test_openapi_walk.py",
    "tests/ops/test_worker.py",
)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        if item.get_closest_marker("e2e") or item.get_closest_marker("slow"):
            return 0
        return 1 if item.nodeid.startswith(LONG_FIRST) else 2

    items.sort(key=rank)  # stable: the collected order within each rank


# Refusals the server sent during the run: the permission checks the tests made.
REFUSALS = {"401": 0, "403": 0}


def _count_refusal(sender, response, **extra):
    key = str(response.status_code)
    if key in REFUSALS:
        REFUSALS[key] += 1


def pytest_sessionfinish(session):
    """Under xdist each worker counts its own refusals; they travel to the controller here."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["refusals"] = dict(REFUSALS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller adds up what each worker counted (see pytest_sessionfinish)."""
    for key, count in getattr(node, "workeroutput", {}).get("refusals", {}).items():
        REFUSALS[key] += count


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


class PgClones:
    """Fresh copies of the template database, made ahead and dropped behind.

    `CREATE DATABASE ... TEMPLATE` (~0.1 s) and `DROP DATABASE ... WITH (FORCE)`
    (~0.3 s, mostly waiting on the disk) are the server's work: one thread of this
    process does them while the tests run, so a test only takes a clone that is
    ready. Every test still gets a database nobody has used; each is dropped after it.
    """

    AHEAD = 2  # clones kept ready

    def __init__(self, admin: sa.Engine, template: str) -> None:
        self._admin, self._template = admin, template
        self._ready: list[str] = []
        self._doomed: list[str] = []
        self._error: BaseException | None = None
        self._closing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="pg-clones", daemon=True)
        self._thread.start()

    def take(self) -> str:
        with self._cond:
            self._cond.notify_all()
            while not self._ready and self._error is None:
                self._cond.wait()
            if self._error is not None:
                raise RuntimeError("could not clone the template database") from self._error
            name = self._ready.pop(0)
            self._cond.notify_all()
            return name

    def drop(self, name: str) -> None:
        with self._cond:
            self._doomed.append(name)
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join()
        with self._admin.connect() as conn:
            for name in self._ready + self._doomed:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _work(self) -> None:
        while True:
            with self._cond:
                # A clone first when a test waits for one; drops when nothing is short.
                while not (self._closing or self._error or len(self._ready) < self.AHEAD or self._doomed):
                    self._cond.wait()
                if self._closing or self._error is not None:
                    return
                doomed = None if len(self._ready) < self.AHEAD else self._doomed.pop(0)
            try:
                with self._admin.connect() as conn:
                    if doomed is not None:
                        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{doomed}" WITH (FORCE)'))
                        continue
                    name = f"sp_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
                    conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
                with self._cond:
                    self._ready.append(name)
                    self._cond.notify_all()
            except BaseException as exc:  # reported by take()
                with self._cond:
                    self._error = exc
                    self._cond.notify_all()
                return


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
            clones = PgClones(admin, name)
            try:
                yield {"backend": "postgresql", "name": name, "admin": admin, "clones": clones}
            finally:
                clones.close()
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
    clones = database_template["clones"]
    name = clones.take()
    try:
        yield _pg_url(name)
    finally:
        clones.drop(name)


@pytest.fixture
def app_config(database_url, tmp_path):
    """Overrides for create_app; a test may update it before `app` is built."""
    return {
        "APP_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }


# What every test sets for itself in `app_config`; a test that changes anything else
# (or adds a key) gets an app built from its own config, as before.
PER_TEST_KEYS = frozenset({"SQLALCHEMY_DATABASE_URI", "INSTANCE_PATH", "UPLOAD_DIR"})


class SharedApp:
    """One app per test process for every test with the default config.

    `create_app` costs about half a second (URL rules, FAB and Flask-Admin views),
    so tests that do not customise the config share one app. Before each test it
    is made indistinguishable from a freshly built one: the config as it was right
    after the build (plus the test's database, instance and upload paths), the
    extensions as registered, an engine on the test's own database, empty rate-limit
    counters and a new login throttle.
    """

    app = None
    config: dict = {}
    extensions: dict = {}

    @classmethod
    def get(cls, app_config: dict):
        if cls.app is None:
            cls.app = _new_app(app_config)
            cls.config = copy.deepcopy(dict(cls.app.config))
            cls.extensions = dict(cls.app.extensions)
            return cls.app
        app = cls.app
        app.config.clear()
        app.config.update(copy.deepcopy(cls.config))
        app.config.update({key: app_config[key] for key in PER_TEST_KEYS})
        app.extensions.clear()
        app.extensions.update(cls.extensions)
        _point_engine_at(app, app_config["SQLALCHEMY_DATABASE_URI"])
        for limiter in app.extensions["limiter"]:  # Flask-Limiter keeps a set of them
            limiter.reset()
        from app.setup.auth import LoginThrottle

        app.extensions["sp_login_throttle"] = LoginThrottle(app)
        return app

    @staticmethod
    def shares(app_config: dict) -> bool:
        return {k: v for k, v in app_config.items() if k not in PER_TEST_KEYS} == {"APP_ENV": "test"}


def _new_app(app_config: dict):
    from flask import request_finished

    app = create_app(app_config)
    request_finished.connect(_count_refusal, app)
    return app


def _point_engine_at(app, url: str) -> None:
    """Replace the app's engine by one on `url`, built as Flask-SQLAlchemy's init_app builds it."""
    engines = db._app_engines[app]
    for engine in engines.values():
        engine.dispose()
    engines.clear()
    options = {**db._engine_options, **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "url": url}
    options.setdefault("echo", app.config["SQLALCHEMY_ECHO"])
    options.setdefault("echo_pool", app.config["SQLALCHEMY_ECHO"])
    db._apply_driver_defaults(options, app)
    engines[None] = db._make_engine(None, options, app)


@pytest.fixture
def app(app_config):
    shared = SharedApp.shares(app_config)
    app = SharedApp.get(app_config) if shared else _new_app(app_config)
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
        return self._client.post("/login/", data={"username": username, "password": password, "csrf_token": token})

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
