"""How dates, times and money are written for people: `28 November 2026`, `Rp 1.500.000`.

One place for these so pages, PDFs and CSV exports agree; registered as Jinja
filters in app/setup/i18n.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

from app.core.timezone import office_tz


def _locale() -> str:
    try:
        from flask_babel import get_locale

        loc = get_locale()
        return str(loc) if loc else "id"
    except Exception:  # outside a request (CLI, PDF jobs) the office language applies
        return "id"


@lru_cache(maxsize=16)
def _names(locale: str) -> tuple[dict[int, str], dict[int, str]]:
    """The locale's month names (1-12) and weekday names (0 = Monday), from CLDR via Babel."""
    data = Locale.parse(locale)
    return dict(data.months["format"]["wide"]), dict(data.days["format"]["wide"])


def _written(day: date, locale: str, weekday: bool = False, clock: time | None = None) -> str:
    """`28 November 2026`, with `Sabtu, ` before and ` 14.05` after when asked.

    The same text as Babel's patterns `d MMMM y`, `EEEE, d MMMM y HH.mm` (a test compares them),
    written from cached names: Babel builds each date from the locale data again, which cost a
    worklist page of 25 rows about a fifth of its time.
    """
    months, days = _names(locale)
    text = f"{day.day} {months[day.month]} {day.year}"
    if weekday:
        text = f"{days[day.weekday()]}, {text}"
    if clock is not None:
        text = f"{text} {clock.hour:02d}.{clock.minute:02d}"
    return text


def to_local(value: datetime) -> datetime:
    """A timestamp (aware, as models.base.UTCDateTime reads it) in the office's time zone."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()}: timestamps are aware UTC")
    return value.astimezone(office_tz())


def local_midnight(day: date) -> datetime:
    """The first instant of `day` in the office time zone, as UTC (date filters bind this)."""
    return datetime.combine(day, time.min, tzinfo=office_tz()).astimezone(UTC)


def format_date(value: date | datetime | None, locale: str | None = None) -> str:
    """`28 November 2026` (Indonesian month names by default)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return _written(value, locale or _locale())


def format_month(value: str | date | None, locale: str | None = None) -> str:
    """A calendar month, `2026-12` or a date in it, as people read it: `Des 2026` (English `Dec 2026`)."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(f"{value}-01")
    return _babel_date(day, "MMM y", locale=locale or _locale())


def intl_locale(locale: str | None = None) -> str:
    """The reader's language as a BCP 47 tag for the browser's Intl formatters: `id-ID`, `en-US`."""
    language = (locale or _locale()).replace("_", "-")
    return {"id": "id-ID", "en": "en-US"}.get(language, language)


def format_datetime(value: datetime | None, locale: str | None = None) -> str:
    """`28 November 2026 14.05` in the office's time zone."""
    if value is None:
        return ""
    local = to_local(value)
    return _written(local.date(), locale or _locale(), clock=local.time())


def format_rupiah(amount: int | float | None) -> str:
    """`Rp 0`, `Rp 1.500.000` (dot as thousands separator, no decimals)."""
    amount = round(amount or 0)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def format_number(value: float | str | None, digits: int | None = 2, locale: str | None = None) -> str:
    """`69,67` in Indonesian (decimal comma, dot for thousands), `69.67` in English.

    `digits=None` keeps the value's own decimals (a form's `24.5` m2 reads `24,5`).
    """
    if value is None or value == "":
        return "-"
    number = Decimal(str(value))
    pattern = None if digits is None else ("#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(number, format=pattern, locale=locale or _locale())


# Units of a working time in words, per language: (day, days), (hour, hours), (minute, minutes).
_DURATION_WORDS = {
    "id": (("hari", "hari"), ("jam", "jam"), ("menit", "menit")),
    "en": (("day", "days"), ("hour", "hours"), ("minute", "minutes")),
}


def format_duration(minutes: int | None, day_minutes: int | None = None, locale: str | None = None) -> str:
    """Working time in words: `1 hari 2 jam kerja`, `4 hari kerja`, `35 menit kerja` (English:
    `1 working day 2 hours`, `4 working days`, `35 working minutes`).

    `day_minutes` is the office's working-day length (`Calendar.day_minutes`):
    whole working days are counted in it; without it the time reads in hours
    and minutes only. The one way every screen and document writes a working
    time: a step's standard, time spent, time left, how late.
    """
    if minutes is None:
        return ""
    language = (locale or _locale()).split("_")[0]
    words = _DURATION_WORDS.get(language, _DURATION_WORDS["en"])
    days, rest = divmod(max(int(minutes), 0), day_minutes) if day_minutes else (0, max(int(minutes), 0))
    hours, mins = divmod(rest, 60)
    parts = [(n, unit) for n, unit in zip((days, hours, mins), words, strict=True) if n]
    if not parts:
        parts = [(0, words[2])]
    if language == "id":
        return " ".join(f"{n} {unit[0]}" for n, unit in parts) + " kerja"
    text = [f"{n} {unit[0] if n == 1 else unit[1]}" for n, unit in parts]
    first_n, first = text[0].split(" ", 1)
    text[0] = f"{first_n} working {first}"
    return " ".join(text)


def format_due(value: datetime | None, locale: str | None = None) -> str:
    """A due time as people read it: `Jumat, 27 November 2026 16.30`.

    Shown through `Calendar.display_due`: a due time at a day's opening reads as
    the previous working day's closing, the same instant of working time.
    """
    if value is None:
        return ""
    from app.calendar.working_days import Calendar

    shown = to_local(Calendar.from_db().display_due(value))
    return _written(shown.date(), locale or _locale(), weekday=True, clock=shown.time())
