"""Dates and times are written exactly as Babel's CLDR patterns write them, in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime

from app.core.formatting import format_date, format_datetime, format_due
from app.core.timezone import office_tz

# Every month and weekday, both sides of midnight in office time, a leap day, year ends.
INSTANTS = [
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC) + timedelta(days=13 * i, hours=7 * i, minutes=11 * i) for i in range(60)
]
INSTANTS += [datetime(2028, 2, 29, 16, 59, tzinfo=UTC), datetime(2026, 12, 31, 17, 0, tzinfo=UTC)]


@pytest.mark.parametrize("locale", ["id", "en"])
def test_dates_and_times_read_as_the_cldr_patterns_write_them(app, locale):
    with app.app_context():
        tz = office_tz()
        for instant in INSTANTS:
            local = instant.astimezone(tz)
            assert format_date(instant, locale) == babel_date(local.date(), "d MMMM y", locale=locale)
            assert format_date(local.date(), locale) == babel_date(local.date(), "d MMMM y", locale=locale)
            assert format_datetime(instant, locale) == babel_datetime(local, "d MMMM y HH.mm", tzinfo=tz, locale=locale)


def test_a_due_time_names_its_weekday(app):
    with app.app_context():
        # Saturday 28 November 2026 14.05 in Jakarta; the calendar moves no time outside opening hours here.
        assert format_date(date(2026, 11, 28), "id") == "28 November 2026"
        due = format_due(datetime(2026, 11, 26, 7, 5, tzinfo=UTC), "id")
        assert due == "Kamis, 26 November 2026 14.05"
        assert format_due(datetime(2026, 11, 26, 7, 5, tzinfo=UTC), "en") == "Thursday, 26 November 2026 14.05"
