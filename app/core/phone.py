"""Indonesian mobile numbers, written one way everywhere: `+628123456789`."""
from __future__ import annotations

import re

from flask_babel import gettext as _

_SEPARATORS = re.compile(r"[\s\-.()/]")
# After the country code: the mobile prefix 8, then 8 to 11 more digits
# (0812-345-678 is the shortest number in use, 0813-1234-56789 the longest).
_MOBILE = re.compile(r"8\d{8,11}")


def normalize_phone(value: str) -> str:
    """`0812-3456-789`, `62812...`, `+62 812 ...` -> `+628123456789`.

    Raises ValueError with a message for the person who typed it.
    """
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+62"):
        digits = digits[3:]
    elif digits.startswith("62"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    if not _MOBILE.fullmatch(digits):
        raise ValueError(
            _("Not a valid Indonesian mobile number; write it like 0812-3456-7890.")
        )
    return "+62" + digits


def is_valid_phone(value: str) -> bool:
    """True when `normalize_phone` accepts the value."""
    try:
        normalize_phone(value)
    except ValueError:
        return False
    return True
