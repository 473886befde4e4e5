"""Test helpers that open and walk cases through the real engine (no shortcuts).

`new_case(app, **overrides) -> case_id` registers a TD-BKK application;
`advance(app, case_id, to_step_no)` walks it forward with one officer per
executor role (scans uploaded, checklist ticked, BAP 'memenuhi', handover
receipt); `to_step_no` past the last step hands the product over.
`officer(app, make_user, role) -> username` makes a user holding one role.
"""
from __future__ import annotations

import io
import uuid
from typing import Any, Optional

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app import workflow
from app.extensions import db
from app.uploads import store_scan
from models import Case, Personnel, Service

PASSWORD = "correct-horse-battery-staple"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SIGNER_NIP = "197001012000031001"

SAMPLE_VALUES = {
    "text": "Contoh isian",
    "integer": "25",
    "decimal": "48.5",
    "date": "2026-01-05",
    "email": "bkk@example.test",
    "phone": "081234567890",
    "nik": "1471010101900001",
}


def sample_form(service: Service) -> dict[str, Any]:
    """A valid value for every field of the service's form."""
    return {
        field.name: (field.choices[0] if field.type == "choice" else SAMPLE_VALUES[field.type])
        for field in service.form_fields
    }


def sample_applicant(**overrides: Any) -> dict[str, Any]:
    nik = "1471" + uuid.uuid4().int.__str__()[:12].rjust(12, "0")
    values = {"nik": nik, "name": "Siti Rahmawati", "phone": "0812-6677-8899",
              "email": "siti@example.test", "address": "Jl. Sudirman No. 1, Pekanbaru"}
    values.update(overrides)
    return values


def sample_institution(**overrides: Any) -> dict[str, Any]:
    values = {"name": "SMK Negeri 2 Pekanbaru", "address": "Jl. Pattimura No. 14, Pekanbaru",
              "license_no": "421.5/DISDIK/2019/" + uuid.uuid4().hex[:6]}
    values.update(overrides)
    return values


def _user(app, username: str):
    return app.appbuilder.sm.find_user(username=username)


def officer(app, make_user, role: str) -> str:
    """A fresh user holding `role` (first/last name give the card's initials)."""
    return make_user(role, first_name=role.split()[0], last_name="Petugas")


def _role_user(app, role: str):
    """One shared officer per role for `advance` (created on first use)."""
    sm = app.appbuilder.sm
    username = "wf_" + role.lower().replace(" ", "_")
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username=username, first_name=role, last_name="Petugas",
                           email=f"{username}@example.test", role=[sm.find_role(role)], password=PASSWORD)
        if role == "Kepala Dinas":
            db.session.add(Personnel(name="Dr. H. Kepala Dinas, M.Si", nip=SIGNER_NIP, position="Kepala Dinas",
                                     user_id=user.id))
            db.session.commit()
    return user


def new_case(app, service_code: str = "TD-BKK", user: Optional[str] = None, **overrides: Any) -> int:
    """Register an application (by a Front Office officer unless `user` is a username)."""
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == service_code))
        actor = _user(app, user) if user else _role_user(app, "Front Office")
        case = workflow.create_case(
            service,
            overrides.get("applicant") or sample_applicant(),
            overrides.get("institution") or sample_institution(),
            overrides.get("form") or sample_form(service),
            actor,
        )
        return case.id


def step_data(kind: str) -> dict[str, Any]:
    """What forwarding a step of `kind` needs in `data`."""
    if kind == "inspect":
        return {"report": {"date": "2026-01-06", "findings": "Ruangan dan struktur organisasi sesuai.",
                           "recommendation": "memenuhi", "team": ["Andi Saputra", "Rina Marlina"]}}
    if kind == "handover":
        return {"received_by": "Siti Rahmawati", "id_no": "1471010101900001"}
    return {}


def _complete(app, case: Case) -> None:
    fo = _role_user(app, "Front Office")
    for line in case.requirements:
        if line.requirement.document and not line.scans:
            store_scan(line, FileStorage(io.BytesIO(PDF_BYTES), filename="scan.pdf"), fo)
        if not line.checked:
            workflow.check_requirement(case, line.requirement.code, fo, True)


def complete_requirements(app, case_id: int) -> None:
    """Upload a scan where one is needed and tick every requirement (as the front office)."""
    with app.app_context():
        _complete(app, db.session.get(Case, case_id))


def advance(app, case_id: int, to_step_no: int) -> None:
    """Forward the case until it waits at `to_step_no` (past the last step: handed over)."""
    with app.app_context():
        while True:
            case = db.session.get(Case, case_id)
            db.session.refresh(case)
            if case.status not in ("in_progress", "completed", "returned"):
                return
            if case.status != "returned" and case.current_step_no >= to_step_no:
                return
            step = workflow.get_step(case)
            if step.kind == "verify" and case.status != "returned":
                _complete(app, case)
            executor = next(e.name for e in step.executors if not e.applicant) if case.status != "returned" \
                else "Front Office"
            workflow.act(case, _role_user(app, executor), "forward", case.version,
                         note=None, data=step_data(step.kind))
