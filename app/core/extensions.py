"""Extension objects shared by the whole app; bound to an app in `create_app`."""

from __future__ import annotations

from flask import Flask, current_app
from flask_appbuilder import AppBuilder
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate

# One SQLAlchemy object for every model: FAB's security tables and ours share
# FAB's declarative `Model`, so one metadata drives Alembic.
db = get_sqla_class()()
migrate = Migrate()


def appbuilder(app: Flask | None = None) -> AppBuilder:
    """The app's FAB AppBuilder: FAB hangs it on the Flask object untyped, this names its type once."""
    return (app or current_app).appbuilder  # type: ignore[attr-defined]


def real_app() -> Flask:
    """The app behind `current_app`, for work that outlives the request (threads, CLI helpers)."""
    return current_app._get_current_object()  # type: ignore[attr-defined]
