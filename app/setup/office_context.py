"""`office` in every page template: the loaded office definition's name and contact lines."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.core.extensions import db
from app.office.definition import OfficeInfo, current_office, fallback_office


def _office() -> dict[str, OfficeInfo]:
    try:
        return {"office": current_office()}
    except SQLAlchemyError:
        # An error page must still render when the database is what failed. Roll back, or the
        # page's next query meets a session stuck in its dead transaction (PendingRollbackError,
        # a 500) instead of the outage itself (a 503): seen in the 15 s outage of the load test.
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()
        return {"office": fallback_office()}


def init_app(app: Flask) -> None:
    app.context_processor(_office)
