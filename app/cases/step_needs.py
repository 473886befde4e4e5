"""The checks an action's input goes through: the BAP, the handover receipt, the checklist, notes.

Each raises a 422 WorkflowError (with per-field messages) before anything is
written. Which step needs which of them, and what a step records, is its
kind's (app.cases.step_kinds).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.core.parsing import LIMITS, bounded_date, text_error
from models import Case, Step

RECOMMENDATIONS = ("memenuhi", "tidak_memenuhi")


class WorkflowError(DomainError):
    """A case action refused (app.core.errors): `WorkflowError(status, message, fields)`."""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def check_note(note: str | None, field: str = "note") -> None:
    """A reason or note longer than LIMITS["note"] is refused (422) before anything is written."""
    error = text_error(note, "note")
    if error:
        raise WorkflowError(422, _("The text is too long."), {field: error})


def clean_report(data: dict) -> dict:
    """The inspection report (BAP) in `data.report`; 422 naming each bad field."""
    report = data.get("report") if isinstance(data, dict) else None
    if not isinstance(report, dict):
        raise WorkflowError(
            422,
            _("The inspection report (BAP) is required."),
            {"report": _("The inspection report (BAP) is required.")},
        )
    errors: dict[str, str] = {}
    report_date = bounded_date(_text(report.get("date")))
    if not _text(report.get("date")):
        errors["report.date"] = _("This field is required.")
    elif report_date is None:
        errors["report.date"] = _("Must be a date (YYYY-MM-DD).")
    findings = _text(report.get("findings"))
    if not findings:
        errors["report.findings"] = _("This field is required.")
    elif problem := text_error(findings, "report.findings"):
        errors["report.findings"] = problem
    recommendation = _text(report.get("recommendation"))
    if recommendation not in RECOMMENDATIONS:
        errors["report.recommendation"] = _("Choose one of: %(options)s.", options=", ".join(RECOMMENDATIONS))
    team = report.get("team")
    members = [_text(m) for m in team] if isinstance(team, list) else []
    if not members or not all(members):
        errors["report.team"] = _("Name at least one member of the technical team.")
    elif len(members) > LIMITS["report.team.size"]:
        errors["report.team"] = _("At most %(n)d members.", n=LIMITS["report.team.size"])
    elif problem := next(filter(None, (text_error(m, "report.team.member") for m in members)), None):
        errors["report.team"] = problem
    if errors:
        labels = {
            "report.date": _("Inspection date"),
            "report.findings": _("Findings"),
            "report.recommendation": _("Recommendation"),
            "report.team": _("Team members"),
        }
        named = ", ".join(labels[key] for key in labels if key in errors)
        raise WorkflowError(422, _("The inspection report (BAP) is incomplete: %(fields)s.", fields=named), errors)
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


def check_return(step: Step, note: str | None) -> None:
    """A return needs somewhere to go and a reason; the step's kind checks the data it carries."""
    if step.returns_to is None:
        raise WorkflowError(422, _("This step cannot be returned."))
    if not note:
        raise WorkflowError(422, _("Give the reason for returning the case."), {"note": _("This field is required.")})
