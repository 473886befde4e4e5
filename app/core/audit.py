"""The audit log: one call records who did what, from where, with before/after.

AuditAction names every action code the code base records, with the words people
read for it (the console's audit log, its filter and export); a code not listed
there shows as written.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.extensions import db
from app.setup.request_log import current_request_id
from models import AuditLog
from models.vocabulary import Vocabulary


class AuditAction(Vocabulary):
    """The action codes passed to `record` (grep `audit.record(`); the stored code stays the key."""

    # Cases (app.cases.workflow, uploads; `case.<outcome>` from the control card's outcome)
    CASE_CREATE = "case.create", _l("Case registered")
    CASE_SCAN = "case.scan", _l("Requirement scan uploaded")
    CASE_REQUIREMENT = "case.requirement", _l("Requirement checked")
    CASE_FORWARD = "case.forward", _l("Case forwarded")
    CASE_RETURN = "case.return", _l("Case returned to the applicant")
    CASE_REJECT = "case.reject", _l("Case rejected")
    CASE_CANCEL = "case.cancel", _l("Case cancelled")
    CASE_RESUBMIT = "case.resubmit", _l("Case resubmitted")
    CASE_REMIND_UNCOLLECTED = "case.remind_uncollected", _l("Pick-up reminder sent")
    CASE_SCAN_REMOVE = "case.scan.remove", _l("Requirement scan removed")
    CERTIFICATE_REVOKE = "certificate.revoke", _l("Certificate revoked")
    APPLICANT_IDENTITY_CONFIRMED = "applicant.identity_confirmed", _l("Applicant identity confirmed")
    APPLICANT_CLAIM_REFUSED = "applicant.claim_refused", _l("Applicant account link refused")
    # Online applicant accounts (app.applicants)
    APPLICANT_REGISTER = "applicant.register", _l("Online applicant account registered")
    APPLICANT_REGISTER_ATTEMPT = "applicant.register_attempt", _l("Registration tried with a known e-mail address")
    APPLICANT_VERIFIED = "applicant.verified", _l("Applicant e-mail address verified")
    APPLICANT_INSTITUTION = "applicant.institution", _l("Applicant institution profile saved")
    # Acting officials (app.delegation.service)
    DELEGATION_CREATE = "delegation.create", _l("Acting official appointed")
    DELEGATION_REVOKE = "delegation.revoke", _l("Acting official's delegation revoked")
    # Complaints (app.complaints.book; `complaint.<action>` from its ACTIONS)
    COMPLAINT_CREATE = "complaint.create", _l("Complaint recorded")
    COMPLAINT_SORT = "complaint.sort", _l("Complaint sorted")
    COMPLAINT_COORDINATE_HEAD = "complaint.coordinate_head", _l("Complaint coordinated with the head of division")
    COMPLAINT_COORDINATE_KADIS = "complaint.coordinate_kadis", _l("Complaint coordinated with the head of office")
    COMPLAINT_COORDINATE_MAYOR = "complaint.coordinate_mayor", _l("Complaint coordinated with the mayor")
    COMPLAINT_REPLY = "complaint.reply", _l("Complaint answered")
    COMPLAINT_APPROVE = "complaint.approve", _l("Complaint answer approved")
    COMPLAINT_RETURN = "complaint.return", _l("Complaint answer returned for correction")
    COMPLAINT_CORRECT = "complaint.correct", _l("Complaint answer corrected")
    # Survey (app.survey.ikm)
    SURVEY_RESPONSE = "survey.response", _l("Survey answer recorded")
    SURVEY_FOLLOW_UP = "survey.follow_up", _l("Survey follow-up plan recorded")
    # Definitions (app.services.loader, app.office.definition)
    SERVICE_LOAD = "service.load", _l("Service definition loaded")
    OFFICE_LOAD = "office.load", _l("Office definition loaded")
    # Registers (app.registers: exports printed in the background)
    REGISTER_EXPORT_REQUEST = "register.export.request", _l("Register export requested")
    REGISTER_EXPORT_DONE = "register.export.done", _l("Register export ready")
    REGISTER_EXPORT_FAILED = "register.export.failed", _l("Register export failed")
    # The master-data console (views.console)
    CONSOLE_CREATE = "console.create", _l("Master data added")
    CONSOLE_UPDATE = "console.update", _l("Master data changed")
    CONSOLE_DELETE = "console.delete", _l("Master data deleted")


def action_label(code: str | None, locale: str | None = None) -> str:
    """The words for an action code; an unknown code reads as written."""
    return AuditAction.label_of(code, locale)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any) -> dict:
    """The column values of a model instance, for `before`/`after`."""
    return {c.key: _jsonable(getattr(obj, c.key)) for c in obj.__mapper__.column_attrs}


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    user: User | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction (the caller commits)."""
    if user is None and has_request_context() and getattr(current_user, "is_authenticated", False):
        user = current_user
    ip = None
    if has_request_context():
        ip = request.remote_addr
    # Ties the row to the request's log lines, or to the request a worker's job came from.
    request_id = current_request_id()
    row = AuditLog(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=ip,
        request_id=request_id,
    )
    db.session.add(row)
    return row
