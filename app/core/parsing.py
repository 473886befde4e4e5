"""Bounded parsing of what a request carries: numbers, dates, free text.

Every query-string or JSON number and date goes through `bounded_int` /
`bounded_date`, so absurd input (`?step=99999999999999999999`, `?step=²`,
`0001-01-01`, a 5,000-digit integer) is refused with a 400/404/422 and never
reaches the database as a value PostgreSQL cannot hold. `str.isdigit()` is
True for '²' and other Unicode digits, hence the strict ASCII patterns here.

Free text has one ceiling per field (`LIMITS`), shared by the engines that
validate what the screens and the API send; the String(N) columns of the
models are the upper bound of each (tests/security/test_hardening_input.py
checks they agree).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _

# The largest id a route or filter accepts: PostgreSQL's INTEGER (ids are serial).
MAX_ID = 2**31 - 1
# The dates any screen, filter or JSON body may name.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
_INT_RE = re.compile(r"[+-]?[0-9]{1,18}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Longest free text accepted per field (characters).
LIMITS: dict[str, int] = {
    "applicant.name": 200,
    "applicant.email": 200,
    "applicant.address": 2000,
    "institution.name": 300,
    "institution.address": 2000,
    "institution.license_no": 120,
    "form.text": 2000,  # a form text field whose definition sets no max_length
    "note": 2000,  # return/reject reasons, requirement notes, complaint notes
    "report.findings": 5000,
    "report.team.member": 200,
    "report.team.size": 30,
    "received_by": 200,
    "id_no": 60,
    "complainant.name": 200,
    "complainant.email": 200,
    "complainant.phone": 40,
    "complainant.address": 2000,
    "complaint.subject": 300,
    "complaint.description": 5000,
    "complaint.reply": 5000,
    "survey.suggestion": 2000,
    "survey.plan": 2000,
    "survey.responsible": 200,
}


def bounded_int(value: Any, lo: int, hi: int) -> int | None:
    """`value` as an int within [lo, hi], or None (missing, not ASCII digits, out of range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if lo <= number <= hi else None


def bounded_id(value: Any) -> int | None:
    """A record id (1..MAX_ID) or None."""
    return bounded_int(value, 1, MAX_ID)


def bounded_date(value: Any, lo: date = MIN_DATE, hi: date = MAX_DATE) -> date | None:
    """`value` (a date or `YYYY-MM-DD`) within [lo, hi], or None."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return day if lo <= day <= hi else None


def too_long_message(limit: int) -> str:
    return _("At most %(n)d characters.", n=limit)


def text_error(value: str | None, key: str, limit: int | None = None) -> str | None:
    """The message for text longer than its field's limit (LIMITS[key] unless `limit`), else None."""
    limit = limit or LIMITS[key]
    return too_long_message(limit) if value and len(value) > limit else None
