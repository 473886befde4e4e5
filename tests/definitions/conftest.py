"""Helpers of the definitions tests: the shipped TD-BKK document, YAML files, table dumps."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.services.loader import SERVICES_DIR
from app.services.yaml_format import dump, parse
from models import Model

TD_BKK = SERVICES_DIR / "td-bkk.yaml"
# Everything a service load or a role sync may write.
TABLES = (
    "service",
    "service_component",
    "executor",
    "service_executor",
    "requirement",
    "form_field",
    "step",
    "step_executor",
    "ab_role",
    "ab_permission",
    "ab_view_menu",
    "ab_permission_view",
    "ab_permission_view_role",
    "audit_log",
    "office",
    "office_hours",
)


@pytest.fixture
def td_bkk_doc() -> dict:
    """A fresh deep copy of the shipped TD-BKK definition, to mutate."""
    return copy.deepcopy(parse(TD_BKK.read_text(encoding="utf-8"), TD_BKK.name))


@pytest.fixture
def write_yaml(tmp_path):
    """write_yaml(document or text, name) -> path of a YAML file in the test's directory."""

    def _write(document, name: str = "service.yaml") -> Path:
        path = tmp_path / name
        path.write_text(document if isinstance(document, str) else dump(document), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def dump_tables(app):
    """dump_tables() -> {table: sorted rows}: a full picture of every table a load may touch."""

    def _dump() -> dict:
        with app.app_context():
            meta = Model.metadata
            out = {}
            for name in TABLES:
                rows = db.session.execute(sa.select(meta.tables[name])).all()
                out[name] = sorted(repr(tuple(r)) for r in rows)
            db.session.rollback()
            return out

    return _dump
