"""Behind a reverse proxy the audit log and rate limits see the visitor, not the proxy."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from app import create_app
from app.core.extensions import db
from models import AuditLog
from tests.conftest import PASSWORD, AuthActions, csrf_token


def _admin(app) -> str:
    """An Admin user in this test's own app (the `make_user` fixture serves another instance)."""
    name = "u_" + uuid.uuid4().hex[:10]
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(name, "Uji", name, f"{name}@example.test", [sm.find_role("Admin")], PASSWORD)
    return name


@pytest.mark.parametrize("hops, seen", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_forwarded_address_is_trusted_only_when_configured(app_config, hops, seen):
    app = create_app({**app_config, "PROXY_FIX_HOPS": hops})
    client = app.test_client()
    AuthActions(client).login(_admin(app))
    token = csrf_token(client, "/admin/console_holiday/new/")
    rv = client.post(
        "/admin/console_holiday/new/",
        headers={"X-Forwarded-For": "203.0.113.7"},
        data={"date": date(2026, 12, 31).isoformat(), "name": "Uji", "kind": "national", "csrf_token": token},
    )
    assert rv.status_code == 302
    with app.app_context():
        row = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "Holiday")).one()
        assert row.ip == seen
