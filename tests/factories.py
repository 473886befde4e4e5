"""Test helpers that open and walk cases through the real engine (no shortcuts).

`new_case(app, **overrides) -> case_id` registers a TD-BKK application;
`advance(app, case_id, to_step_no)` walks it forward with one officer per
executor role (scans uploaded, checklist ticked, BAP 'memenuhi', handover
receipt); `to_step_no` past the last step hands the product over.
`officer(app, make_user, role) -> username` makes a user holding one role.
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from sqlalchemy import insert, select

from app.cases import demo_data, workflow
from app.cases.demo_data import SAMPLE_PDF, sample_form, step_data, walk  # noqa: F401
from app.core.extensions import db
from models import Case, Personnel, Service

PASSWORD = "correct-horse-battery-staple"
SIGNER_NIP = "197001012000031001"


def sample_nik() -> str:
    """A fresh valid NIK (app.core.nik): Pekanbaru (1471), a random district, birth date and serial."""
    n = uuid.uuid4().int
    district, n = n % 99 + 1, n // 99
    day, n = n % 28 + 1 + 40 * (n // 28 % 2), n // 56
    month, n = n % 12 + 1, n // 12
    year, n = n % 100, n // 100
    return f"1471{district:02d}{day:02d}{month:02d}{year:02d}{n % 9999 + 1:04d}"


def sample_applicant(**overrides: Any) -> dict[str, Any]:
    values = {
        "nik": sample_nik(),
        "name": "Siti Rahmawati",
        "phone": "0812-6677-8899",
        "email": "siti@example.test",
        "address": "Jl. Sudirman No. 1, Pekanbaru",
    }
    values.update(overrides)
    return values


def sample_institution(**overrides: Any) -> dict[str, Any]:
    values = {
        "name": "SMK Negeri 2 Pekanbaru",
        "address": "Jl. Pattimura No. 14, Pekanbaru",
        "license_no": "421.5/DISDIK/2019/" + uuid.uuid4().hex[:6],
    }
    values.update(overrides)
    return values


def officer(app, make_user, role: str) -> str:
    """A fresh user holding `role` (first/last name give the card's initials)."""
    return make_user(role, first_name=role.split()[0], last_name="Petugas")


def role_user(app, role: str):
    """One shared officer per role for `advance` (created on first use); the
    Kepala Dinas one has a personnel record, so certificates carry a NIP."""
    sm = app.appbuilder.sm
    username = "wf_" + role.lower().replace(" ", "_")
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(
            username=username,
            first_name=role,
            last_name="Petugas",
            email=f"{username}@example.test",
            role=[sm.find_role(role)],
            password=PASSWORD,
        )
        if role == "Kepala Dinas":
            db.session.add(
                Personnel(name="Dr. H. Kepala Dinas, M.Si", nip=SIGNER_NIP, position="Kepala Dinas", user_id=user.id)
            )
            db.session.commit()
    return user


def new_case(app, service_code: str = "TD-BKK", user: str | None = None, **overrides: Any) -> int:
    """Register an application (by a Front Office officer unless `user` is a username).

    Overrides: applicant=, institution=, form= (whole dicts).
    """
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == service_code))
        actor = app.appbuilder.sm.find_user(username=user) if user else role_user(app, "Front Office")
        case = workflow.create_case(
            service,
            overrides.get("applicant") or sample_applicant(),
            overrides.get("institution") or sample_institution(),
            overrides.get("form") or sample_form(service),
            actor,
        )
        return case.id


def complete_requirements(app, case_id: int) -> None:
    """Store a scan where needed and tick every requirement, as the front office."""
    with app.app_context():
        demo_data.complete_requirements(db.session.get(Case, case_id), role_user(app, "Front Office"))


def advance(app, case_id: int, to_step_no: int) -> None:
    """Forward the case until it waits at `to_step_no` (past the last step: handed over)."""
    with app.app_context():
        walk(case_id, to_step_no, lambda role: role_user(app, role))


def fetch(app, case_id: int) -> dict[str, Any]:
    """The case's state as plain values (status, step, version, card rows)."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        return {
            "status": case.status,
            "step": case.current_step_no,
            "version": case.version,
            "card": len(case.control_card),
            "due_at": case.due_at,
            "paused_at": case.paused_at,
            "step_due_at": case.step_due_at,
        }


def shipped_office_hours() -> list[tuple[int, time, time]]:
    """(weekday, opens, closes) of the shipped office definition, for calendars built without a database."""
    from app.office.definition import OFFICES_DIR, WEEKDAYS
    from app.services.yaml_format import parse

    path = next(iter(sorted(OFFICES_DIR.glob("*.yaml"))))
    hours = parse(path.read_text(encoding="utf-8"), path.name)["office_hours"]
    result = []
    for day, text in hours.items():
        opens, closes = text.split("-")
        result.append((WEEKDAYS.index(day), time.fromisoformat(opens), time.fromisoformat(closes)))
    return sorted(result)


OFFICE_HOURS = shipped_office_hours()


def cases_at_step_kind(app, service_code: str, kind: str, count: int) -> tuple[list[int], str]:
    """`count` cases waiting at the service's first step of `kind`, and an officer of that step.

    One case is walked there by the engine; the others are copies of its row (a walk each
    would take minutes for the hundreds the concurrency and fault tests need).
    """
    template = new_case(app, service_code)
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == service_code))
        step_no = next(s.no for s in service.steps if s.kind == kind)
    advance(app, template, step_no)
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == service_code))
        step = next(s for s in service.steps if s.no == step_no)
        table = Case.__table__
        row = dict(db.session.execute(select(table).where(table.c.id == template)).mappings().one())
        assert row["current_step_no"] == step_no
        row.pop("id")
        copies = [
            {**row, "registration_no": f"{row['registration_no']}-{i:04d}", "tracking_key_hash": None}
            for i in range(1, count)
        ]
        db.session.execute(insert(table), copies)
        db.session.commit()
        ids = list(db.session.scalars(select(Case.id).where(Case.service_id == service.id).order_by(Case.id)))
        username = role_user(app, demo_data.officer_role(step)).username
    assert len(ids) == count
    return ids, username
