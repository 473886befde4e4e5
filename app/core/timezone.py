"""The office's time zone: the one source every clock, date and register reads.

The loaded office definition names it (`timezone:`, checked equal to the
configured TIMEZONE when the office loads); before an office is loaded, and
outside an app context (pure calendar arithmetic, scripts), the configured
TIMEZONE applies. Timestamps are stored in UTC (models.base.UTCDateTime) and
turned into office time only to be shown or to find a local day's bounds.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

_CACHE_KEY = "sp_office_tz"

__all__ = ["configured_zone", "forget", "office_tz", "sqlite_local_shift"]


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def configured_zone() -> str:
    """The configured TIMEZONE: the app's config in an app context, else config.Config's default."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config["TIMEZONE"])
    from config import Config

    return Config.TIMEZONE


def office_tz() -> ZoneInfo:
    """The ZoneInfo of the loaded office's time zone (else the configured TIMEZONE).

    Read once per app context (one request, one CLI run) and kept on `g`;
    loading an office definition drops it (`forget`).
    """
    from flask import g, has_app_context

    if not has_app_context():
        return _zone(configured_zone())
    zone = g.get(_CACHE_KEY)
    if zone is None:
        zone = _zone(_loaded_office_zone() or configured_zone())
        setattr(g, _CACHE_KEY, zone)
    return zone


def _loaded_office_zone() -> str | None:
    from sqlalchemy import select

    from app.core.extensions import db
    from models import Office

    # Never flush half-built objects of the caller just to read a clock.
    with db.session.no_autoflush:
        return db.session.scalar(select(Office.timezone).order_by(Office.id).limit(1))


def forget() -> None:
    """Drop the cached zone of this app context (an office definition was loaded)."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop(_CACHE_KEY, None)


def sqlite_local_shift() -> str:
    """SQLite's date modifier from stored UTC text to office wall-clock time, e.g. `+420 minutes`.

    SQLite knows no time zones: the zone's current offset is exact for zones
    without daylight saving time, which every Indonesian zone is.
    """
    offset = datetime.now(office_tz()).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return f"{minutes:+d} minutes"
