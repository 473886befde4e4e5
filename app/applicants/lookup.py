"""The counter's search for a returning applicant by NIK (`cases.register` only).

Exact NIK only (checked like everywhere, app.core.nik): no partial match, so the
search cannot list people. The NIK travels in a POST body, never in a URL; the
answer names the applicant record by id (the application form is prefilled from
`?applicant=<id>`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.applicants.profiles import counter_institutions
from app.cases.access import pending_claim, visible_filter
from app.core.extensions import db
from app.core.nik import nik_problem
from models import Applicant, Case, Service
from models.applicants import InstitutionProfile

NIK_MAX_CHARS = 40


@dataclass
class Found:
    """The answer to one search: the record (or None), what the counter may see of it."""

    nik: str
    applicant: Applicant | None = None
    cases: list[Case] = field(default_factory=list)
    institutions: list[Any] = field(default_factory=list)
    profiles: list[InstitutionProfile] = field(default_factory=list)
    account: Any = None  # the linked login
    claimant: Any = None  # the online account waiting for the identity check


def check_nik(raw: Any) -> tuple[str, str | None]:
    text = "".join(str(raw or "").split())
    if len(text) > NIK_MAX_CHARS:
        return "", nik_problem("x")
    return text, nik_problem(text)


def search(nik: str, user: User) -> Found:
    found = Found(nik=nik)
    applicant = db.session.scalar(select(Applicant).where(Applicant.nik == nik))
    if applicant is None:
        return found
    found.applicant = applicant
    found.cases = list(
        db.session.scalars(
            select(Case)
            .where(Case.applicant_id == applicant.id, visible_filter(user))
            .order_by(Case.id.desc())
            .limit(50)
        )
    )
    found.institutions = counter_institutions(applicant)
    sm_user = applicant.user
    found.account = sm_user
    if sm_user is not None:
        found.profiles = list(
            db.session.scalars(select(InstitutionProfile).where(InstitutionProfile.user_id == sm_user.id))
        )
    claimant_id = pending_claim(applicant)
    if claimant_id is not None:
        from flask import current_app

        found.claimant = current_app.appbuilder.sm.get_user_by_id(claimant_id)  # type: ignore[attr-defined]
    return found


def counter_services(user: User) -> list[Service]:
    """The active services whose first step the user holds (where a new application can be started)."""
    from app.security.roles import user_can_act

    services = db.session.scalars(select(Service).where(Service.active).order_by(Service.code)).all()
    return [s for s in services if s.steps and user_can_act(user, s.steps[0])]
