"""What production refuses or chooses for several instances."""

from __future__ import annotations

import pytest

from app import ConfigurationError, create_app
from app.core.extensions import db

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "p" * 48,
    "PUBLIC_BASE_URL": "https://layanan.example.test",
}


def test_production_refuses_the_per_process_rate_limit_storage(app_config):
    with pytest.raises(ConfigurationError) as refused:
        create_app({**app_config, **PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://"})
    message = str(refused.value)
    assert "RATELIMIT_STORAGE_URI" in message and "redis://" in message


def test_production_with_redis_starts_and_logs_json(app_config):
    import logging

    from app.setup.request_log import StderrHandler, log_format

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    app = create_app({**app_config, **PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    try:
        assert log_format(app) == "json"
        assert any(isinstance(h, StderrHandler) for h in root.handlers)
        rv = app.test_client().get("/readyz")
        assert rv.status_code == 200
        assert rv.get_json()["checks"]["redis"] == "ok"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        for handler in list(root.handlers):
            if isinstance(handler, StderrHandler):
                root.removeHandler(handler)
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)


def test_database_urls_as_platforms_write_them_use_psycopg():
    from config import _database_url

    assert _database_url("postgresql://u@h:5432/d") == "postgresql+psycopg://u@h:5432/d"
    assert _database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _database_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"
