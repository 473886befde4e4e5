"""Documents of one case: certificate, control card, BAP, assignment and reminder letters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select

from app.cases.control_card import personnel_of, standard_times
from app.cases.step_kinds import step_recording, step_showing
from app.core.extensions import db
from app.documents import DocumentError, render, verify_url
from app.documents.pdf import DOC_LOCALE
from app.documents.service_documents import step_time
from models import Case, Step
from models.case import CaseOutcome, CaseStatus


def _field_value(field_type: str, value: Any) -> str:
    from app.core.formatting import format_date

    if value is None or value == "":
        return "-"
    if field_type == "date":
        try:
            return format_date(date.fromisoformat(str(value)), locale="id")
        except ValueError:
            return str(value)
    if field_type in {"integer", "decimal"}:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        text = f"{number:,}".replace(",", "_").replace(".", ",").replace("_", ".")
        return text
    return str(value)


def form_rows(case: Case) -> list[tuple[str, str]]:
    """The registration data of the case form, labelled as the service defines it."""
    data = case.form_data or {}
    return [(f.label, _field_value(f.type, data.get(f.name))) for f in case.service.form_fields]


def _step(case: Case, no: int | None) -> Step | None:
    return next((s for s in case.service.steps if s.no == no), None)


def draft_available(case: Case) -> bool:
    """A KONSEP exists from the service's draft step on, while the case is open and not yet numbered."""
    draft_no = getattr(step_showing(case.service.steps, "certificate-draft"), "no", None)
    return (
        case.certificate is None
        and draft_no is not None
        and case.status == CaseStatus.IN_PROGRESS
        and (case.current_step_no or 0) >= draft_no
    )


def signer_title(case: Case) -> str:
    """The title printed above the signature: the head's (office definition) when the head's role
    signs for this service, else the role of the service's sign step; "Plt. <title>" / "Plh. <title>"
    when the sign step's control-card row was done under a delegation (app.delegation)."""
    from app.delegation.effective import acting_prefix
    from app.office.definition import current_office

    office = current_office()
    sign = step_recording(case.service.steps, "signed_by")
    roles = [e.name for e in sign.executors if not e.applicant] if sign is not None else []
    title = office.head_signature if not roles or office.head_role in roles else roles[0]
    signed = (
        next(
            (e for e in reversed(case.control_card) if e.step_no == sign.no and e.outcome == "forward"),
            None,
        )
        if sign is not None
        else None
    )
    prefix = acting_prefix(signed.acting_as) if signed is not None else None
    return f"{prefix} {title}" if prefix else title


def certificate_pdf(case: Case) -> bytes:
    """The product: number, holder (and institution), form data, signer, QR to verify.

    Before numbering, from the draft step on, the same page marked KONSEP with no
    number, signature or QR code: what the reviewers initial and the head signs.
    Once signed electronically (app.signing), exactly the stored signed bytes: every
    download (officers, the applicant, the API) comes through here.
    """
    cert = case.certificate
    if cert is not None and cert.signed_pdf_key:
        from app.signing.certificates import signed_pdf

        return signed_pdf(cert) or b""
    if cert is None:
        if not draft_available(case):
            raise DocumentError("the case has no certificate number yet")
        return render(
            "certificate",
            case=case,
            cert=None,
            draft=True,
            form=form_rows(case),
            verify_link=None,
            signer_title=signer_title(case),
        )
    return render_certificate(case, cert)


def render_certificate(case: Case, cert: Any, esign: bool = False) -> bytes:
    """The numbered certificate as rendered now; `esign`: leaves room for the electronic
    signature's visible block (app.signing draws it there)."""
    return render(
        "certificate",
        case=case,
        cert=cert,
        draft=False,
        esign=esign,
        signer_title=signer_title(case),
        form=form_rows(case),
        verify_link=verify_url(cert.verify_token),
    )


def control_card_pdf(case: Case) -> bytes:
    """The kartu kendali: every row, standard against actual working time, late marks."""
    standards = standard_times(case, DOC_LOCALE)  # the same text as the card on screen
    rows = [
        {
            "entry": e,
            "outcome": CaseOutcome.label_of(e.outcome, DOC_LOCALE),
            "standard": standards[e.seq],
        }
        for e in case.control_card
    ]
    return render("control_card", case=case, rows=rows, late_count=sum(1 for e in case.control_card if e.late))


def _latest_report(case: Case):
    return case.inspection_reports[-1] if case.inspection_reports else None


def head_signer() -> dict[str, str | None]:
    """Name and NIP of the head of office for letters the head signs: the personnel record of
    the one active account holding the head's role; blanks (dotted lines) when there is no
    such record, or several accounts so nobody can tell which one signs."""
    from app.office.definition import current_office

    role = current_office().head_role
    users = (
        db.session.scalars(select(User).where(User.active.is_(True), User.roles.any(Role.name == role))).all()
        if role
        else []
    )
    person = personnel_of(users[0].id) if len(users) == 1 else None
    if person is None:
        return {"name": None, "nip": None}
    return {"name": person.name, "nip": person.nip}


def _team_nips(names: list[str]) -> list[tuple[str, str | None]]:
    """(name, NIP) of each team member the personnel records know by exactly that name."""
    from models import Personnel

    found: dict[str, str | None] = {}
    for person in db.session.scalars(select(Personnel).where(Personnel.name.in_(names or [""]))):
        found[person.name] = None if person.name in found else person.nip  # two records: no guess
    return [(name, found.get(name)) for name in names]


def bap_pdf(case: Case) -> bytes:
    """Berita Acara Pemeriksaan of the technical team's field survey (the latest one).

    Numbered the first time it is printed; the same number on every later print.
    """
    from app.cases.numbering import document_number

    report = _latest_report(case)
    if report is None:
        raise DocumentError("the case has no inspection report yet")
    number = document_number(case, "bap", datetime.now(UTC))
    return render(
        "bap", case=case, report=report, form=form_rows(case), number=number, team=_team_nips(list(report.team or []))
    )


def _inspect_step(case: Case) -> Step | None:
    return step_showing(case.service.steps, "assignment-letter")


def _role_members(role_names: list[str]) -> list[str]:
    """Active users holding any of the roles: the team an assignment letter names."""
    if not role_names:
        return []
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.roles.any(Role.name.in_(role_names)))
        .order_by(User.first_name, User.last_name)
    )
    return [f"{u.first_name} {u.last_name}".strip() for u in users]


def assignment_letter_pdf(case: Case, team: list[str] | None = None) -> bytes:
    """Surat tugas sending the technical team to inspect the applicant's premises.

    The team is the one named in the latest BAP, or else everyone holding the
    inspect step's executor roles.
    """
    from app.cases.numbering import document_number

    step = _inspect_step(case)
    if step is None:
        raise DocumentError("the service has no inspection step")
    if team is None:
        report = _latest_report(case)
        if report is not None and report.team:
            team = list(report.team)
        else:
            team = _role_members([e.name for e in step.executors] if step else [])
    number = document_number(case, "assignment_letter", datetime.now(UTC))
    return render(
        "assignment_letter",
        case=case,
        number=number,
        signer=head_signer(),
        inspectors=", ".join(e.name for e in step.executors if not e.applicant),
        step=step,
        step_time=step_time(step),
        team=team,
        due_at=case.step_due_at if step and case.current_step_no == step.no else None,
    )


def reminder_letter_pdf(case: Case) -> bytes:
    """Jaminan pelayanan (b): the product is ready and not collected a month after completion."""
    if case.completed_at is None:
        raise DocumentError("the case is not completed yet")
    return render("reminder_letter", case=case, cert=case.certificate, signer=head_signer())
