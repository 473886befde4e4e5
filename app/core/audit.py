"""The audit log: one call records who did what, from where, with before/after."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_appbuilder.security.sqla.models import User
from flask_login import current_user

from app.core.extensions import db
from models import AuditLog


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any) -> dict:
    """The column values of a model instance, for `before`/`after`."""
    return {c.key: _jsonable(getattr(obj, c.key)) for c in obj.__mapper__.column_attrs}


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    user: User | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction (the caller commits)."""
    if user is None and has_request_context() and getattr(current_user, "is_authenticated", False):
        user = current_user
    ip = None
    if has_request_context():
        ip = request.remote_addr
    row = AuditLog(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=ip,
    )
    db.session.add(row)
    return row
