"""Indonesian telephone numbers, written one way everywhere: `+628123456789`.

The one normaliser of the code base: applicants and SMS recipients need a
mobile number; a complainant may leave a landline (`landline=True`), which
keeps its area code (`(0761) 28262` -> `+6276128262`).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_SEPARATORS = re.compile(r"[\s\-.()/]")
# After the country code: the mobile prefix 8, then 8 to 11 more digits
# (0812-345-678 is the shortest number in use, 0813-1234-56789 the longest).
_MOBILE = re.compile(r"8\d{8,11}")
# Any Indonesian number: country code 62, then 6 to 13 digits (8-15 in all).
_ANY = re.compile(r"62[0-9]{6,13}")
# A landline is written with its area code in brackets or with dashes, never with slashes
# (`28262/28263` lists two numbers).
_LANDLINE_SEPARATORS = re.compile(r"[\s\-.()]")


def normalize_phone(value: str, landline: bool = False) -> str:
    """`0812-3456-789`, `62812...`, `+62 812 ...` -> `+628123456789`.

    Mobile numbers only, unless `landline` (then `(0761) 28262` -> `+6276128262`).
    Raises ValueError with a message for the person who typed it.
    """
    if landline:
        return _normalize_any(value)
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+62"):
        digits = digits[3:]
    elif digits.startswith("62"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    if not _MOBILE.fullmatch(digits):
        raise ValueError(_("Not a valid Indonesian mobile number; write it like 0812-3456-7890."))
    return "+62" + digits


def _normalize_any(value: str) -> str:
    digits = _LANDLINE_SEPARATORS.sub("", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    if not _ANY.fullmatch(digits):
        raise ValueError(_("Invalid telephone number."))
    return "+" + digits


def phone_or_none(value: str, landline: bool = False) -> str | None:
    """`normalize_phone`, or None when the value is not a number."""
    try:
        return normalize_phone(value, landline)
    except ValueError:
        return None


def is_valid_phone(value: str) -> bool:
    """True when `normalize_phone` accepts the value."""
    try:
        normalize_phone(value)
    except ValueError:
        return False
    return True
