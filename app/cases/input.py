"""Validation of an application: the service's form fields, the applicant, the institution.

Each validator returns the cleaned values and collects a per-field message
(Indonesian through the catalog) so a screen or the API can show every problem
at once; nothing is written while any message remains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from app.core.nik import nik_problem
from app.core.parsing import LIMITS, bounded_date, text_error, too_long_message
from app.core.phone import phone_or_none

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A whole number of at most 18 ASCII digits (fits a BIGINT; '²' and other Unicode digits are not numbers here).
INTEGER_RE = re.compile(r"[+-]?[0-9]{1,18}")
DECIMAL_MAX_CHARS = 40
# Anything longer is refused before a regular expression or a parser looks at it.
SHORT_MAX_CHARS = 40


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean_value(field_type: str, raw: Any, choices: Iterable[str] | None = None) -> tuple[Any, str | None]:
    """Convert one value of a form field; returns (value, error message or None)."""
    text = _text(raw)
    if field_type == "text":
        return text, None
    if field_type == "integer":
        if isinstance(raw, bool) or not INTEGER_RE.fullmatch(text):
            return None, _("Must be a whole number.")
        return int(text), None
    if field_type == "decimal":
        if len(text) > DECIMAL_MAX_CHARS:
            return None, _("Must be a number.")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None, _("Must be a number.")
        if not number.is_finite():
            return None, _("Must be a number.")
        return str(number), None
    if field_type == "date":
        day = bounded_date(text)
        if day is None:
            return None, _("Must be a date (YYYY-MM-DD).")
        return day.isoformat(), None
    if field_type == "email":
        if len(text) > LIMITS["applicant.email"]:
            return None, too_long_message(LIMITS["applicant.email"])
        return (text.lower(), None) if EMAIL_RE.match(text) else (None, _("Must be a valid e-mail address."))
    if len(text) > SHORT_MAX_CHARS and field_type in ("phone", "nik", "choice"):
        return None, too_long_message(SHORT_MAX_CHARS)
    if field_type == "phone":
        phone = phone_or_none(text)
        return (phone, None) if phone else (None, _("Must be an Indonesian mobile number, e.g. 081234567890."))
    if field_type == "nik":
        problem = nik_problem(text)
        return (None, problem) if problem else (text, None)
    if field_type == "choice":
        options = list(choices or [])
        return (text, None) if text in options else (None, _("Choose one of: %(options)s.", options=", ".join(options)))
    return None, _("Unknown field type.")


def _out_of_bounds(field: Any, value: Any) -> str | None:
    """The definition's optional min/max (numbers, dates) and max_length (text) on a clean value."""
    low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
    limit = getattr(field, "max_length", None) or LIMITS["form.text"]
    if isinstance(value, str) and field.type in ("text", "email") and len(value) > limit:
        return too_long_message(limit)
    if field.type in ("integer", "decimal"):
        number = Decimal(str(value))
        if low is not None and number < Decimal(str(low)):
            return _("Must be at least %(n)s.", n=low)
        if high is not None and number > Decimal(str(high)):
            return _("Must be at most %(n)s.", n=high)
    if field.type == "date":
        if low is not None and value < str(low):
            return _("Must be on or after %(day)s.", day=low)
        if high is not None and value > str(high):
            return _("Must be on or before %(day)s.", day=high)
    return None


def validate_form(fields: Iterable[Any], data: dict | None) -> tuple[dict, dict]:
    """Check `data` against the service's FormField rows: (clean values, errors)."""
    data = data if isinstance(data, dict) else {}
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        raw = data.get(field.name)
        if _text(raw) == "":
            if field.required:
                errors[field.name] = _("%(label)s is required.", label=field.label)
            continue
        value, error = clean_value(field.type, raw, field.choices)
        error = error or _out_of_bounds(field, value)
        if error:
            errors[field.name] = error
        else:
            clean[field.name] = value
    return clean, errors


def validate_applicant(data: dict | None) -> tuple[dict, dict]:
    """nik (app.core.nik), name, phone (Indonesian mobile), email (optional), address."""
    data = data if isinstance(data, dict) else {}
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    nik = _text(data.get("nik"))
    if problem := nik_problem(nik):
        errors["applicant.nik"] = problem
    clean["nik"] = nik
    for key in ("name", "address"):
        clean[key] = _text(data.get(key))
        error = _("This field is required.") if not clean[key] else text_error(clean[key], f"applicant.{key}")
        if error:
            errors[f"applicant.{key}"] = error
    raw_phone = _text(data.get("phone"))
    phone = phone_or_none(raw_phone) if len(raw_phone) <= SHORT_MAX_CHARS else None
    if phone is None:
        errors["applicant.phone"] = _("Must be an Indonesian mobile number, e.g. 081234567890.")
    clean["phone"] = phone
    email = _text(data.get("email")).lower()
    if problem := text_error(email, "applicant.email"):
        errors["applicant.email"] = problem
    elif email and not EMAIL_RE.match(email):
        errors["applicant.email"] = _("Must be a valid e-mail address.")
    clean["email"] = email or None
    return clean, errors


def validate_institution(data: dict | None, mode: str = "required") -> tuple[dict | None, dict]:
    """The institution the application is for, as the service's `institution` key asks.

    `required`: name required, address and licence optional; `optional`: none
    at all, or a named one; `none`: the service has no institution (None).
    """
    if mode == "none":
        return None, {}
    data = data if isinstance(data, dict) else {}
    clean = {key: _text(data.get(key)) or None for key in ("name", "address", "license_no")}
    errors: dict[str, str] = {}
    if mode == "optional" and not any(clean.values()):
        return None, {}
    if not clean["name"]:
        errors["institution.name"] = _("This field is required.")
    for key in ("name", "address", "license_no"):
        error = text_error(clean[key], f"institution.{key}")
        if error:
            errors[f"institution.{key}"] = error
    return clean, errors
