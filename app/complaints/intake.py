"""Intake of a complaint: what each channel must carry, and how a reply can go back.

Points a (the channels) and f-i (the reply goes back the way the complaint
came) of component 6; app.complaints.book records and moves the complaint.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.extensions import db
from app.core.formatting import TZ
from app.core.parsing import bounded_date, text_error
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
_ROUTE_NEEDS = {"letter": "complainant_address", "email": "complainant_email", "sms": "complainant_phone",
                "telephone": "complainant_phone", "fax": "complainant_phone", "face_to_face": None}
NO_REPLY_ROUTE = "none"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class ComplaintError(Exception):
    """A refused request: `status` is the HTTP status, `message` is for people (Indonesian)."""

    status: int
    message: str
    errors: dict[str, str] = field(default_factory=dict)


def normalize_phone(raw: str) -> str:
    """`0812-3456 7890` -> `+6281234567890`; landlines keep their area code (`(0761) 28262`)."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or not digits.startswith("62"):
        raise ComplaintError(422, "Nomor telepon tidak valid.")
    return "+" + digits


def _text(value: Any) -> str:
    return str(value or "").strip()


def check_lengths(values: dict[str, str], keys: dict[str, str]) -> None:
    """ComplaintError 422 naming each text longer than its limit; `keys` maps an error key to its LIMITS key."""
    errors = {name: text_error(values.get(name), limit) for name, limit in keys.items()}
    errors = {name: message for name, message in errors.items() if message}
    if errors:
        raise ComplaintError(422, _("The text is too long: %(fields)s.", fields=", ".join(
            f"{name} ({message})" for name, message in errors.items())), errors)


def _clean(value: Any, limit: int) -> str:
    return _text(value)[:limit]


def validate_intake(data: dict, source: str) -> dict:
    """The book entry's fields, cleaned; ComplaintError 422 names what is wrong."""
    person = data.get("complainant") or {}
    if not isinstance(person, dict):
        raise ComplaintError(422, "Identitas pengadu harus berupa objek.")
    channel = "web_form" if source == "public" else str(data.get("channel") or "")
    if source != "public" and channel not in OFFICER_CHANNELS:
        raise ComplaintError(422, "Media pengaduan tidak dikenal.")
    texts = {"complainant.name": _text(person.get("name")), "complainant.email": _text(person.get("email")),
             "complainant.phone": _text(person.get("phone")), "complainant.address": _text(person.get("address")),
             "subject": _text(data.get("subject")), "description": _text(data.get("description"))}
    check_lengths(texts, {"complainant.name": "complainant.name", "complainant.email": "complainant.email",
                          "complainant.phone": "complainant.phone", "complainant.address": "complainant.address",
                          "subject": "complaint.subject", "description": "complaint.description"})
    out = {
        "channel": channel,
        "complainant_name": texts["complainant.name"],
        "complainant_email": texts["complainant.email"].lower() or None,
        "complainant_address": texts["complainant.address"] or None,
        "subject": texts["subject"],
        "description": texts["description"],
    }
    phone = texts["complainant.phone"]
    out["complainant_phone"] = normalize_phone(phone) if phone else None
    if not out["complainant_name"]:
        raise ComplaintError(422, "Nama pengadu wajib diisi.")
    if not out["subject"]:
        raise ComplaintError(422, "Pokok pengaduan wajib diisi.")
    if not out["description"]:
        raise ComplaintError(422, "Uraian pengaduan wajib diisi.")
    if out["complainant_email"] and not EMAIL_RE.match(out["complainant_email"]):
        raise ComplaintError(422, "Alamat email tidak valid.")
    if channel in ("email", "sms", "telephone", "fax"):
        if reply_routes(channel, out) == [NO_REPLY_ROUTE]:
            raise ComplaintError(422, "Pengaduan melalui media ini wajib mencantumkan kontak balasannya "
                                      "(email untuk email, nomor telepon untuk telepon/fax, nomor HP untuk SMS).")
    if channel in ("website", "web_form") and reply_routes(channel, out) == [NO_REPLY_ROUTE]:
        raise ComplaintError(422, "Cantumkan email atau nomor telepon agar pengaduan dapat dijawab.")
    weight = data.get("weight") or None
    if weight is not None and (not isinstance(weight, str) or weight not in WEIGHTS):
        raise ComplaintError(422, "Bobot pengaduan harus ringan, sedang, atau berat.")
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
        if value and (route != "sms" or is_valid_phone(value)):
            out.append(route)
    # An anonymous note from the suggestion box cannot be answered: the reply
    # is only recorded in the book, so the entry can still be reviewed.
    return out or [NO_REPLY_ROUTE]


def find_case(ref: Any) -> Optional[Case]:
    """The case a complaint is about, by registration number (None when not given)."""
    if ref in (None, ""):
        return None
    case = db.session.scalar(select(Case).where(Case.registration_no == str(ref).strip()))
    if case is None:
        raise ComplaintError(422, "Nomor registrasi permohonan tidak ditemukan.")
    return case


def received_at_of(data: dict, source: str) -> datetime:
    """Officers may book the day a letter or box note arrived; never a future day."""
    raw = data.get("received_at") if source == "officer" else None
    if raw in (None, ""):
        return datetime.now(timezone.utc)
    if isinstance(raw, datetime):
        value = raw if raw.tzinfo else raw.replace(tzinfo=TZ)
    else:
        day = bounded_date(str(raw))
        if day is None:
            raise ComplaintError(422, "Tanggal pengaduan harus berformat YYYY-MM-DD.")
        value = datetime.combine(day, time(0, 0), tzinfo=TZ)
    if value > datetime.now(timezone.utc) + timedelta(minutes=1):
        raise ComplaintError(422, "Tanggal pengaduan tidak boleh di masa depan.")
    return value.astimezone(timezone.utc)
