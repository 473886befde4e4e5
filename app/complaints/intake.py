"""Intake of a complaint: what each channel must carry, and how a reply can go back.

Points a (the channels) and f-i (the reply goes back the way the complaint
came) of component 6; app.complaints.book records and moves the complaint.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any, NoReturn

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.extensions import db
from app.core.parsing import bounded_date, text_error
from app.core.phone import phone_or_none
from app.core.timezone import office_tz
from models import Case
from models.complaint import CHANNELS, WEIGHTS

OFFICER_CHANNELS = tuple(c for c in CHANNELS if c != "web_form")
# How a reply goes back (points f-i), first feasible one is the default.
REPLY_ROUTES: dict[str, tuple[str, ...]] = {
    "letter": ("letter", "telephone"),
    "suggestion_box": ("letter", "telephone"),
    "email": ("email",),
    "website": ("email", "sms"),
    "web_form": ("email", "sms"),
    "telephone": ("telephone",),
    "fax": ("fax", "telephone"),
    "sms": ("sms",),
    "face_to_face": ("face_to_face",),
}
_ROUTE_NEEDS = {
    "letter": "complainant_address",
    "email": "complainant_email",
    "sms": "complainant_phone",
    "telephone": "complainant_phone",
    "fax": "complainant_phone",
    "face_to_face": None,
}
NO_REPLY_ROUTE = "none"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ComplaintError(DomainError):
    """A complaint request refused (app.core.errors): `ComplaintError(status, message, fields)`."""


def _text(value: Any) -> str:
    return str(value or "").strip()


def check_lengths(values: dict[str, str], keys: dict[str, str]) -> None:
    """ComplaintError 422 naming each text longer than its limit; `keys` maps an error key to its LIMITS key."""
    errors = {name: text_error(values.get(name), limit) for name, limit in keys.items()}
    errors = {name: message for name, message in errors.items() if message}
    if errors:
        raise ComplaintError(
            422,
            _(
                "The text is too long: %(fields)s.",
                fields=", ".join(f"{name} ({message})" for name, message in errors.items()),
            ),
            errors,
        )


def _refuse(field: str, message: Any) -> NoReturn:
    """ComplaintError 422 whose message is also shown beside `field` on the form."""
    raise ComplaintError(422, message, {field: message})


def _clean(value: Any, limit: int) -> str:
    return _text(value)[:limit]


def validate_intake(data: dict, source: str) -> dict:
    """The book entry's fields, cleaned; ComplaintError 422 names what is wrong."""
    person = data.get("complainant") or {}
    if not isinstance(person, dict):
        raise ComplaintError(422, _("The complainant's identity must be an object."))
    channel = "web_form" if source == "public" else str(data.get("channel") or "")
    if source != "public" and channel not in OFFICER_CHANNELS:
        _refuse("channel", _("Unknown complaint channel."))
    texts = {
        "complainant.name": _text(person.get("name")),
        "complainant.email": _text(person.get("email")),
        "complainant.phone": _text(person.get("phone")),
        "complainant.address": _text(person.get("address")),
        "subject": _text(data.get("subject")),
        "description": _text(data.get("description")),
    }
    check_lengths(
        texts,
        {
            "complainant.name": "complainant.name",
            "complainant.email": "complainant.email",
            "complainant.phone": "complainant.phone",
            "complainant.address": "complainant.address",
            "subject": "complaint.subject",
            "description": "complaint.description",
        },
    )
    out = {
        "channel": channel,
        "complainant_name": texts["complainant.name"],
        "complainant_email": texts["complainant.email"].lower() or None,
        "complainant_address": texts["complainant.address"] or None,
        "subject": texts["subject"],
        "description": texts["description"],
    }
    phone = texts["complainant.phone"]
    # A complainant may leave a landline (`(0761) 28262`), not only a mobile number.
    out["complainant_phone"] = phone_or_none(phone, landline=True) if phone else None
    if phone and out["complainant_phone"] is None:
        _refuse("complainant.phone", _("Invalid telephone number."))
    if not out["complainant_name"]:
        _refuse("complainant.name", _("The complainant's name is required."))
    if not out["subject"]:
        _refuse("subject", _("The subject of the complaint is required."))
    if not out["description"]:
        _refuse("description", _("The description of the complaint is required."))
    if out["complainant_email"] and not EMAIL_RE.match(out["complainant_email"]):
        _refuse("complainant.email", _("The email address is not valid."))
    if channel in ("email", "sms", "telephone", "fax") and reply_routes(channel, out) == [NO_REPLY_ROUTE]:
        field = "complainant.email" if channel == "email" else "complainant.phone"
        _refuse(
            field,
            _(
                "A complaint by this channel must give the contact for the reply (an email "
                "for email, a telephone number for telephone/fax, a mobile number for SMS)."
            ),
        )
    if channel in ("website", "web_form") and reply_routes(channel, out) == [NO_REPLY_ROUTE]:
        message = _("Give an email address or a telephone number so that the complaint can be answered.")
        raise ComplaintError(422, message, {"complainant.email": message, "complainant.phone": message})
    weight = data.get("weight") or None
    if weight is not None and (not isinstance(weight, str) or weight not in WEIGHTS):
        _refuse("weight", _("The complaint's weight must be ringan, sedang or berat."))
    out["weight"] = None if source == "public" else weight
    return out


def reply_routes(channel: str, contact: Any) -> list[str]:
    """The reply routes open for a complaint: its channel's routes with a known contact."""
    from app.core.phone import is_valid_phone

    get = contact.get if isinstance(contact, dict) else lambda k: getattr(contact, k)
    out = []
    for route in REPLY_ROUTES.get(channel, ()):
        need = _ROUTE_NEEDS[route]
        value = get(need) if need else True
        # An SMS needs a mobile number; a landline can only be called back.
        if value and (route != "sms" or is_valid_phone(str(value))):
            out.append(route)
    # An anonymous note from the suggestion box cannot be answered: the reply
    # is only recorded in the book, so the entry can still be reviewed.
    return out or [NO_REPLY_ROUTE]


def find_case(ref: Any) -> Case | None:
    """The case a complaint is about, by registration number (None when not given)."""
    if ref in (None, ""):
        return None
    case = db.session.scalar(select(Case).where(Case.registration_no == str(ref).strip()))
    if case is None:
        _refuse("case", _("Application registration number not found."))
    return case


def received_at_of(data: dict, source: str) -> datetime:
    """Officers may book the day a letter or box note arrived; never a future day."""
    raw = data.get("received_at") if source == "officer" else None
    if raw in (None, ""):
        return datetime.now(UTC)
    if isinstance(raw, datetime):
        value = raw if raw.tzinfo else raw.replace(tzinfo=office_tz())
    else:
        day = bounded_date(str(raw))
        if day is None:
            _refuse("received_at", _("The complaint date must be written YYYY-MM-DD."))
        value = datetime.combine(day, time(0, 0), tzinfo=office_tz())
    if value > datetime.now(UTC) + timedelta(minutes=1):
        _refuse("received_at", _("The complaint date must not be in the future."))
    return value.astimezone(UTC)
