"""Fixtures of the public pages: a case whose tracking key we know, survey links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.cases import workflow
from app.core.extensions import db
from app.survey import ikm as survey
from models import Case, Service
from tests.factories import role_user, sample_applicant, sample_form, sample_institution

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="[^"]+"')


@pytest.fixture
def tracked_case(app):
    """(registration number, tracking key) of a fresh TD-BKK application."""
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        case = workflow.create_case(
            service,
            sample_applicant(name="Siti Rahasia"),
            sample_institution(),
            sample_form(service),
            role_user(app, "Front Office"),
        )
        return case.registration_no, case.tracking_key


@pytest.fixture
def invitation(app, tracked_case):
    """A one-time survey token for the tracked case."""
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.registration_no == tracked_case[0]))
        token = survey.create_invitation(case)
        db.session.commit()
        return token


def without_csrf(html: str) -> str:
    """The page with its CSRF token blanked: the token depends on the session, not the answer."""
    return TOKEN_RE.sub('name="csrf_token" value=""', html)
