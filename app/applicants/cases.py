"""What an applicant account reads about its own case, beside the actions it may take.

The case page (views.cases.page) renders `applicants/case.html` for applicant
accounts with this context: the control card without the officers' personal
data (no name, NIP or paraf, no role: only the step, when it was received and
done, and whether on time), the outbox messages addressed to the applicant about
this case, the certificate once it is the applicant's to take, and the one-time
survey link. Ownership is the engine's `can_view` (another account's case: 404),
checked before any of this is read.

When the certificate may be downloaded: once the case is handed over, or, for a
service whose SOP has no handover step, once it is completed. The handover is
where the office records who received the product; offering the file before it
would let the applicant skip the step the SOP keeps for that (and the survey
handed over with the product).
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.cases.step_kinds import step_kind
from app.core.extensions import db
from app.core.phone import phone_or_none
from models import Case, CaseStatus, OutboxMessage

# Documents an applicant account may download (views.cases.documents asks `may_download`).
APPLICANT_DOCUMENTS = ("certificate", "reminder-letter")


def has_handover(case: Case) -> bool:
    return any(step_kind(step).ends_case for step in case.service.steps)


def certificate_ready(case: Case) -> bool:
    """The certificate is the applicant's: handed over, or completed where the SOP has no handover."""
    if case.certificate is None:
        return False
    if case.status == CaseStatus.HANDED_OVER:
        return True
    return case.status == CaseStatus.COMPLETED and case.current_step_no is None and not has_handover(case)


def may_download(case: Case, kind: str) -> bool:
    """Which of the case's documents an applicant account may open (the office's papers carry officers' data)."""
    if kind == "certificate":
        return certificate_ready(case)
    if kind == "reminder-letter":
        return case.completed_at is not None and case.handed_over_at is None
    return False


def card_rows(case: Case) -> list[dict[str, Any]]:
    """The control card as the applicant reads it: step, received, done, on time or late."""
    steps = {step.no: step for step in case.service.steps}
    rows = []
    for entry in case.control_card:
        step = steps.get(entry.step_no) if entry.step_no is not None else None
        rows.append(
            {
                "step_no": entry.step_no,
                "activity": step.activity if step is not None else "",
                "received_at": entry.received_at,
                "acted_at": entry.acted_at,
                "late": bool(entry.late),
            }
        )
    return rows


def _addresses(case: Case, user: User) -> set[str]:
    found = {getattr(user, "email", None)}
    applicant = case.applicant
    if applicant is not None:
        found.add(applicant.email)
        found.add(applicant.phone)
        if applicant.phone:
            found.add(phone_or_none(applicant.phone))
    return {value for value in found if value}


def notifications(case: Case, user: User, limit: int = 50) -> list[OutboxMessage]:
    """The outbox messages about this case addressed to the applicant, newest first."""
    addresses = sorted(_addresses(case, user))
    if not addresses:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.case_id == case.id, OutboxMessage.recipient.in_(addresses))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def account_notifications(user: User, limit: int = 50) -> list[OutboxMessage]:
    """Messages to the account's e-mail address (registration), newest first."""
    if not getattr(user, "email", None):
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == user.email, OutboxMessage.case_id.is_(None))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def own_cases(user: User, limit: int = 100) -> list[Case]:
    """Every case the account may see (open and closed), newest first."""
    from app.cases.access import visible_filter

    return list(db.session.scalars(select(Case).where(visible_filter(user)).order_by(Case.id.desc()).limit(limit)))


def case_context(case: Case, user: User) -> dict[str, Any]:
    """The extra context of the applicant's case page."""
    return {
        "applicant_card": card_rows(case),
        "notifications": notifications(case, user),
        "certificate_ready": certificate_ready(case),
        "has_handover": has_handover(case),
        "returned_reason": returned_reason(case),
    }


def returned_reason(case: Case) -> str | None:
    """What the office said when it returned the file (the applicant must know it to complete it)."""
    if case.status != CaseStatus.RETURNED:
        return None
    returns = [entry for entry in case.control_card if entry.outcome == "return"]
    return returns[-1].note if returns else None


__all__ = [
    "APPLICANT_DOCUMENTS",
    "account_notifications",
    "card_rows",
    "case_context",
    "certificate_ready",
    "may_download",
    "notifications",
    "own_cases",
]
