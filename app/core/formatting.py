"""How dates, times and money are written for people: `28 November 2026`, `Rp 1.500.000`.

One place for these so pages, PDFs and CSV exports agree; registered as Jinja
filters in app/setup/i18n.py.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal

TZ = ZoneInfo("Asia/Jakarta")


def _locale() -> str:
    try:
        from flask_babel import get_locale

        loc = get_locale()
        return str(loc) if loc else "id"
    except Exception:  # outside a request (CLI, PDF jobs) the office language applies
        return "id"


def to_local(value: datetime) -> datetime:
    """A stored timestamp in Asia/Jakarta (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(TZ)


def local_midnight(day: date) -> datetime:
    """The first instant of `day` in the office time zone, as UTC.

    Date filters bind this: SQLite stores UTC wall-clock time without an offset,
    so an Asia/Jakarta datetime bound as is would be compared 7 hours off.
    """
    return datetime.combine(day, time.min, tzinfo=TZ).astimezone(timezone.utc)


def format_date(value: Optional[date | datetime], locale: Optional[str] = None) -> str:
    """`28 November 2026` (Indonesian month names by default)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return _babel_date(value, "d MMMM y", locale=locale or _locale())


def format_datetime(value: Optional[datetime], locale: Optional[str] = None) -> str:
    """`28 November 2026 14.05` in Asia/Jakarta."""
    if value is None:
        return ""
    return _babel_datetime(to_local(value), "d MMMM y HH.mm", tzinfo=TZ, locale=locale or _locale())


def format_rupiah(amount: Optional[int | float]) -> str:
    """`Rp 0`, `Rp 1.500.000` (dot as thousands separator, no decimals)."""
    amount = int(round(amount or 0))
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def format_number(value: Optional[float | str], digits: Optional[int] = 2, locale: Optional[str] = None) -> str:
    """`69,67` in Indonesian (decimal comma, dot for thousands), `69.67` in English.

    `digits=None` keeps the value's own decimals (a form's `24.5` m2 reads `24,5`).
    """
    if value is None or value == "":
        return "-"
    number = Decimal(str(value))
    pattern = None if digits is None else ("#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(number, format=pattern, locale=locale or _locale())


def format_duration(minutes: Optional[int]) -> str:
    """Working time as `2 j 15 m` (hours and minutes)."""
    if minutes is None:
        return ""
    hours, mins = divmod(int(minutes), 60)
    if hours and mins:
        return f"{hours} j {mins} m"
    if hours:
        return f"{hours} j"
    return f"{mins} m"
