"""Helpers for the officer screens' tests: log in as a role, read a case back."""

from __future__ import annotations

import re

import pytest

from app.core.extensions import db
from models import Case
from tests.factories import officer


@pytest.fixture
def login_as(app, auth, make_user):
    """Log the test client in as a fresh user holding `role`; returns the username."""

    def _login(role: str) -> str:
        username = officer(app, make_user, role)
        auth.logout()
        rv = auth.login(username)
        assert rv.status_code == 302, f"login as {role} failed"
        return username

    return _login


@pytest.fixture
def load_case(app):
    """The case as stored now: (status, step no, version, control card rows)."""

    def _load(case_id: int) -> tuple[str, int, int, int]:
        with app.app_context():
            case = db.session.get(Case, case_id)
            return case.status, case.current_step_no, case.version, len(case.control_card)

    return _load


def csrf_from(rv) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', rv.get_data(as_text=True))
    assert match, "no csrf_token on the page"
    return match.group(1)
