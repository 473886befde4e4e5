"""JSON API of cases under /api/v1/cases (DESIGN.md "JSON API").

FAB's `protect` only admits roles holding the class pair (opened below by
capabilities); the real gate is the engine's step-level check. Every error
is JSON {"message": ...}; 422 adds {"errors": {field: message}}: the engine's
WorkflowError reaches the API's DomainError handler (views/api/base.py).
"""

from __future__ import annotations

from typing import Any

from flask import g, request, send_file
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cases import workflow
from app.cases.uploads import open_scan, store_scan
from app.core.extensions import db
from app.core.parsing import MAX_ID, bounded_int
from app.security import capabilities as cap
from app.security.capabilities import has_capability
from models import Case, CaseRequirement, RequirementScan, Service
from models.case import CaseStatus
from views.api.base import JsonApi


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def case_summary(case: Case, user: User | None = None) -> dict[str, Any]:
    shown = user is None or workflow.sees_applicant_details(case, user)
    return {
        "id": case.id,
        "registration_no": case.registration_no,
        "service": case.service.code,
        "status": case.status,
        "status_label": CaseStatus.label_of(case.status),
        "step": case.current_step_no,
        "due_at": _iso(case.due_at),
        "step_due_at": _iso(case.step_due_at),
        "version": case.version,
        "applicant": case.applicant.name if shown else None,
        "institution": case.institution.name if case.institution else None,
    }


def _form_values(case: Case, reveal: bool) -> dict[str, Any]:
    """The application form; NIK fields masked like the applicant's own."""
    if reveal:
        return case.form_data
    niks = {f.name for f in case.service.form_fields if f.type == "nik"}
    return {k: workflow.mask_nik(str(v)) if k in niks and v else v for k, v in (case.form_data or {}).items()}


def case_detail(case: Case, user: User) -> dict[str, Any]:
    data = case_summary(case, user)
    reveal = workflow.reveals_nik(user, case)
    officers = not workflow.is_applicant_user(user)
    if workflow.sees_applicant_details(case, user):
        person = case.applicant
        data["applicant_details"] = {
            "nik": person.nik if reveal else workflow.mask_nik(person.nik),
            "name": person.name,
            "phone": person.phone,
            "email": person.email,
            "address": person.address,
        }
    else:
        data["applicant_details"] = None
    if has_capability(user, cap.CASES_REGISTER):
        data["identity_warnings"] = workflow.identity_warnings(case)
        data["identity_pending"] = workflow.pending_claim(case.applicant) is not None
    data.update(
        {
            "received_at": _iso(case.received_at),
            "certificate_no": case.certificate.number if case.certificate else None,
            "allowed_actions": workflow.allowed_actions(case, user),
            "form": _form_values(case, reveal),
            "requirements": [
                {
                    "code": line.requirement.code,
                    "name": line.requirement.name,
                    "required": line.requirement.required,
                    "document": line.requirement.document,
                    "checked": line.checked,
                    "note": line.note,
                    "scans": [
                        {
                            "id": s.id,
                            "name": s.original_name,
                            "size": s.size,
                            "mime_type": s.mime_type,
                            "sha256": s.sha256,
                            "uploaded_at": _iso(s.uploaded_at),
                        }
                        for s in line.scans
                    ],
                }
                for line in case.requirements
            ],
            "control_card": [
                {
                    "seq": e.seq,
                    "step": e.step_no,
                    "kind": e.step_kind,
                    "role": e.role,
                    # An applicant account reads the card without the officers' names and initials.
                    "officer": e.officer_name if officers else None,
                    "initial": e.officer_initial if officers else None,
                    "acting_as": e.acting_as,
                    "received_at": _iso(e.received_at),
                    "acted_at": _iso(e.acted_at),
                    "outcome": e.outcome,
                    "note": e.note,
                    "standard_minutes": e.standard_minutes,
                    "spent_minutes": e.spent_minutes,
                    "late": e.late,
                }
                for e in case.control_card
            ],
        }
    )
    return data


class CaseApi(JsonApi):
    """Cases: register, worklist, detail, checklist and scans, actions."""

    resource_name = "cases"
    class_permission_name = "Cases API"
    method_permission_name = {
        "create": "post",
        "worklist": "get",
        "show": "get",
        "requirement": "put",
        "act": "put",
        "scan": "get",
        "document": "get",
        "confirm_identity": "post",
    }
    capability_grants = {
        "can_get": [cap.CASES_WORK, cap.CASES_READ_ALL],
        "can_post": [cap.CASES_REGISTER, cap.CASES_APPLY],
        "can_put": [cap.CASES_WORK],
    }

    def _case(self, case_id: int) -> Case:
        case = db.session.get(Case, case_id)
        if case is None or not workflow.can_view(case, g.user):
            raise workflow.WorkflowError(404, _("Case not found."))
        return case

    @expose("/", methods=["POST"])
    @protect()
    def create(self):
        """Register an application; 201 with the case and its tracking key (shown once)."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(_("Send a JSON object."))
        service = db.session.scalar(select(Service).where(Service.code == str(body.get("service") or "")))
        if service is None:
            raise workflow.WorkflowError(422, _("Unknown service."), {"service": _("Unknown service.")})
        case = workflow.create_case(service, body.get("applicant"), body.get("institution"), body.get("form"), g.user)
        key = case.tracking_key
        result = case_detail(case, g.user)
        result["tracking_key"] = key
        result["warnings"] = case.identity_warnings
        return self.response(201, **result)

    @expose("/", methods=["GET"])
    @protect()
    def worklist(self):
        """The caller's worklist: cases whose current step the caller may act on, late first."""
        query = workflow.worklist_query(
            g.user, status=request.args.get("status") or None, service_code=request.args.get("service") or None
        )
        cases = db.session.scalars(query.limit(500)).unique().all()
        return self.response(200, count=len(cases), result=[case_summary(c, g.user) for c in cases])

    @expose("/<int:case_id>", methods=["GET"])
    @protect()
    def show(self, case_id: int):
        """One case with its checklist and control card."""
        case = self._case(case_id)
        db.session.scalars(
            select(CaseRequirement)
            .where(CaseRequirement.case_id == case.id)
            .options(selectinload(CaseRequirement.requirement), selectinload(CaseRequirement.scans))
        ).all()
        return self.response(200, **case_detail(case, g.user))

    @expose("/<int:case_id>/requirements/<code>", methods=["POST"])
    @protect()
    def requirement(self, case_id: int, code: str):
        """JSON {checked, note} ticks a checklist line; multipart `file` stores its scan."""
        case = self._case(case_id)
        if request.files or (request.mimetype or "").startswith("multipart/"):
            scan = store_scan(workflow.find_requirement(case, code), request.files.get("file"), g.user)
            return self.response(
                201, id=scan.id, name=scan.original_name, size=scan.size, sha256=scan.sha256, mime_type=scan.mime_type
            )
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("checked"), bool):
            return self.response_400(_('Send {"checked": true|false, "note": "..."}.'))
        note = body.get("note")
        if note is not None and not isinstance(note, str):
            return self.response_400(_('Send {"checked": true|false, "note": "..."}.'))
        line = workflow.check_requirement(case, code, g.user, body["checked"], note)
        return self.response(200, requirement=code, checked=line.checked, note=line.note)

    @expose("/<int:case_id>/confirm_identity", methods=["POST"])
    @protect()
    def confirm_identity(self, case_id: int):
        """The counter checked the person's identity card: link the account that claimed the NIK
        (`{"confirm": false}` refuses the claim instead). Holders of `cases.register` only."""
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        confirm = body.get("confirm", True)
        if not isinstance(confirm, bool):
            return self.response_400(_('Send {"confirm": true|false}.'))
        case = self._case(case_id)
        workflow.confirm_identity(case, g.user, confirm)
        return self.response(200, **case_detail(case, g.user))

    @expose("/<int:case_id>/act", methods=["POST"])
    @protect()
    def act(self, case_id: int):
        """Forward, return, reject or cancel; 403/404/409/422 with the reason."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(_("Send a JSON object."))
        case = self._case(case_id)
        note = body.get("note")
        # A version that is no ASCII whole number within bounds is "missing" (400), never a 500.
        version = bounded_int(body.get("version"), 0, MAX_ID)
        case = workflow.act(
            case,
            g.user,
            str(body.get("action") or ""),
            version,
            note=note if isinstance(note, str) else None,
            data=body.get("data"),
        )
        result = case_detail(case, g.user)
        return self.response(200, **result)

    @expose("/<int:case_id>/documents/<kind>", methods=["GET"])
    @protect(allow_browser_login=True)
    def document(self, case_id: int, kind: str):
        """A case's PDF (certificate, control-card, bap, assignment-letter), for users who may view the case."""
        from views.cases.documents import case_document_response

        case = self._case(case_id)
        return case_document_response(case, kind, g.user)

    @expose("/<int:case_id>/scans/<int:scan_id>", methods=["GET"])
    @protect(allow_browser_login=True)
    def scan(self, case_id: int, scan_id: int):
        """Download a stored scan, only for users who may view the case."""
        case = self._case(case_id)
        scan = db.session.get(RequirementScan, scan_id)
        if scan is None or scan.case_requirement.case_id != case.id:
            raise workflow.WorkflowError(404, _("File not found."))
        stream = open_scan(scan)
        return send_file(
            stream, mimetype=scan.mime_type, as_attachment=True, download_name=scan.original_name, etag=scan.sha256
        )


def register(appbuilder) -> None:
    appbuilder.add_api(CaseApi)
