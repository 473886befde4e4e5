"""Helpers shared by the console tests."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import csrf_token


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def post_form(client, form_url: str, data: dict, post_url: str | None = None):
    """POST like a browser: the token comes from the form page itself."""
    token = csrf_token(client, form_url)
    return client.post(post_url or form_url, data={**data, "csrf_token": token})
