"""The clock in words: a due time at a day's opening reads as the previous closing, and
working time reads in working days, hours and minutes (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar.holidays import HOLIDAYS_2026
from app.calendar.working_days import Calendar
from app.core.formatting import format_due, format_duration
from app.documents.service_documents import step_time
from tests.factories import OFFICE_HOURS

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def cal() -> Calendar:
    return Calendar.from_data(OFFICE_HOURS, [day for day, _name, _kind in HOLIDAYS_2026])


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_a_due_time_at_an_opening_shows_as_the_previous_working_days_closing(cal):
    friday_closing = wib(2026, 11, 27, 16, 30)
    assert cal.display_due(wib(2026, 11, 30, 7, 30)) == friday_closing  # Monday 07.30
    assert cal.display_due(wib(2026, 11, 28, 7, 30)) == friday_closing  # Saturday 07.30
    assert cal.display_due(wib(2026, 11, 30, 7, 0)) == friday_closing  # before Monday's opening
    assert cal.display_due(wib(2026, 11, 24, 7, 30)) == wib(2026, 11, 23, 16, 0)  # Tuesday: Monday closes 16.00
    assert cal.display_due(wib(2026, 3, 24, 7, 30)) == wib(2026, 3, 17, 16, 0)  # back across Nyepi and Idul Fitri
    inside = wib(2026, 11, 30, 10, 15)
    assert cal.display_due(inside) == inside  # inside office hours: itself
    assert cal.display_due(inside).tzinfo is not None
    # The same instant of working time either way: no office minute lies between.
    assert cal.working_minutes(cal.display_due(wib(2026, 11, 30, 7, 30)), wib(2026, 11, 30, 7, 30)) == 0


def test_the_working_day_is_the_usual_one(cal):
    assert cal.day_minutes == 510  # Monday to Thursday 07.30-16.00; Friday's longer day is the exception


@pytest.mark.parametrize(
    ("minutes", "indonesian", "english"),
    [
        (0, "0 menit kerja", "0 working minutes"),
        (35, "35 menit kerja", "35 working minutes"),
        (60, "1 jam kerja", "1 working hour"),
        (135, "2 jam 15 menit kerja", "2 working hours 15 minutes"),
        (510, "1 hari kerja", "1 working day"),
        (510 + 120, "1 hari 2 jam kerja", "1 working day 2 hours"),
        (4 * 510, "4 hari kerja", "4 working days"),
        (34 * 60 + 30, "4 hari 30 menit kerja", "4 working days 30 minutes"),
    ],
)
def test_durations_read_in_words(minutes, indonesian, english):
    assert format_duration(minutes, 510, "id") == indonesian
    assert format_duration(minutes, 510, "en") == english


def test_without_a_day_length_a_duration_reads_in_hours():
    assert format_duration(34 * 60 + 30, None, "id") == "34 jam 30 menit kerja"
    assert format_duration(None, 510, "id") == ""


def test_due_times_read_with_the_weekday_in_both_languages(app):
    monday_opening = wib(2026, 11, 30, 7, 30).astimezone(UTC)
    with app.app_context():
        assert format_due(monday_opening, "id") == "Jumat, 27 November 2026 16.30"
        assert format_due(monday_opening, "en") == "Friday, 27 November 2026 16.30"
        assert format_due(monday_opening + timedelta(hours=2), "id") == "Senin, 30 November 2026 09.30"


def test_a_steps_standard_reads_as_its_spent_time_does(app):
    """One way to write a standard time: the SOP table's `4 hari kerja` is what 4 x 510 minutes read."""
    from types import SimpleNamespace

    with app.app_context():
        four_days = SimpleNamespace(working_days=4, hours=None, minutes=None)
        assert step_time(four_days) == "4 hari kerja" == format_duration(4 * 510, 510, "id")
        assert step_time(SimpleNamespace(working_days=None, hours=None, minutes=35)) == "35 menit kerja"
        assert step_time(SimpleNamespace(working_days=None, hours=2, minutes=None)) == "2 jam kerja"
