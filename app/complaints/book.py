"""The complaint book (Buku Pengaduan): intake, sorting, coordination, reply, review.

Component 6 of the standard (points a-k) as a status machine:

    received ──sort──▶ handling                      (ringan: the officer answers directly)
    received ──sort──▶ coordination ─▶ handling      (sedang: Kepala Bidang AND Kepala Dinas
                                                      each record their coordination;
                                                      berat: Kepala Dinas records the
                                                      coordination with the mayor's office,
                                                      c.q. Asisten or Sekda)
    handling ──reply──▶ review                       (the reply goes back through the
                                                      channel the complaint came in by;
                                                      without any contact it is only recorded)
    review ──approve──▶ closed                       (Sekretaris)
    review ──return──▶ correction ──correct──▶ review   (Sekretaris returns it; the
                                                      handling officer corrects the entry)

An officer who records a complaint with its weight sorts it in the same
transaction (point j); the public web form leaves it `received` for sorting.
Every transition adds one ComplaintEvent (who, when, what) and one audit row.
Permissions are FAB pairs on the view menu "Complaints" (see PERMISSIONS), so an
administrator can delegate an action to an acting official by a grant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.complaints.intake import (  # noqa: F401  (re-exported: one import for callers)
    NO_REPLY_ROUTE,
    OFFICER_CHANNELS,
    ComplaintError,
    _clean,
    check_lengths,
    find_case,
    received_at_of,
    reply_routes,
    validate_intake,
)
from app.core import audit
from app.core.extensions import db
from app.core.timezone import office_tz
from app.office.definition import current_office
from app.security import capabilities as cap
from models import Complaint, ComplaintEvent, OfficeHours
from models.complaint import WEIGHTS, ComplaintChannel, ComplaintStatus, weight_label

PERMISSION_VIEW = "Complaints"

RECEIVED, COORDINATION, HANDLING, REVIEW, CORRECTION, CLOSED = ComplaintStatus
STATUSES = tuple(ComplaintStatus)
OPEN_STATUSES = (RECEIVED, COORDINATION, HANDLING, CORRECTION)

# action -> (statuses it starts from, permission on PERMISSION_VIEW)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "sort": ((RECEIVED,), "can_sort"),
    "coordinate_head": ((COORDINATION,), "can_coordinate_head"),
    "coordinate_kadis": ((COORDINATION,), "can_coordinate_kadis"),
    "coordinate_mayor": ((COORDINATION,), "can_coordinate_kadis"),
    "reply": ((HANDLING,), "can_reply"),
    "approve": ((REVIEW,), "can_review"),
    "return": ((REVIEW,), "can_review"),
    "correct": ((CORRECTION,), "can_reply"),
}
# The capabilities that open each action permission (declared on the API as capability_grants).
PERMISSIONS: dict[str, list[str]] = {
    "can_sort": [cap.COMPLAINTS_REPLY],
    "can_reply": [cap.COMPLAINTS_REPLY],
    "can_coordinate_head": [cap.COMPLAINTS_COORDINATE_DIVISION],
    "can_coordinate_kadis": [cap.COMPLAINTS_COORDINATE_HEAD],
    "can_review": [cap.COMPLAINTS_REVIEW],
}
# Which coordinations a weight needs before the reply (points d and e).
REQUIRED_COORDINATION = {
    "ringan": (),
    "sedang": ("coordinate_head", "coordinate_kadis"),
    "berat": ("coordinate_mayor",),
}
MAYOR_OFFICE = {"asisten": "Asisten", "sekda": "Sekretaris Daerah"}


def holds(user: User, permission: str, view: str = PERMISSION_VIEW) -> bool:
    """Whether one of the user's roles holds the FAB pair (permission, view)."""
    if user is None or not getattr(user, "is_active", True):
        return False
    for role in getattr(user, "roles", []):
        for pv in role.permissions:
            if pv.permission and pv.view_menu and pv.permission.name == permission and pv.view_menu.name == view:
                return True
    return False


def _actor(user: User) -> str | None:
    if user is None:
        return None
    return " ".join(p for p in (getattr(user, "first_name", ""), getattr(user, "last_name", "")) if p) or user.username


def _event(c: Complaint, user: User, action: str, note: str | None) -> ComplaintEvent:
    ev = ComplaintEvent(
        complaint=c,
        user_id=getattr(user, "id", None),
        actor=_actor(user),
        action=action,
        note=note,
        at=datetime.now(UTC),
    )
    db.session.add(ev)
    return ev


def _closing_time(day: date) -> time:
    row = db.session.scalar(select(OfficeHours).where(OfficeHours.weekday == day.weekday()))
    return row.closes if row else time(16, 0)


def complaint_due(received_at: datetime, weight: str, cal: Any = None) -> datetime:
    """The answer deadline: the close of office on the N-th working day after receipt.

    N is COMPLAINT_DEADLINE_DAYS[weight] (5/14/60 by default); weekends and the
    holidays table do not count, nor does the day of receipt itself.
    """
    from app.calendar.working_days import Calendar

    days = int(current_app.config["COMPLAINT_DEADLINE_DAYS"][weight])
    cal = cal or Calendar.from_db()
    local = received_at.astimezone(office_tz())
    due_day = cal.add_working_days_date(local.date(), days)
    return datetime.combine(due_day, _closing_time(due_day), tzinfo=office_tz()).astimezone(UTC)


def is_late(c: Complaint, now: datetime | None = None) -> bool:
    """Answered after the deadline, or still unanswered past it."""
    if c.due_at is None:
        return False
    answered = c.replied_at or now or datetime.now(UTC)
    return answered > c.due_at


def _next_number(year: int) -> str:
    prefix = f"ADU-{year}-"
    last = db.session.scalar(select(func.max(Complaint.number)).where(Complaint.number.like(prefix + "%")))
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def create_complaint(data: dict, user: User | None = None, source: str = "officer") -> Complaint:
    """Record a complaint in the book and commit; an officer's weight sorts it at once.

    `source="officer"` needs a user holding can_sort (Petugas Pengaduan);
    `source="public"` is the public web form (channel web_form, sorted later).
    """
    if source not in ("officer", "public"):
        raise ComplaintError(400, _("Unknown complaint source."))
    if source == "officer" and not holds(user, "can_sort"):
        raise ComplaintError(403, _("You are not allowed to record complaints."))
    if not isinstance(data, dict):
        raise ComplaintError(400, _("The complaint data must be a JSON object."))
    fields = validate_intake(data, source)
    weight = fields.pop("weight")
    case = find_case(data.get("case"))
    received_at = received_at_of(data, source)
    for attempt in range(5):
        try:
            with db.session.begin_nested():
                c = Complaint(
                    number=_next_number(received_at.astimezone(office_tz()).year),
                    status=RECEIVED,
                    received_at=received_at,
                    recorded_by_id=getattr(user, "id", None),
                    case_id=case.id if case else None,
                    service_id=case.service_id if case else None,
                    **fields,
                )
                db.session.add(c)
                db.session.flush()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    _event(c, user, "recorded", None)
    audit.record("complaint.create", "Complaint", c.id, after=audit.snapshot(c), user=user)
    if weight:
        _sort(c, user, {"weight": weight})
    db.session.commit()
    return c


def allowed_actions(c: Complaint, user: User) -> list[str]:
    """Actions the user may take on the complaint now (for buttons; act() re-checks)."""
    out = []
    for name, (starts, perm) in ACTIONS.items():
        if c.status in starts and holds(user, perm) and _fits(c, name):
            out.append(name)
    return out


def _fits(c: Complaint, action: str) -> bool:
    """Coordination actions apply to their weight only, and once each."""
    if action not in ("coordinate_head", "coordinate_kadis", "coordinate_mayor"):
        return True
    done = {e.action for e in c.events}
    return action in REQUIRED_COORDINATION.get(c.weight or "", ()) and action not in done


def act(c: Complaint, user: User, action: str, data: dict | None = None) -> Complaint:
    """Apply one action and commit; raises ComplaintError (400/403/409/422) and changes nothing."""
    data = data or {}
    if action not in ACTIONS:
        raise ComplaintError(400, _("Unknown action."))
    if not isinstance(data, dict):
        raise ComplaintError(400, _("The action data must be a JSON object."))
    starts, perm = ACTIONS[action]
    if not holds(user, perm):
        raise ComplaintError(403, _("You are not allowed to take this action."))
    if c.status not in starts or not _fits(c, action):
        raise ComplaintError(409, _("This action does not apply to the complaint's current status."))
    before = audit.snapshot(c)
    HANDLERS[action](c, user, data)
    audit.record(f"complaint.{action}", "Complaint", c.id, before=before, after=audit.snapshot(c), user=user)
    db.session.commit()
    return c


def _note(data: dict, required: bool = True) -> str | None:
    note = str(data.get("note") or "").strip()
    check_lengths({"note": note}, {"note": "note"})
    if required and not note:
        raise ComplaintError(422, _("A note is required."))
    return note or None


def _sort(c: Complaint, user: User, data: dict) -> None:
    weight = data.get("weight")
    if weight not in WEIGHTS:
        raise ComplaintError(422, _("The complaint's weight must be ringan, sedang or berat."))
    c.weight = weight
    c.due_at = complaint_due(c.received_at, weight)
    c.status = HANDLING if weight == "ringan" else COORDINATION
    _event(c, user, "sort", _note(data, required=False) or f"bobot {weight}")


def _coordinate(c: Complaint, user: User, data: dict, action: str) -> None:
    note = _note(data)
    if action == "coordinate_mayor":
        office = str(data.get("with") or "")
        if office not in MAYOR_OFFICE:
            raise ComplaintError(422, _("Choose coordination with the Asisten or the Sekretaris Daerah."))
        note = f"Koordinasi dengan Walikota c.q. {MAYOR_OFFICE[office]}: {note}"
    _event(c, user, action, note)
    db.session.flush()
    done = {e.action for e in c.events}
    if all(a in done for a in REQUIRED_COORDINATION.get(c.weight or "", ())):
        c.status = HANDLING


def _reply(c: Complaint, user: User, data: dict) -> None:
    from app.notify.outbox import enqueue

    text = str(data.get("text") or "").strip()
    if not text:
        raise ComplaintError(422, _("The reply text is required."))
    check_lengths({"text": text}, {"text": "complaint.reply"})
    routes = reply_routes(c.channel, c)
    via = data.get("via") or (routes[0] if routes else None)
    if via not in routes:
        raise ComplaintError(
            422,
            _(
                "The reply cannot be sent that way: the complainant left no such contact, "
                "or it does not match the channel of the complaint."
            ),
        )
    c.reply = text
    c.replied_at = datetime.now(UTC)
    c.replied_by_id = user.id
    subject = f"Tanggapan atas pengaduan {c.number}"
    key = f"complaint-{c.id}-reply"
    if via == "email" and c.complainant_email:
        enqueue("email", c.complainant_email, text, subject=subject, dedupe_key=key, complaint_id=c.id)
    elif via == "sms" and c.complainant_phone:
        # The SMS names its sender: the office that loaded its definition, not a built-in one.
        sender = current_office().short_name or current_office().name
        enqueue("sms", c.complainant_phone, f"{sender}, {subject}: {text}", dedupe_key=key, complaint_id=c.id)
    elif via == "letter":
        enqueue(
            "letter",
            f"{c.complainant_name}, {c.complainant_address}",
            text,
            subject=subject,
            dedupe_key=key,
            complaint_id=c.id,
        )
    _event(c, user, "reply", f"via {via}")
    c.status = REVIEW


def _approve(c: Complaint, user: User, data: dict) -> None:
    _event(c, user, "approve", _note(data, required=False))
    c.status = CLOSED
    c.closed_at = datetime.now(UTC)


def _return(c: Complaint, user: User, data: dict) -> None:
    _event(c, user, "return", _note(data))
    c.status = CORRECTION


def _correct(c: Complaint, user: User, data: dict) -> None:
    """The handling officer corrects the book entry (never the reply already sent)."""
    note = _note(data)
    check_lengths(
        {key: str(data.get(key) or "").strip() for key in ("subject", "description")},
        {"subject": "complaint.subject", "description": "complaint.description"},
    )
    for key in ("subject", "description"):
        if key in data:
            value = str(data[key] or "").strip()
            if not value:
                raise ComplaintError(422, _("The subject and description of the complaint must not be empty."))
            setattr(c, key, value)
    _event(c, user, "correct", note)
    c.status = REVIEW


HANDLERS = {
    "sort": _sort,
    "coordinate_head": lambda c, u, d: _coordinate(c, u, d, "coordinate_head"),
    "coordinate_kadis": lambda c, u, d: _coordinate(c, u, d, "coordinate_kadis"),
    "coordinate_mayor": lambda c, u, d: _coordinate(c, u, d, "coordinate_mayor"),
    "reply": _reply,
    "approve": _approve,
    "return": _return,
    "correct": _correct,
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def to_dict(c: Complaint, user: User | None = None, now: datetime | None = None) -> dict:
    """The complaint as the API returns it."""
    return {
        "id": c.id,
        "number": c.number,
        "channel": c.channel,
        "status": c.status,
        "weight": c.weight,
        "channel_label": ComplaintChannel.label_of(c.channel),
        "status_label": ComplaintStatus.label_of(c.status),
        "weight_label": weight_label(c.weight),
        "complainant": {
            "name": c.complainant_name,
            "phone": c.complainant_phone,
            "email": c.complainant_email,
            "address": c.complainant_address,
        },
        "subject": c.subject,
        "description": c.description,
        "case": c.case.registration_no if c.case else None,
        "received_at": _iso(c.received_at),
        "due_at": _iso(c.due_at),
        "late": is_late(c, now),
        "reply": c.reply,
        "replied_at": _iso(c.replied_at),
        "closed_at": _iso(c.closed_at),
        "allowed_actions": allowed_actions(c, user) if user is not None else [],
        "events": [{"action": e.action, "actor": e.actor, "at": _iso(e.at), "note": e.note} for e in c.events],
    }
