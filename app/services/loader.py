"""Load a service definition (format 1) into the database, and export it back.

A load validates first, then creates or updates the service in place in one
transaction together with its roles and step grants; on any error nothing is
written. Loading the same definition again is a no-op (definition hash).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import audit
from app.core.extensions import db
from app.security.roles import revoke_step_grants, sync_in_transaction
from app.services.definition import FORMAT_VERSION, TIME_KEYS, DefinitionError, ServiceDefinition
from app.services.schema import validate
from app.services.yaml_format import dump, read_file
from models import (
    Case,
    CaseRequirement,
    Executor,
    FormField,
    Requirement,
    Service,
    ServiceComponent,
    ServiceExecutor,
    Step,
)
from models.case import CaseStatus
from models.service import COMPONENT_KEYS

# The shipped service definitions (data, not code): `flask bootstrap` loads them.
SERVICES_DIR = Path(__file__).resolve().parent / "definitions"

# Cases that still sit on their current step (the SLA clock may be stopped).
RUNNING_STATUSES = (CaseStatus.IN_PROGRESS, CaseStatus.RETURNED)

__all__ = ["DefinitionError", "ServiceDefinition", "export", "load", "load_file", "validate"]


def load_file(path: str | Path) -> Service:
    """Read, validate and load one YAML file."""
    return load(*read_file(Path(path)))


def load(data: Any, filename: str) -> Service:
    """Validate `data` and create or update its service; commits, or rolls back on error."""
    definition = validate(data, filename)
    try:
        service = db.session.scalar(select(Service).where(Service.code == definition.code))
        # Compared with what is stored now, so a file reloaded after console edits restores itself.
        if service is not None and _stored_hash(service) == definition.hash:
            return service
        before = _summary(service) if service is not None else None
        old_grants = _step_grants(service) if service is not None else set()
        service = _apply(definition, service)
        db.session.flush()
        sync_in_transaction()
        revoke_step_grants(sorted(old_grants - _step_grants(service)))
        audit.record("service.load", "Service", service.id, before=before, after=_summary(service))
        db.session.commit()
        return service
    except Exception:
        db.session.rollback()
        raise


def _step_grants(service: Service) -> set[tuple[str, str]]:
    """(role name, step permission view) pairs this service's definition grants."""
    return {(e.name, s.permission_view) for s in service.steps for e in s.executors}


def _summary(service: Service) -> dict:
    return {
        "code": service.code,
        "definition_hash": service.definition_hash,
        "steps": len(service.steps),
        "requirements": len(service.requirements),
    }


def _executors(d: ServiceDefinition) -> dict[str, Executor]:
    """Executors are shared across services by code; a clash of names is refused."""
    result = {}
    for i, e in enumerate(d.executors):
        row = db.session.scalar(select(Executor).where(Executor.code == e.code))
        by_name = db.session.scalar(select(Executor).where(Executor.name == e.name))
        if by_name is not None and by_name is not row:
            raise DefinitionError(
                d.filename,
                f"executors[{i}].name",
                _("name '%(name)s' already belongs to executor '%(code)s'", name=e.name, code=by_name.code),
            )
        if row is None:
            row = Executor(code=e.code, name=e.name, applicant=e.applicant)
            db.session.add(row)
        elif row.name != e.name or row.applicant != e.applicant:
            raise DefinitionError(
                d.filename,
                f"executors[{i}]",
                _(
                    "executor '%(code)s' is already defined as '%(name)s' (applicant: %(applicant)s); "
                    "its role is shared by every service, so change it everywhere at once",
                    code=e.code,
                    name=row.name,
                    applicant=str(row.applicant).lower(),
                ),
            )
        result[e.code] = row
    return result


def _running_on(service: Service, step_no: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Case.id)).where(
                Case.service_id == service.id, Case.current_step_no == step_no, Case.status.in_(RUNNING_STATUSES)
            )
        )
        or 0
    )


def _apply(d: ServiceDefinition, service: Service | None) -> Service:
    executors = _executors(d)
    if service is None:
        service = Service(code=d.code)
        db.session.add(service)
    service.name, service.product, service.fee = d.name, d.product, d.fee
    service.completion_working_days, service.number_format = d.completion_working_days, d.number_format
    _set(service, institution=d.institution, certificate_title=d.certificate_title, certificate_body=d.certificate_body)
    service.definition_hash = d.hash

    by_exec = {se.executor.code: se for se in service.service_executors}
    service.service_executors = [
        _set(
            by_exec.get(e.code) or ServiceExecutor(executor=executors[e.code]),
            position=i,
            education=e.education,
            competency_note=e.competency_note,
        )
        for i, e in enumerate(d.executors)
    ]

    by_key = {(c.key, c.position): c for c in service.components}
    service.components = [
        _set(by_key.get((key, pos)) or ServiceComponent(key=key, position=pos), text=text)
        for key in COMPONENT_KEYS
        for pos, text in enumerate(d.standard.get(key, ()))
    ]

    by_code = {r.code: r for r in service.requirements}
    for r in by_code.values():
        if r.code not in {x.code for x in d.requirements} and r.id is not None:
            used = db.session.scalar(
                select(func.count(CaseRequirement.id)).where(CaseRequirement.requirement_id == r.id)
            )
            if used:
                raise DefinitionError(
                    d.filename,
                    "requirements",
                    _(
                        "requirement '%(code)s' is on the checklist of %(n)d case(s) and cannot be removed",
                        code=r.code,
                        n=used,
                    ),
                )
    service.requirements = [
        _set(
            by_code.get(r.code) or Requirement(code=r.code),
            name=r.name,
            required=r.required,
            document=r.document,
            position=i,
        )
        for i, r in enumerate(d.requirements)
    ]

    by_name = {f.name: f for f in service.form_fields}
    service.form_fields = [
        _set(
            by_name.get(f.name) or FormField(name=f.name),
            label=f.label,
            type=f.type,
            required=f.required,
            choices=list(f.choices) if f.choices is not None else None,
            min_value=f.min,
            max_value=f.max,
            max_length=f.max_length,
            position=i,
        )
        for i, f in enumerate(d.form)
    ]

    by_no = {s.no: s for s in service.steps}
    kept = {s.no for s in d.steps}
    for no in sorted(set(by_no) - kept):
        running = _running_on(service, no)
        if running:
            raise DefinitionError(
                d.filename,
                "steps",
                _(
                    "step %(no)d would be removed but %(n)d running case(s) sit on it; finish or move them first",
                    no=no,
                    n=running,
                ),
            )
    service.steps = [
        _set(
            by_no.get(s.no) or Step(no=s.no),
            activity=s.activity,
            short=s.short,
            kind=s.kind,
            input=s.input,
            output=s.output,
            returns_to=s.returns_to,
            executors=[executors[c] for c in s.executors],
            **{k: s.time_value if k == s.time_key else None for k in TIME_KEYS},
        )
        for s in d.steps
    ]
    return service


def _set(row: Any, **values: Any) -> Any:
    """Assign only what differs, so an unchanged row is not marked dirty."""
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    return row


def _document_of(service: Service) -> dict:
    """The service as stored, as a format-1 document (the console may have edited it)."""
    standard: dict[str, list[str]] = {}
    rank = {k: i for i, k in enumerate(COMPONENT_KEYS)}
    for c in sorted(service.components, key=lambda c: (rank.get(c.key, len(rank)), c.key, c.position)):
        standard.setdefault(c.key, []).append(c.text)
    steps = []
    for s in service.steps:
        step = {"no": s.no, "activity": s.activity, "kind": s.kind, "executors": [e.code for e in s.executors]}
        if s.short is not None:
            step["short"] = s.short
        step.update({k: v for k, v in (("input", s.input), ("output", s.output)) if v is not None})
        step.update({k: getattr(s, k) for k in TIME_KEYS if getattr(s, k) is not None})
        if s.returns_to is not None:
            step["returns_to"] = int(s.returns_to) if s.returns_to.isdigit() else s.returns_to
        steps.append(step)
    return {
        "format": FORMAT_VERSION,
        "code": service.code,
        "name": service.name,
        "product": service.product,
        "fee": service.fee,
        "completion_working_days": service.completion_working_days,
        "number_format": service.number_format,
        "standard": standard,
        **({"institution": service.institution} if service.institution not in (None, "required") else {}),
        **(
            {
                "certificate": {
                    k: v for k, v in (("title", service.certificate_title), ("body", service.certificate_body)) if v
                }
            }
            if service.certificate_title or service.certificate_body
            else {}
        ),
        "executors": [_executor_of(se) for se in service.service_executors],
        "requirements": [
            {"code": r.code, "name": r.name, "required": r.required, "document": r.document}
            for r in service.requirements
        ],
        "form": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                **({"choices": f.choices} if f.choices is not None else {}),
                **{
                    k: v
                    for k, v in (("min", f.min_value), ("max", f.max_value), ("max_length", f.max_length))
                    if v is not None
                },
            }
            for f in service.form_fields
        ],
        "steps": steps,
    }


def _executor_of(se: ServiceExecutor) -> dict:
    e = se.executor
    item: dict[str, Any] = {"code": e.code, "name": e.name, "applicant": e.applicant}
    competency = {k: v for k, v in (("education", se.education), ("note", se.competency_note)) if v}
    if competency:
        item["competency"] = competency
    return item


def _stored_hash(service: Service) -> str | None:
    """Hash of what the database holds now; None when console edits left it invalid."""
    try:
        return validate(_document_of(service), service.code).hash
    except DefinitionError:
        return None


def export(code: str) -> str:
    """The service as a format-1 YAML document; loading it gives the same service.

    Raises DefinitionError when edits made outside the loader broke the definition.
    """
    service = db.session.scalar(select(Service).where(Service.code == code))
    if service is None:
        raise LookupError(_("no service with code '%(code)s'", code=code))
    return dump(validate(_document_of(service), f"{code} (database)").to_document())
