"""Office minutes over long spans (a case months late) equal a plain day-by-day count."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from app.calendar.holidays import HOLIDAYS_2026
from app.calendar.working_days import Calendar
from app.core.timezone import office_tz
from tests.factories import OFFICE_HOURS

TZ = office_tz()  # outside an app context: the configured zone

CAL = Calendar.from_data(OFFICE_HOURS, [d for d, _name, _kind in HOLIDAYS_2026])


def day_by_day(start: datetime, end: datetime) -> int:
    """The reference: walk every day and add its overlap with the office window."""
    start, end = start.astimezone(TZ), end.astimezone(TZ)
    seconds, day = 0.0, start.date()
    while day <= end.date():
        if day.weekday() in CAL.hours and day not in CAL.holidays:
            opens, closes = CAL.hours[day.weekday()]
            lo = max(datetime.combine(day, opens, TZ), start)
            hi = min(datetime.combine(day, closes, TZ), end)
            seconds += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return int(seconds // 60)


def test_a_full_year_of_2026_holds_the_office_minutes_of_its_working_days():
    start = datetime(2026, 1, 1, tzinfo=TZ)
    end = datetime(2027, 1, 1, tzinfo=TZ)
    working = [start.date() + timedelta(days=i) for i in range(365)]
    open_days = [d for d in working if d.weekday() < 5 and d not in CAL.holidays]
    # 261 weekdays less the 21 holidays and leave days that fall on one (4 of the 25 are weekends).
    assert len(open_days) == 240
    expected = sum(510 if d.weekday() < 4 else 540 for d in open_days)
    assert CAL.working_minutes(start, end) == expected


def test_random_spans_from_minutes_to_two_years_agree_with_the_day_by_day_count():
    rng = random.Random(20261128)
    base = datetime(2025, 12, 1, tzinfo=UTC)
    for _ in range(400):
        start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 400), seconds=rng.randrange(60))
        end = start + timedelta(minutes=rng.choice([5, 600, 3000, 20000, 200000, 1000000]) * rng.random())
        assert CAL.working_minutes(start, end) == day_by_day(start, end), (start, end)


def test_span_starting_on_a_holiday_evening_and_ending_on_a_friday_morning():
    start = datetime.combine(date(2026, 3, 19), time(20, 0), TZ)  # Nyepi, evening
    end = datetime.combine(date(2026, 3, 27), time(8, 30), TZ)  # Friday, one hour after opening
    # 25 and 26 March are whole working days (Wed, Thu: 510 minutes each), then 60 minutes on Friday.
    assert CAL.working_minutes(start, end) == 510 + 510 + 60
