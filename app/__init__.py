"""SP-Backoffice: the application factory."""

from __future__ import annotations

import importlib
import os
import pkgutil
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder

from app.core.extensions import db, migrate
from config import DEFAULT_SECRET_KEY, Config, TestConfig


class ConfigurationError(RuntimeError):
    """The app refuses to start with this configuration."""


def _check_config(app: Flask) -> None:
    env = app.config["APP_ENV"]
    unset = app.config["SECRET_KEY"] in {DEFAULT_SECRET_KEY, "", None}
    if unset and env in {"demo", "development"}:
        # The default key is published in this repository: anyone could sign an
        # Admin session with it. A demo keeps a random key of its own instead.
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.config["INSTANCE_PATH"]))
    elif unset and env != "test":
        raise ConfigurationError(f"SECRET_KEY must be set to a long random value when APP_ENV={env}")
    if len(app.config["SECRET_KEY"] or "") < 16 and env == "production":
        raise ConfigurationError("SECRET_KEY is too short for production")
    public_url = str(app.config.get("PUBLIC_BASE_URL") or "").strip()
    if env == "production" and not public_url.startswith(("https://", "http://")):
        # Printed on receipts and certificate QR codes: a request's Host header must not decide it.
        raise ConfigurationError(
            "PUBLIC_BASE_URL must be set when APP_ENV=production: the site's public address "
            "(e.g. https://layanan.example.go.id) printed on receipts, survey links and certificate QR codes"
        )
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if env == "production" and storage.startswith("memory://"):
        # Per-process counters: with `gunicorn -w 4` every worker would allow its own
        # quota of failed logins, and each instance again.
        raise ConfigurationError(
            "RATELIMIT_STORAGE_URI=memory:// keeps login throttling per worker process; "
            "set RATELIMIT_STORAGE_URI=redis://HOST:6379/0 (shared by every worker and instance) "
            "when APP_ENV=production"
        )


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in instance/secret_key (mode 0600), made on first use."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _register_modules(package: str, hook: str, *args: Any) -> None:
    """Call `hook(*args)` of every module in `package` that defines it.

    Each screen family and each CLI group lives in its own module and registers
    itself, so adding one never edits a shared list.
    """
    pkg = importlib.import_module(package)
    # Sub-packages group a domain's screens (views/cases/, views/public/, ...); the
    # walk goes into them, in name order, so menus keep a stable order.
    for info in sorted(pkgutil.walk_packages(pkg.__path__, f"{package}."), key=lambda m: m.name):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        func = getattr(module, hook, None)
        if callable(func):
            func(*args)


def _database_timeouts(app: Flask) -> None:
    """A PostgreSQL host that stops answering (a partition, not a refused port) would hold each
    request, and /readyz, for the system's TCP timeout (minutes); bound the connect instead, so
    they answer 503 in seconds (app/setup/db_errors.py)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", int(app.config.get("DB_CONNECT_TIMEOUT", 5)))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def create_app(config: type | Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` is a Config class or a mapping of overrides."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(Config)
    if isinstance(config, type):
        app.config.from_object(config)
    elif config is not None:
        if config.get("APP_ENV") == "test" or config.get("TESTING"):
            app.config.from_object(TestConfig)
        app.config.update(config)
    _check_config(app)
    _database_timeouts(app)

    from app.security.manager import SecurityManager
    from app.security.roles import check_declarations

    db.init_app(app)
    import models  # noqa: F401  (registers every table on the metadata)

    migrate.init_app(app, db, directory=str(_migrations_dir()))
    appbuilder = AppBuilder(security_manager_class=SecurityManager, update_perms=False)
    with app.app_context():
        appbuilder.init_app(app, db.session)
        _register_modules("app.setup", "init_app", app)
        _register_modules("views", "register", appbuilder)
        appbuilder.post_init()
        check_declarations(appbuilder)
    _register_modules("app.commands", "register", app)
    return app


def _migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"
