"""Working-time arithmetic on the shipped 2026 calendar, built from plain data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from app.calendar.holidays import HOLIDAYS_2026
from app.calendar.working_days import Calendar, case_due, step_due
from tests.factories import OFFICE_HOURS

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def cal() -> Calendar:
    return Calendar.from_data(OFFICE_HOURS, [day for day, _name, _kind in HOLIDAYS_2026])


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_weekends_and_holidays_are_not_working_days(cal):
    assert cal.is_working_day(date(2026, 3, 17))  # Tuesday
    assert not cal.is_working_day(date(2026, 3, 14))  # Saturday
    assert not cal.is_working_day(date(2026, 3, 15))  # Sunday
    assert not cal.is_working_day(date(2026, 3, 19))  # Nyepi
    assert not cal.is_working_day(date(2026, 3, 23))  # cuti bersama Idul Fitri
    assert not cal.is_working_day(date(2026, 8, 17))  # Independence Day, a Monday


def test_four_working_days_across_nyepi_and_idul_fitri(cal):
    due = cal.add(wib(2026, 3, 17, 10, 0), working_days=4)
    assert due == wib(2026, 3, 30, 10, 0)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


def test_working_days_from_outside_office_hours_start_at_next_opening(cal):
    # Saturday: counts from Monday 07:30.
    assert cal.add(wib(2026, 6, 6, 11, 0), working_days=1) == wib(2026, 6, 9, 7, 30)
    # Tuesday after closing: counts from Wednesday 07:30.
    assert cal.add(wib(2026, 6, 9, 17, 0), working_days=1) == wib(2026, 6, 11, 7, 30)
    # Before opening: counts from the same day's opening.
    assert cal.add(wib(2026, 6, 9, 6, 0), working_days=2) == wib(2026, 6, 11, 7, 30)


def test_friday_late_start_is_cut_to_next_days_closing(cal):
    # 16:15 is inside Friday's longer hours, past Monday's 16:00 closing.
    assert cal.add(wib(2026, 6, 5, 16, 15), working_days=1) == wib(2026, 6, 8, 16, 0)


def test_minutes_roll_over_closing_to_next_opening(cal):
    assert cal.add(wib(2026, 6, 9, 15, 50), minutes=35) == wib(2026, 6, 10, 7, 55)
    # Friday closes at 16:30, Monday's remainder is 5 minutes.
    assert cal.add(wib(2026, 3, 13, 16, 0), minutes=35) == wib(2026, 3, 16, 7, 35)
    # A task that ends exactly at closing is due at closing, not next morning.
    assert cal.add(wib(2026, 6, 9, 15, 25), minutes=35) == wib(2026, 6, 9, 16, 0)


def test_minutes_before_opening_and_on_holiday_start_at_opening(cal):
    assert cal.add(wib(2026, 6, 9, 5, 0), minutes=3) == wib(2026, 6, 9, 7, 33)
    # Waisak (Sunday) and Pancasila day (Monday 1 June): first opening Tuesday.
    assert cal.add(wib(2026, 5, 29, 16, 30), minutes=10) == wib(2026, 6, 2, 7, 40)


def test_hours_count_office_hours_only(cal):
    # 8.5 h on Monday-Thursday: 10 h from Thursday 10:00 runs into Friday.
    assert cal.add(wib(2026, 6, 11, 10, 0), hours=10) == wib(2026, 6, 12, 11, 30)
    assert cal.add(wib(2026, 6, 11, 10, 0), hours=10) == cal.add(wib(2026, 6, 11, 10, 0), minutes=600)


def test_utc_input_gives_same_due_time(cal):
    local = wib(2026, 3, 17, 10, 0)
    assert cal.add(local.astimezone(UTC), working_days=4) == wib(2026, 3, 30, 10, 0)
    # Timestamps come back from the database aware (models.base.UTCDateTime): a
    # naive value is a bug somewhere, refused rather than guessed 7 hours off.
    naive_utc = local.astimezone(UTC).replace(tzinfo=None)
    with pytest.raises(ValueError, match="naive"):
        cal.add(naive_utc, minutes=30)


def test_add_needs_exactly_one_non_negative_amount(cal):
    with pytest.raises(ValueError):
        cal.add(wib(2026, 6, 9, 10, 0))
    with pytest.raises(ValueError):
        cal.add(wib(2026, 6, 9, 10, 0), minutes=5, working_days=1)
    with pytest.raises(ValueError):
        cal.add(wib(2026, 6, 9, 10, 0), minutes=-5)


def test_add_working_days_date(cal):
    assert cal.add_working_days_date(date(2026, 3, 17), 0) == date(2026, 3, 17)
    assert cal.add_working_days_date(date(2026, 3, 17), 1) == date(2026, 3, 25)
    assert cal.add_working_days_date(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert cal.add_working_days_date(date(2026, 3, 21), 1) == date(2026, 3, 25)


def test_working_minutes_across_weekend_and_holidays(cal):
    # Friday 16:00 -> Monday 08:00: 30 min on Friday, 30 on Monday.
    assert cal.working_minutes(wib(2026, 6, 5, 16, 0), wib(2026, 6, 8, 8, 0)) == 60
    # The whole Nyepi/Idul Fitri block holds no working time.
    assert cal.working_minutes(wib(2026, 3, 17, 16, 0), wib(2026, 3, 25, 7, 30)) == 0
    # One full Monday and one full Friday.
    assert cal.working_minutes(wib(2026, 6, 8, 0, 0), wib(2026, 6, 9, 0, 0)) == 510
    assert cal.working_minutes(wib(2026, 6, 12, 0, 0), wib(2026, 6, 13, 0, 0)) == 540


def test_working_minutes_is_zero_when_end_not_after_start(cal):
    start = wib(2026, 6, 9, 10, 0)
    assert cal.working_minutes(start, start) == 0
    assert cal.working_minutes(start, start - timedelta(hours=3)) == 0


@pytest.mark.parametrize(
    "start",
    [
        wib(2026, 3, 13, 16, 29, 45),  # Friday, just before closing, with seconds
        wib(2026, 3, 17, 10, 0),  # before the long March holidays
        wib(2026, 5, 13, 15, 0),  # before Ascension + cuti bersama
        wib(2026, 6, 6, 9, 0),  # Saturday
        wib(2026, 6, 9, 4, 0),  # before opening
        wib(2026, 12, 23, 16, 0),  # at closing, before Christmas
    ],
)
@pytest.mark.parametrize("minutes", [1, 3, 35, 509, 510, 511, 1440, 5000])
def test_working_minutes_inverts_add(cal, start, minutes):
    due = cal.add(start, minutes=minutes)
    assert cal.working_minutes(start, due) == minutes
    assert cal.is_working_day(due.astimezone(WIB).date())
    assert due > start


def test_step_due_and_case_due(cal):
    start = wib(2026, 3, 17, 10, 0)
    inspect = SimpleNamespace(minutes=None, hours=None, working_days=4)
    verify = SimpleNamespace(minutes=35, hours=None, working_days=None)
    assert step_due(cal, start, inspect) == wib(2026, 3, 30, 10, 0)
    assert step_due(cal, start, verify) == wib(2026, 3, 17, 10, 35)
    assert case_due(cal, start, 6) == wib(2026, 4, 1, 10, 0)


def test_weekday_without_hours_is_closed():
    cal = Calendar.from_data([(0, time(8, 0), time(12, 0))])  # Mondays only
    assert not cal.is_working_day(date(2026, 6, 9))
    assert cal.add(wib(2026, 6, 8, 11, 0), minutes=90) == wib(2026, 6, 15, 8, 30)
    with pytest.raises(ValueError):
        Calendar.from_data([]).add(wib(2026, 6, 8, 11, 0), minutes=1)
