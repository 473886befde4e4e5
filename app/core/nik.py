"""The NIK (Nomor Induk Kependudukan), checked one way everywhere: `nik_problem`.

PP 37/2007 art. 37: 16 digits. The first six are the region of registration
(Permendagri 137/2017 region codes): province (2), regency or city (2, never
00), district (2, never 00). Then the date of birth DDMMYY, where a woman's
day has 40 added (01-31 or 41-71), and a 4-digit serial (never 0000).

The province list is inclusive: the Papua provinces formed in 2022 (93-96)
are accepted beside Papua (91) and Papua Barat (92). The date must be a real
calendar date in some century (YY says nothing about which); 29 February
needs a leap year in 19YY or 20YY.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _

DIGITS = re.compile(r"[0-9]{16}")
PROVINCES = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82, *range(91, 97)]
)
# A woman's day of birth is written with 40 added.
WOMAN_OFFSET = 40


def _birth_date_exists(day: int, month: int, year_of_century: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year_of_century, month, day)
        except ValueError:
            continue
        return True
    return False


def nik_problem(value: Any) -> str | None:
    """What is wrong with `value` as a NIK, for the person who typed it (translated); None when it is one."""
    text = "" if value is None else str(value).strip()
    if not DIGITS.fullmatch(text):
        return _("NIK must be exactly 16 digits.")
    if int(text[:2]) not in PROVINCES:
        return _("The NIK's first two digits (%(code)s) are not an Indonesian province code.", code=text[:2])
    if text[2:4] == "00":
        return _("The NIK's regency/city code (digits 3-4) cannot be 00.")
    if text[4:6] == "00":
        return _("The NIK's district code (digits 5-6) cannot be 00.")
    day, month, year = int(text[6:8]), int(text[8:10]), int(text[10:12])
    if day > WOMAN_OFFSET:
        day -= WOMAN_OFFSET
    if not _birth_date_exists(day, month, year):
        return _(
            "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: %(digits)s.",
            digits=text[6:12],
        )
    if text[12:] == "0000":
        return _("The NIK's serial number (last four digits) cannot be 0000.")
    return None


def is_valid_nik(value: Any) -> bool:
    """True when `nik_problem` finds nothing wrong."""
    return nik_problem(value) is None
