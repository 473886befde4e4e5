"""Working time: due times and elapsed office minutes against office hours and holidays.

The SLA clock of every case and step counts only office hours (office time zone),
skipping weekends, national holidays and joint leave days (cuti bersama). All
arithmetic happens in local time; results are returned as UTC-aware datetimes,
the form timestamps are stored in.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from app.core.timezone import office_tz
from models import Holiday, OfficeHours


class CalendarNotSetUp(ValueError):
    """No working day within a year: the office hours are missing (the office definition is not loaded).

    An administrator's setup error, not an officer's: answered as 503 with a
    message saying what to do (app.setup.errors), never as a crash.
    """

    def __init__(self) -> None:
        super().__init__(
            "the calendar has no working day within a year: load the office definition "
            "(`flask bootstrap`) or set the office hours"
        )


# A year without a single working day means the calendar is misconfigured
# (all office hours deleted); stop there instead of looping forever.
_SEARCH_LIMIT_DAYS = 366
_CACHE_KEY = "_sp_working_calendar"


@dataclass(frozen=True)
class Calendar:
    """Office hours per weekday (0 = Monday; missing = closed), the holiday set and the office's zone."""

    hours: Mapping[int, tuple[time, time]]
    holidays: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = field(default_factory=office_tz)

    @classmethod
    def from_data(
        cls, hours: Iterable[tuple[int, time, time]], holidays: Iterable[date] = (), tz: ZoneInfo | None = None
    ) -> Calendar:
        """Build from plain rows: `(weekday, opens, closes)` and holiday dates (zone: the office's)."""
        table = {}
        for weekday, opens, closes in hours:
            if not opens < closes:
                raise ValueError(f"office hours of weekday {weekday}: opens must be before closes")
            table[weekday] = (opens, closes)
        return cls(hours=table, holidays=frozenset(holidays), tz=tz or office_tz())

    @classmethod
    def from_db(cls) -> Calendar:
        """The calendar of the OfficeHours and Holiday tables.

        Cached for the current app context (one request or one CLI run); any
        flushed change to those tables drops the cache (see `_invalidate`), and
        so does loading an office in another time zone.
        """
        from flask import g, has_app_context

        cached = g.get(_CACHE_KEY) if has_app_context() else None
        if cached is not None and cached.tz == office_tz():
            return cached
        from app.core.extensions import db

        cal = cls.from_data(
            db.session.execute(select(OfficeHours.weekday, OfficeHours.opens, OfficeHours.closes)).all(),
            db.session.scalars(select(Holiday.date)),
        )
        if has_app_context():
            setattr(g, _CACHE_KEY, cal)
        return cal

    # --- days -------------------------------------------------------------

    def _local(self, value: datetime) -> datetime:
        """An aware instant in the office's time zone; a naive one is refused, never guessed."""
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give the calendar aware instants")
        return value.astimezone(self.tz)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.hours and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """Opening and closing instants of `day` in local time; None when closed."""
        if not self.is_working_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        return datetime.combine(day, opens, self.tz), datetime.combine(day, closes, self.tz)

    def _next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for _ in range(_SEARCH_LIMIT_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise CalendarNotSetUp()

    def add_working_days_date(self, day: date, n: int) -> date:
        """The date `n` working days after `day` (`day` itself is not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        for _ in range(n):
            day = self._next_working_day(day)
        return day

    # --- instants ---------------------------------------------------------

    def _next_open_instant(self, local: datetime) -> datetime:
        """`local` itself when the office is open then, else the next opening."""
        window = self._window(local.date())
        if window is not None:
            opens, closes = window
            if local < opens:
                return opens
            if local < closes:
                return local
        return self._working_window(self._next_working_day(local.date()))[0]

    def add(
        self,
        start: datetime,
        minutes: int | None = None,
        hours: int | None = None,
        working_days: int | None = None,
    ) -> datetime:
        """The due time of a task started at `start` taking the given working time.

        Give exactly one of `minutes`, `hours` (counted inside office hours only,
        rolling over closing time to the next opening) or `working_days` (the same
        clock time that many working days later; a start outside office hours
        first moves to the next opening, and a clock time past the target day's
        closing, e.g. after Friday's longer hours, is cut to that closing).
        """
        given = [v for v in (minutes, hours, working_days) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of minutes, hours, working_days")
        if given[0] < 0:
            raise ValueError("working time must not be negative")
        if working_days is not None:
            return self._add_days(start, working_days)
        total = timedelta(minutes=minutes) if minutes is not None else timedelta(hours=hours or 0)
        if not total:
            return self._local(start).astimezone(UTC)
        cursor = self._next_open_instant(self._local(start))
        while True:
            closes = self._working_window(cursor.date())[1]
            if total <= closes - cursor:
                return (cursor + total).astimezone(UTC)
            total -= closes - cursor
            cursor = self._working_window(self._next_working_day(cursor.date()))[0]

    def _working_window(self, day: date) -> tuple[datetime, datetime]:
        """Opening and closing of a day the calendar already knows to be a working day."""
        window = self._window(day)
        if window is None:
            raise CalendarNotSetUp()
        return window

    def _add_days(self, start: datetime, n: int) -> datetime:
        begin = self._next_open_instant(self._local(start))
        target = self.add_working_days_date(begin.date(), n)
        opens, closes = self._working_window(target)
        due = datetime.combine(target, begin.time(), self.tz)
        return min(max(due, opens), closes).astimezone(UTC)

    def display_due(self, due: datetime) -> datetime:
        """The instant to show for a due time: the end of a working day rather than the start of the next.

        A due time at or before a day's opening (or on a closed day) is the same
        instant of working time as the previous working day's closing, and reads
        as that: `Jumat 16.30`, never `Senin 07.30` or `Sabtu 07.30`.
        """
        local = self._local(due)
        window = self._window(local.date())
        if window is not None and local > window[0]:
            return min(local, window[1]).astimezone(UTC)
        day = local.date()
        for _ in range(_SEARCH_LIMIT_DAYS):
            day -= timedelta(days=1)
            previous = self._window(day)
            if previous is not None:
                return previous[1].astimezone(UTC)
        raise CalendarNotSetUp()

    @cached_property
    def day_minutes(self) -> int:
        """The length of the office's usual working day in minutes (the most common one; ties: the longest).

        What "one working day" means when a working time is written in days
        (`1 hari 2 jam kerja`); 0 when the calendar has no office hours.
        """
        lengths = list(self._day_minutes.values())
        return max(lengths, key=lambda n: (lengths.count(n), n)) if lengths else 0

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Whole office minutes between two instants; 0 when `end` is not after `start`.

        The first and last days are measured against their windows; whole days in
        between are counted per weekday with the holidays taken off, so a case two
        years late costs the same as one a day late (worklists compute this per row).
        """
        start, end = self._local(start), self._local(end)
        if end <= start:
            return 0
        first, last = start.date(), end.date()
        if (last - first).days < 2:
            return int(self._seconds_within(start, end) // 60)
        after_first = datetime.combine(first + timedelta(days=1), time(0), self.tz)
        start_of_last = datetime.combine(last, time(0), self.tz)
        seconds = self._seconds_within(start, after_first) + self._seconds_within(start_of_last, end)
        whole = self._whole_days_minutes(first + timedelta(days=1), last - timedelta(days=1))
        return whole + int(seconds // 60)

    def _seconds_within(self, start: datetime, end: datetime) -> float:
        """Office seconds between two local instants, day by day (short spans only)."""
        spent = 0.0
        day = start.date()
        while day <= end.date():
            window = self._window(day)
            if window is not None:
                lo, hi = max(window[0], start), min(window[1], end)
                if hi > lo:
                    spent += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return spent

    @cached_property
    def _day_minutes(self) -> dict[int, int]:
        return {
            wd: (datetime.combine(date.min, c) - datetime.combine(date.min, o)).seconds // 60
            for wd, (o, c) in self.hours.items()
        }

    @cached_property
    def _sorted_holidays(self) -> list[date]:
        return sorted(self.holidays)

    def _whole_days_minutes(self, first: date, last: date) -> int:
        """Office minutes of every whole day from `first` to `last` inclusive."""
        n_days = (last - first).days + 1
        if n_days <= 0:
            return 0
        weeks, rest = divmod(n_days, 7)
        total = 0
        for weekday, minutes in self._day_minutes.items():
            extra = 1 if (weekday - first.weekday()) % 7 < rest else 0
            total += (weeks + extra) * minutes
        lo = bisect_left(self._sorted_holidays, first)
        hi = bisect_right(self._sorted_holidays, last)
        for holiday in self._sorted_holidays[lo:hi]:
            total -= self._day_minutes.get(holiday.weekday(), 0)
        return total


def step_due(cal: Calendar, start: datetime, step: Any) -> datetime:
    """Due time of an SOP step (`step.minutes`, `.hours` or `.working_days`) started at `start`."""
    return cal.add(start, minutes=step.minutes, hours=step.hours, working_days=step.working_days)


def case_due(cal: Calendar, start: datetime, working_days: int) -> datetime:
    """Due time of a whole case: the service's completion time in working days."""
    return cal.add(start, working_days=working_days)


def office_day_minutes() -> int | None:
    """The loaded office's working-day length (`Calendar.day_minutes`); None outside an app context or before setup."""
    from flask import has_app_context

    if not has_app_context():
        return None
    return Calendar.from_db().day_minutes or None


def _invalidate(mapper, connection, target) -> None:
    """Drop the cached calendar once office hours or holidays change."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop(_CACHE_KEY, None)


for _model in (Holiday, OfficeHours):
    for _event in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _event, _invalidate)
