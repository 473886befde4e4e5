"""What an action needs at each kind of SOP step, and what it records.

`forward_needs` / `return_needs` raise a 422 WorkflowError (with per-field
messages) before anything is written; `apply_forward` records the step's own
effect (BAP, signer, certificate number, handover receipt).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask_babel import gettext as _

from app.core.extensions import db
from app.core.parsing import LIMITS, bounded_date, text_error
from models import Case, InspectionReport, Step

RECOMMENDATIONS = ("memenuhi", "tidak_memenuhi")


class WorkflowError(Exception):
    """An action refused: `.status` is the HTTP status, `.message` the Indonesian reason."""

    def __init__(self, status: int, message: str, errors: Optional[dict[str, str]] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def check_note(note: Optional[str], field: str = "note") -> None:
    """A reason or note longer than LIMITS["note"] is refused (422) before anything is written."""
    error = text_error(note, "note")
    if error:
        raise WorkflowError(422, _("The text is too long."), {field: error})


def clean_report(data: dict) -> dict:
    """The inspection report (BAP) in `data.report`; 422 naming each bad field."""
    report = data.get("report") if isinstance(data, dict) else None
    if not isinstance(report, dict):
        raise WorkflowError(422, _("The inspection report (BAP) is required."),
                            {"report": _("The inspection report (BAP) is required.")})
    errors: dict[str, str] = {}
    report_date = bounded_date(_text(report.get("date")))
    if report_date is None:
        errors["report.date"] = _("Must be a date (YYYY-MM-DD).")
    findings = _text(report.get("findings"))
    if not findings:
        errors["report.findings"] = _("This field is required.")
    elif text_error(findings, "report.findings"):
        errors["report.findings"] = text_error(findings, "report.findings")
    recommendation = _text(report.get("recommendation"))
    if recommendation not in RECOMMENDATIONS:
        errors["report.recommendation"] = _("Choose one of: %(options)s.", options=", ".join(RECOMMENDATIONS))
    team = report.get("team")
    members = [_text(m) for m in team] if isinstance(team, list) else []
    if not members or not all(members):
        errors["report.team"] = _("Name at least one member of the technical team.")
    elif len(members) > LIMITS["report.team.size"]:
        errors["report.team"] = _("At most %(n)d members.", n=LIMITS["report.team.size"])
    elif any(text_error(m, "report.team.member") for m in members):
        errors["report.team"] = text_error(max(members, key=len), "report.team.member")
    if errors:
        raise WorkflowError(422, _("The inspection report (BAP) is incomplete."), errors)
    return {"date": report_date, "findings": findings, "recommendation": recommendation, "team": members}


def clean_handover(data: dict) -> dict:
    data = data if isinstance(data, dict) else {}
    received_by, id_no = _text(data.get("received_by")), _text(data.get("id_no"))
    errors = {}
    if not received_by:
        errors["received_by"] = _("Name of the person who receives the document is required.")
    elif text_error(received_by, "received_by"):
        errors["received_by"] = text_error(received_by, "received_by")
    if not id_no:
        errors["id_no"] = _("Identity number of the receiver is required.")
    elif text_error(id_no, "id_no"):
        errors["id_no"] = text_error(id_no, "id_no")
    if errors:
        raise WorkflowError(422, _("The handover receipt is incomplete."), errors)
    return {"received_by": received_by, "id_no": id_no}


def missing_requirements(case: Case) -> list[str]:
    return [row.requirement.name for row in case.requirements if row.requirement.required and not row.checked]


def forward_needs(case: Case, step: Step, data: dict) -> dict:
    """Check what forwarding from `step` needs; returns the cleaned step data."""
    if step.kind == "verify":
        missing = missing_requirements(case)
        if missing:
            raise WorkflowError(
                422, _("Required requirements are not checked yet: %(names)s.", names="; ".join(missing)),
                {"requirements": "; ".join(missing)},
            )
    if step.kind == "inspect":
        report = clean_report(data)
        if report["recommendation"] != "memenuhi":
            raise WorkflowError(
                422, _("The inspection report does not recommend approval: return the case instead."),
                {"report.recommendation": _("Forwarding needs the recommendation 'memenuhi'.")},
            )
        return {"report": report}
    if step.kind == "handover":
        return clean_handover(data)
    return {}


def return_needs(step: Step, note: str, data: dict) -> dict:
    if step.returns_to is None:
        raise WorkflowError(422, _("This step cannot be returned."))
    if not note:
        raise WorkflowError(422, _("Give the reason for returning the case."), {"note": _("This field is required.")})
    if step.kind == "inspect":
        return {"report": clean_report(data)}
    return {}


def save_report(case: Case, report: dict, user: Any) -> InspectionReport:
    row = InspectionReport(case_id=case.id, created_by_id=user.id, **report)
    db.session.add(row)
    return row


def apply_forward(case: Case, step: Step, cleaned: dict, user: Any, now: datetime) -> None:
    """The step's own record, before the case moves on (numbering is done by the engine)."""
    if "report" in cleaned:
        save_report(case, cleaned["report"], user)
    if step.kind == "sign":
        case.signed_by_id = user.id
        case.signed_at = now
    if step.kind == "handover":
        case.received_by = cleaned["received_by"]
        case.received_id_no = cleaned["id_no"]
        case.handed_over_at = now
