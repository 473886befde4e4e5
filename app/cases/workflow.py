"""The case workflow engine: create a case, act on it, check its requirements.

Every public function runs one transaction and commits it (or rolls it back
and raises WorkflowError): one action = one control-card row + one audit row.

Decisions worth knowing:
- Creating a case is not an action: the case waits at step 1 (intake) and the
  first card row is written when the applicant or the front office forwards it.
- `return` and `reject` need a reason (`note`): the applicant is told it.
- `cancel`: an administrator, or the applicant on their own case, while the
  case is in_progress or returned.
- A case returned to the applicant stops the SLA clock (`paused_at`); the
  applicant, or a holder of the service's first step on their behalf,
  resubmits with `forward`, which adds the paused working minutes to `due_at`.
- After numbering (status completed) the office's clock stops: the handover
  step has no due time, the applicant collects whenever they come.
- Control card standard time = working minutes between the step's receipt and
  its standard due time (so a working-days step counts that many office days).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import attributes
from sqlalchemy.orm.exc import StaleDataError

from app.calendar.working_days import Calendar, case_due, step_due
from app.cases import control_card
from app.cases.access import (  # noqa: F401  (re-exported: the engine's public contract)
    can_view,
    claim_is_sandbox,
    is_admin,
    is_applicant_user,
    mask_nik,
    own_applicant_id,
    pending_claim,
    require_requirement_access,
    reveals_nik,
    roles_for_step,
    sees_applicant_details,
    user_can_act,
    worklist_query,
)
from app.cases.control_card import verify_chain  # noqa: F401
from app.cases.input import validate_applicant, validate_form, validate_institution
from app.cases.step_kinds import TICK, step_kind
from app.cases.step_needs import WorkflowError, check_note, check_return
from app.core import audit
from app.core.extensions import db
from app.delegation.effective import acting_for_role
from app.security.capabilities import CASES_REGISTER, has_capability
from models import Applicant, Case, CaseRequirement, CaseStatus, Institution, Service, Step

ACTIONS = ("forward", "return", "reject", "cancel")
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter


def _now() -> datetime:
    return datetime.now(UTC)


def hash_tracking_key(key: str) -> str:
    normalised = "".join(ch for ch in (key or "").upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


# Compared against when there is no case, so that path hashes and compares too.
_NO_CASE_HASH = hash_tracking_key("no such case")


def check_tracking_key(case: Case | None, key: str) -> bool:
    """Whether `key` is the tracking key printed on the case's receipt.

    An unknown number (case None) costs the same hash and compare, so neither
    the answer nor its timing tells the public whether a number exists.
    """
    expected = case.tracking_key_hash if case is not None and case.tracking_key_hash else _NO_CASE_HASH
    matches = hmac.compare_digest(expected, hash_tracking_key(key))
    return matches and case is not None and bool(case.tracking_key_hash)


def _new_tracking_key() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def get_step(case: Case, no: int | None = None) -> Step | None:
    no = case.current_step_no if no is None else no
    return next((step for step in case.service.steps if step.no == no), None)


def _step_of(case: Case, no: int) -> Step:
    """A step the service is known to have (the loader checked every `returns_to`)."""
    step = get_step(case, no)
    if step is None:
        raise WorkflowError(409, _("The case is closed."))
    return step


def _first_step(service: Service) -> Step:
    return service.steps[0]


def _user_name(user: User) -> str:
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


def _fail(exc: WorkflowError) -> None:
    db.session.rollback()
    raise exc


# --- creating a case -------------------------------------------------------


def _link_applicant(values: dict, user: User) -> Applicant:
    """The applicant record for the NIK; a self-service account only ever leaves a claim on it.

    A NIK is no secret, so typing one links nothing: the account reads what it
    submitted itself, and the whole record only after a holder of
    `cases.register` checks the person's identity (`confirm_identity`).
    """
    applicant = db.session.scalar(select(Applicant).where(Applicant.nik == values["nik"]))
    self_service = is_applicant_user(user)
    if self_service:
        linked = own_applicant_id(user)
        if linked is not None and (applicant is None or applicant.id != linked):
            raise WorkflowError(
                422,
                _("The NIK does not match your account."),
                {"applicant.nik": _("The NIK does not match your account.")},
            )
        if applicant is not None and applicant.user_id not in (None, user.id):
            raise WorkflowError(
                422,
                _("This NIK belongs to another account."),
                {"applicant.nik": _("This NIK belongs to another account.")},
            )
        if applicant is not None and applicant.user_id is None and not claim_is_sandbox(applicant, user):
            # Someone else's claim, or a person the counter registered: writing
            # this record would hand their contact details to whoever typed the NIK.
            message = _(
                "This NIK is already registered at the counter; ask the front office to link it to your account."
            )
            raise WorkflowError(422, message, {"applicant.nik": message})
        if linked is None:
            other = db.session.scalar(
                select(Applicant.id).where(Applicant.claimed_by_id == user.id, Applicant.user_id.is_(None))
            )
            if other is not None and (applicant is None or applicant.id != other):
                raise WorkflowError(
                    422,
                    _("The NIK does not match your account."),
                    {"applicant.nik": _("The NIK does not match your account.")},
                )
    if applicant is None:
        applicant = Applicant(nik=values["nik"], claimed_by_id=user.id if self_service else None)
        db.session.add(applicant)
    # The latest application carries the applicant's current contact details.
    for key in ("name", "phone", "address"):
        setattr(applicant, key, values[key])
    if values["email"]:
        applicant.email = values["email"]
    return applicant


def identity_warnings(case: Case) -> list[str]:
    """What the counter must know about the NIK of a case (shown on the counter's answer and the case page)."""
    claimant = pending_claim(case.applicant)
    if claimant is None or claimant == case.created_by_id:
        return []
    return [
        _(
            "An online account has applied with this NIK and is not confirmed. It does not see this "
            "case. Link it only after checking the person's identity card (confirm identity)."
        )
    ]


def confirm_identity(case: Case, user: User, confirm: bool = True) -> Applicant:
    """Link (or refuse) the account that claimed the case's NIK, after the counter checked the person's KTP.

    Holders of `cases.register` only; one audit row either way.
    """
    try:
        if not can_view(case, user):
            raise WorkflowError(404, _("Case not found."))
    except WorkflowError as exc:
        _fail(exc)
    return confirm_applicant_identity(case.applicant, user, confirm, case_id=case.id)


def confirm_applicant_identity(
    applicant: Applicant, user: User, confirm: bool = True, case_id: int | None = None
) -> Applicant:
    """`confirm_identity` from the applicant record (the counter's NIK search, before any case exists)."""
    try:
        if not has_capability(user, CASES_REGISTER):
            raise WorkflowError(403, _("Only the counter may confirm an applicant's identity."))
        claimant = pending_claim(applicant)
        if claimant is None:
            raise WorkflowError(409, _("No online account waits for this NIK to be confirmed."))
        before = {"user_id": applicant.user_id, "claimed_by_id": applicant.claimed_by_id}
        if confirm:
            if db.session.scalar(select(Applicant.id).where(Applicant.user_id == claimant)) is not None:
                raise WorkflowError(409, _("That account is already linked to another applicant."))
            applicant.user_id = claimant
        applicant.claimed_by_id = None
        audit.record(
            "applicant.identity_confirmed" if confirm else "applicant.claim_refused",
            "applicant",
            applicant.id,
            before=before,
            after={"user_id": applicant.user_id, "claimed_by_id": None, "case_id": case_id},
            user=user,
        )
        db.session.commit()
    except WorkflowError as exc:
        _fail(exc)
    return applicant


def _link_institution(values: dict) -> Institution:
    institution = None
    if values["license_no"]:
        institution = db.session.scalar(
            select(Institution).where(Institution.license_no == values["license_no"]).limit(1)
        )
    if institution is None:
        institution = Institution(license_no=values["license_no"])
        db.session.add(institution)
    institution.name = values["name"]
    if values["address"]:
        institution.address = values["address"]
    return institution


def create_case(service: Service, applicant: dict, institution: dict | None, form: dict, user: User) -> Case:
    """Register an application at step 1; `case.tracking_key` holds the plain key once."""
    first = _first_step(service)
    if not service.active:
        raise WorkflowError(422, _("This service is not accepting applications."))
    if not user_can_act(user, first):
        raise WorkflowError(403, _("You may not register applications for this service."))
    applicant_values, errors = validate_applicant(applicant)
    institution_values, more = validate_institution(institution, service.institution)
    form_values, form_errors = validate_form(service.form_fields, form)
    errors.update(more)
    errors.update({f"form.{name}": message for name, message in form_errors.items()})
    if errors:
        raise WorkflowError(422, _("The application has errors; please correct the marked fields."), errors)
    try:
        person = _link_applicant(applicant_values, user)
        school = _link_institution(institution_values) if institution_values is not None else None
        now = _now()
        cal = Calendar.from_db()
        key = _new_tracking_key()
        case = Case(
            registration_no="new-" + secrets.token_hex(8),
            tracking_key_hash=hash_tracking_key(key),
            service=service,
            applicant=person,
            institution=school,
            form_data=form_values,
            status=CaseStatus.IN_PROGRESS,
            current_step_no=first.no,
            received_at=now,
            due_at=case_due(cal, now, service.completion_working_days),
            step_received_at=now,
            step_due_at=step_due(cal, now, first),
            paused_working_minutes=0,
            created_by_id=user.id,
            requirements=[CaseRequirement(requirement=req, checked=False) for req in service.requirements],
        )
        db.session.add(case)
        db.session.flush()
        # Numbered from the primary key: unique under any concurrency, no counter
        # to lock, and written without bumping the case's version.
        number = f"{service.code}/{now.year}/{case.id:06d}"
        db.session.execute(update(Case.__table__).where(Case.__table__.c.id == case.id).values(registration_no=number))
        attributes.set_committed_value(case, "registration_no", number)
        audit.record("case.create", "case", case.id, after=audit.snapshot(case), user=user)
        db.session.commit()
    except WorkflowError as exc:
        _fail(exc)
    case.tracking_key = key
    case.identity_warnings = identity_warnings(case)
    return case


# --- requirements ------------------------------------------------------------


def find_requirement(case: Case, code: str) -> CaseRequirement:
    row = next((r for r in case.requirements if r.requirement.code == code), None)
    if row is None:
        raise WorkflowError(404, _("Unknown requirement."))
    return row


def check_requirement(case: Case, code: str, user: User, checked: bool, note: str | None = None) -> CaseRequirement:
    """Tick (or untick) one checklist line and commit (`tick_requirement` is the rule)."""
    try:
        row = tick_requirement(case, code, user, checked, note)
        db.session.commit()
    except WorkflowError as exc:
        _fail(exc)
    return row


def tick_requirement(case: Case, code: str, user: User, checked: bool, note: str | None = None) -> CaseRequirement:
    """Tick (or untick) one line; a document requirement needs a stored scan first.

    Leaves the commit to the caller, so the one-form checklist saves every line or none.
    """
    require_requirement_access(case, user, TICK)
    row = find_requirement(case, code)
    check_note(note if isinstance(note, str) else None)
    if checked and row.requirement.document and not row.scans:
        raise WorkflowError(
            422,
            _("Upload the scan of this document before checking it."),
            {code: _("Upload the scan of this document before checking it.")},
        )
    before = {"checked": row.checked, "note": row.note}
    row.checked = bool(checked)
    row.note = (note or "").strip() or None
    row.checked_by_id = user.id if checked else None
    row.checked_at = _now() if checked else None
    audit.record(
        "case.requirement",
        "case",
        case.id,
        before={code: before},
        after={code: {"checked": row.checked, "note": row.note}},
        user=user,
    )
    return row


# --- acting -----------------------------------------------------------------


def _resubmit_allowed(case: Case, user: User) -> bool:
    return user_can_act(user, _first_step(case.service))


def allowed_actions(case: Case, user: User) -> list[str]:
    """The actions the user may try now (a step's needs may still refuse one)."""
    if not can_view(case, user):
        return []
    actions: list[str] = []
    step = get_step(case)
    if case.status == CaseStatus.RETURNED and _resubmit_allowed(case, user):
        actions.append("forward")
    elif step is not None and user_can_act(user, step):
        if case.status == CaseStatus.IN_PROGRESS:
            actions.append("forward")
            if step.returns_to is not None:
                actions.append("return")
            if not is_applicant_user(user):
                actions.append("reject")
        elif case.status == CaseStatus.COMPLETED:
            # Numbered: the steps after numbering (handover, or any the SOP adds) go forward only.
            actions.append("forward")
    if case.status in (CaseStatus.IN_PROGRESS, CaseStatus.RETURNED) and _may_cancel(case, user):
        actions.append("cancel")
    if is_applicant_user(user):
        actions = [action for action in actions if _applicant_may(case, step, action)]
    return actions


def _applicant_may(case: Case, step: Step | None, action: str) -> bool:
    """An applicant account submits (a kind with `applicant_forward_label`), resubmits a returned file, cancels.

    Returning and rejecting are the office's; so is forwarding a step an office role shares
    with the applicant (the handover: the officer records the receipt). A step whose only
    executor is the applicant (an SOP may have the applicant pay or complete something)
    is the applicant's to forward, or no one could move the case on.
    """
    if action == "cancel" or (action == "forward" and case.status == CaseStatus.RETURNED):
        return True
    if action != "forward" or step is None or case.status not in (CaseStatus.IN_PROGRESS, CaseStatus.COMPLETED):
        return False
    if case.status == CaseStatus.IN_PROGRESS and step_kind(step).applicant_forward_label is not None:
        return True
    return all(executor.applicant for executor in step.executors)


def _may_cancel(case: Case, user: User) -> bool:
    """An administrator, or the applicant account on a case it may see (its own submission or its confirmed record)."""
    return is_admin(user) or (is_applicant_user(user) and can_view(case, user))


def _enqueue(channel: str, recipient: str | None, body: str, **kwargs: Any) -> None:
    from app.notify.outbox import enqueue

    if recipient:
        enqueue(channel, recipient, body, **kwargs)


def _enter_step(case: Case, step: Step, cal, now: datetime) -> None:
    case.current_step_no = step.no
    case.step_received_at = now
    case.step_due_at = step_due(cal, now, step)


def act(case: Case, user: User, action: str, version: Any, note: str | None = None, data: dict | None = None) -> Case:
    """Apply one action; raises WorkflowError (400/403/404/409/422) and changes nothing then."""
    try:
        return _act(case, user, action, version, (note or "").strip() or None, data or {})
    except WorkflowError as exc:
        _fail(exc)
    except StaleDataError:
        _fail(WorkflowError(409, _("The case was changed by someone else; reload it and try again.")))
    except IntegrityError:
        _fail(WorkflowError(409, _("The case was changed by someone else; reload it and try again.")))
    raise AssertionError("unreachable")


def _act(case: Case, user: User, action: str, version: Any, note: str | None, data: dict) -> Case:
    if action not in ACTIONS:
        raise WorkflowError(400, _("Unknown action."))
    if not isinstance(data, dict):
        raise WorkflowError(400, _("'data' must be an object."))
    if not can_view(case, user):
        raise WorkflowError(404, _("Case not found."))
    step = get_step(case)
    role = _authorise(case, user, action, step)
    if isinstance(version, bool) or not isinstance(version, (int, str)) or not str(version).isdigit():
        raise WorkflowError(400, _("'version' is required."))
    if int(version) != case.version:
        raise WorkflowError(409, _("The case was changed by someone else; reload it and try again."))
    check_note(note)

    now = _now()
    cal = Calendar.from_db()
    before = {"status": case.status, "step": case.current_step_no, "version": case.version}
    received_at = case.step_received_at or now
    step_due_at = case.step_due_at
    # An acting official (Plt./Plh.) whose right to this step comes only from a delegation.
    acting = acting_for_role(user, role)
    card = {
        "step_no": case.current_step_no,
        "step_kind": step.kind if step else None,
        "role": role,
        **control_card.officer_fields(case, user.id, _user_name(user)),
        "acting_as": acting.title if acting else None,
        "received_at": received_at,
        "acted_at": now,
        "outcome": action,
        "note": note,
        "standard_minutes": cal.working_minutes(received_at, step_due_at) if step_due_at else None,
        "spent_minutes": cal.working_minutes(received_at, now),
        "late": bool(step_due_at and now > step_due_at),
    }
    certificate = None
    if action == "cancel":
        case.status, case.closed_at, case.step_due_at = CaseStatus.CANCELLED, now, None
    elif action == "reject":
        if not note:
            raise WorkflowError(
                422, _("Give the reason for rejecting the case."), {"note": _("This field is required.")}
            )
        case.status, case.closed_at, case.step_due_at = CaseStatus.REJECTED, now, None
    elif step is None:  # a closed case has no current step (_authorise refuses it first)
        raise WorkflowError(409, _("The case is closed."))
    elif case.status == CaseStatus.RETURNED:
        card["outcome"] = "resubmit"
        paused = cal.working_minutes(case.paused_at or now, now)
        case.paused_working_minutes = (case.paused_working_minutes or 0) + paused
        case.due_at = cal.add(case.due_at, minutes=paused) if paused and case.due_at else case.due_at
        case.paused_at = None
        case.status = CaseStatus.IN_PROGRESS
        _enter_step(case, step, cal, now)
    elif action == "return":
        check_return(step, note)
        kind = step_kind(step)
        cleaned = kind.check_return(data)
        if cleaned:
            kind.record(case, cleaned, user, now)
        if step.returns_to == "applicant":
            case.status, case.paused_at = CaseStatus.RETURNED, now
            case.step_received_at, case.step_due_at = now, None
        else:
            _enter_step(case, _step_of(case, int(step.returns_to or 0)), cal, now)
    else:
        kind = step_kind(step)
        kind.record(case, kind.check_forward(case, data), user, now)
        certificate = _forward(case, step, cal, now)
    db.session.flush()  # takes the row lock and checks the version (StaleDataError -> 409)

    entry = control_card.append(case, **card)
    if action == "forward":
        # Number and signer both known for the first time: the certificate is signed (app.signing), or refused.
        from app.signing.certificates import seal_certificate

        seal_certificate(case, now)
    audit.record(
        f"case.{card['outcome']}",
        "case",
        case.id,
        before=before,
        after={
            "status": case.status,
            "step": case.current_step_no,
            "version": case.version,
            "card_seq": entry.seq,
            "certificate_no": certificate.number if certificate else None,
            **({"acting_as": acting.title, "delegation_id": acting.delegation_id} if acting else {}),
        },
        user=user,
    )
    _notify(case, card["outcome"], note, entry.seq)
    db.session.commit()
    return case


def _authorise(case: Case, user: User, action: str, step: Step | None) -> str:
    """The role name the user acts in; 403 when none of their roles may take this action now."""
    if action == "cancel":
        if case.status not in (CaseStatus.IN_PROGRESS, CaseStatus.RETURNED):
            raise WorkflowError(409, _("Only an open case can be cancelled."))
        if not _may_cancel(case, user):
            raise WorkflowError(403, _("Only an administrator or the applicant may cancel the case."))
        return "Admin" if is_admin(user) else (sorted(r.name for r in user.roles)[0])
    if case.status == CaseStatus.RETURNED:
        roles = roles_for_step(user, _first_step(case.service))
        if action != "forward" and roles:
            raise WorkflowError(409, _("The case is waiting for the applicant."))
    elif case.status in (CaseStatus.IN_PROGRESS, CaseStatus.COMPLETED) and step is not None:
        roles = roles_for_step(user, step)
        if roles and case.status == CaseStatus.COMPLETED and action != "forward":
            raise WorkflowError(409, _("The case is completed; it can only be handed over."))
    else:
        raise WorkflowError(409, _("The case is closed."))
    if not roles:
        raise WorkflowError(403, _("Your role may not act on this step."))
    if action == "reject" and is_applicant_user(user):
        # The office rejects; an applicant withdraws their own application (cancel).
        raise WorkflowError(403, _("An applicant cannot reject an application; cancel it instead."))
    if is_applicant_user(user) and not _applicant_may(case, step, action):
        raise WorkflowError(403, _("This step is the office's: an applicant may submit, resubmit or cancel only."))
    return roles[0]


def _forward(case: Case, step: Step, cal, now: datetime):
    """Move past `step`: the next step, or the end of the workflow."""
    kind = step_kind(step)
    certificate = kind.on_forward(case, now)
    if kind.completes_case:
        case.status, case.completed_at = CaseStatus.COMPLETED, now
    following = get_step(case, step.no + 1)
    if kind.ends_case or following is None:
        case.status = CaseStatus.HANDED_OVER if kind.ends_case else CaseStatus.COMPLETED
        case.completed_at = case.completed_at or now
        case.closed_at = now if kind.ends_case else None
        case.step_due_at = None
        if not kind.ends_case:
            # An SOP without a handover step ends here: the case leaves every worklist.
            case.current_step_no = None
        return certificate
    if case.status == CaseStatus.COMPLETED:
        # The applicant collects whenever they come: no office due time for the handover.
        case.current_step_no, case.step_received_at, case.step_due_at = following.no, now, None
    else:
        _enter_step(case, following, cal, now)
    return certificate


def _notify(case: Case, outcome: str, note: str | None, seq: int) -> None:
    """Tell the applicant when the product is ready or the file needs completing (in Indonesian)."""
    with force_locale("id"):
        if outcome == "forward" and case.status == CaseStatus.COMPLETED and case.current_step_no is not None:
            body = _(
                "%(product)s no. %(no)s is ready for collection at the office. Bring your receipt.",
                product=case.service.product,
                no=case.registration_no,
            )
            _enqueue("sms", case.applicant.phone, body, dedupe_key=f"case-{case.id}-ready", case_id=case.id)
        elif outcome == "return" and case.status == CaseStatus.RETURNED:
            body = _(
                "Application %(no)s was returned for completion: %(note)s", no=case.registration_no, note=note or ""
            )
            _enqueue(
                "sms", case.applicant.phone, body[:600], dedupe_key=f"case-{case.id}-returned-{seq}", case_id=case.id
            )
