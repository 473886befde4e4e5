"""The schema comes from Alembic on both databases, and it matches the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from app.core.extensions import db
from models import Model
from tests.conftest import BACKEND, _pg_admin_engine, _pg_url, pg_database


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with no tables at all (not the bootstrapped template)."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    admin = _pg_admin_engine()
    try:
        with pg_database(admin, "sp_mig") as name:
            yield _pg_url(name)
    finally:
        admin.dispose()


def test_flask_db_upgrade_builds_the_whole_schema_and_it_matches_the_models(empty_database_url, tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url, "INSTANCE_PATH": str(tmp_path)})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(Model.metadata.tables) <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Model.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        db.engine.dispose()


def test_app_start_writes_nothing_to_an_unmigrated_database(empty_database_url, tmp_path):
    """FAB must not create tables behind Alembic's back (FAB_CREATE_DB/UPDATE_PERMS off)."""
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url, "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()
