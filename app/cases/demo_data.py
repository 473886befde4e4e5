"""Sample cases for `flask demo`, walked through the real engine (cards, numbers, SMS).

`walk` is also what the test factories use: one forward per step by an officer
of the step's executor role, uploading scans and ticking the checklist at the
verify step, a 'memenuhi' BAP at the inspect step and a receipt at handover.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.cases import workflow
from app.cases.step_kinds import step_kind
from app.cases.uploads import store_scan
from app.core.extensions import appbuilder, db
from app.core.timezone import office_tz
from models import Case, Service

SAMPLE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SAMPLE_APPLICANTS = [
    ("1471015203850001", "Siti Rahmawati", "081266778899", "SMK Negeri 2 Pekanbaru"),
    ("1471012107790002", "Ahmad Fauzi", "081371234567", "SMK Negeri 4 Pekanbaru"),
    ("1471024408880003", "Dewi Lestari", "085278901234", "SMK Muhammadiyah 1 Pekanbaru"),
    ("1471031011820004", "Rudi Hartono", "081365432198", "SMK Taruna Pekanbaru"),
    ("1471046512900005", "Nurul Hidayah", "082283456789", "SMK Labor Binaan FKIP UNRI"),
    ("1471050303870006", "Budi Santoso", "081277889900", "SMK Negeri 1 Pekanbaru"),
]
SAMPLE_VALUES = {
    "text": "Contoh isian",
    "integer": "25",
    "decimal": "48.5",
    "date": "2026-01-05",
    "email": "bkk@example.test",
    "phone": "081234567890",
    "nik": "1471010101900001",
}
# (stop at step, how): a few cases at different steps, one late, one completed.
PLAN = [(1, None), (2, None), (3, "late"), (5, None), (10, None), (8, None), (11, None), (2, "returned")]


def sample_form(service: Service) -> dict[str, Any]:
    """A valid value for every field of the service's form."""
    return {
        f.name: ((f.choices or [""])[0] if f.type == "choice" else SAMPLE_VALUES[f.type]) for f in service.form_fields
    }


def step_data(kind: str, applicant_name: str = "Penerima", id_no: str = "1471010101900001") -> dict[str, Any]:
    """What forwarding a step of `kind` needs in `data`, by the needs its kind declares."""
    needs = step_kind(kind).needs
    data: dict[str, Any] = {}
    if "bap" in needs:
        # Inspected today (office time), as a team that just came back would report it.
        data["report"] = {
            "date": datetime.now(office_tz()).date().isoformat(),
            "findings": "Ruangan, struktur organisasi dan rencana penempatan sesuai persyaratan.",
            "recommendation": "memenuhi",
            "team": ["Andi Saputra", "Rina Marlina"],
        }
    if "receipt" in needs:
        data.update(received_by=applicant_name, id_no=id_no)
    if "confirm" in needs:
        data["confirm"] = True  # the signer read the KONSEP
    return data


def complete_requirements(case: Case, officer: Any) -> None:
    """Store a scan where a requirement needs one, then tick every line."""
    for line in case.requirements:
        if line.requirement.document and not line.scans:
            store_scan(line, FileStorage(io.BytesIO(SAMPLE_PDF), filename=f"{line.requirement.code}.pdf"), officer)
        if not line.checked:
            workflow.check_requirement(case, line.requirement.code, officer, True)


def officer_role(step: Any) -> str:
    """The role an officer (not the applicant) acts in on `step`."""
    return next(e.name for e in step.executors if not e.applicant)


def counter_role(service: Service) -> str:
    """The officers' role that registers applications at the counter: the service's intake step."""
    return officer_role(service.steps[0])


def walk(case_id: int, to_step_no: int, actor: Callable[[str], Any]) -> Case:
    """Forward the case until it waits at `to_step_no` (past the last step: handed over).

    `actor(role_name)` returns the user acting for that executor role.
    """
    while True:
        case = db.session.get(Case, case_id)
        db.session.refresh(case)
        if case.status not in ("in_progress", "completed") or case.current_step_no >= to_step_no:
            return case
        step = workflow.get_step(case)
        if step is None:
            return case
        role = officer_role(step)
        if "checklist" in step_kind(step).needs:
            complete_requirements(case, actor(role))
        workflow.act(
            case,
            actor(role),
            "forward",
            case.version,
            data=step_data(step.kind, case.applicant.name, case.applicant.nik),
        )


def _actor_lookup() -> Callable[[str], Any]:
    """The first active holder of a role, else an administrator (who holds every step)."""
    from flask import current_app

    sm = appbuilder().sm

    def find(role_name: str) -> Any:
        for name in (role_name, current_app.config.get("AUTH_ROLE_ADMIN", "Admin")):
            role = sm.find_role(name)
            users = [u for u in (role.user if role else []) if u.active]
            if users:
                return sorted(users, key=lambda u: u.id)[0]
        raise RuntimeError(f"no active user holds the role {role_name!r} (nor Admin): create the accounts first")

    return find


def create_sample_cases(n: int = 6, service_code: str = "TD-BKK") -> list[int]:
    """Open `n` sample cases at different steps; returns their ids."""
    service = db.session.scalar(select(Service).where(Service.code == service_code))
    if service is None:
        raise RuntimeError(f"service {service_code} is not loaded")
    actor = _actor_lookup()
    ids = []
    for index in range(n):
        nik, name, phone, school = SAMPLE_APPLICANTS[index % len(SAMPLE_APPLICANTS)]
        stop, how = PLAN[index % len(PLAN)]
        form = sample_form(service)
        institution = (
            None
            if service.institution == "none"
            else {"name": school, "address": "Pekanbaru", "license_no": f"421.5/DISDIK/{2015 + index}/{index + 1:03d}"}
        )
        case = workflow.create_case(
            service,
            {"nik": nik, "name": name, "phone": phone, "email": None, "address": "Jl. Sudirman, Pekanbaru"},
            institution,
            form,
            actor(counter_role(service)),
        )
        case = walk(case.id, stop, actor)
        if how == "late":
            _backdate(case, days=10)
        step = workflow.get_step(case)
        if how == "returned" and case.status == "in_progress" and step is not None and step.returns_to:
            workflow.act(
                case,
                actor(officer_role(step)),
                "return",
                case.version,
                note="Berkas persyaratan belum lengkap; mohon dilengkapi.",
            )
        ids.append(case.id)
    return ids


def _backdate(case: Case, days: int) -> None:
    """Move a demo case's clock back so it shows as late (no control-card row is touched)."""
    shift = timedelta(days=days)
    for attr in ("received_at", "due_at", "step_received_at", "step_due_at"):
        value = getattr(case, attr)
        if value is not None:
            setattr(case, attr, value - shift)
    db.session.commit()
