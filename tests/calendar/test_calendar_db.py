"""The calendar read from the seeded OfficeHours and Holiday tables."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.calendar.working_days import Calendar
from app.core.extensions import db
from models import Holiday, OfficeHours

WIB = ZoneInfo("Asia/Jakarta")


def test_seeded_calendar_gives_the_sop_due_time(app):
    with app.app_context():
        cal = Calendar.from_db()
        assert cal.add(datetime(2026, 3, 17, 10, 0, tzinfo=WIB), working_days=4) == datetime(
            2026, 3, 30, 10, 0, tzinfo=WIB
        )
        assert cal.hours[4] == (time(7, 30), time(16, 30))
        assert 5 not in cal.hours and 6 not in cal.hours


def test_holiday_added_by_an_administrator_counts_at_once(app):
    tuesday = date(2026, 6, 9)
    with app.app_context():
        assert Calendar.from_db().is_working_day(tuesday)
        db.session.add(Holiday(date=tuesday, name="Hari Jadi Kota Pekanbaru", kind="national"))
        db.session.commit()
        cal = Calendar.from_db()
        assert not cal.is_working_day(tuesday)
        assert cal.add_working_days_date(date(2026, 6, 8), 1) == date(2026, 6, 10)


def test_office_hours_edit_and_removal_count_at_once(app):
    with app.app_context():
        assert Calendar.from_db().is_working_day(date(2026, 6, 12))
        friday = db.session.scalar(select(OfficeHours).where(OfficeHours.weekday == 4))
        monday = db.session.scalar(select(OfficeHours).where(OfficeHours.weekday == 0))
        monday.closes = time(12, 0)
        db.session.delete(friday)
        db.session.commit()
        cal = Calendar.from_db()
        assert not cal.is_working_day(date(2026, 6, 12))
        assert (
            cal.working_minutes(datetime(2026, 6, 8, 0, 0, tzinfo=WIB), datetime(2026, 6, 9, 0, 0, tzinfo=WIB)) == 270
        )
