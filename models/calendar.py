"""The working-time calendar: holidays and office hours."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Date, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model

HOLIDAY_KINDS = ("national", "cuti_bersama")


class Holiday(Model):
    """A national holiday or a joint leave day (cuti bersama): no working time."""

    __tablename__ = "holiday"
    __console__ = {
        "label": "Holidays",
        "list": ["date", "name", "kind"],
        "search": ["name"],
        "filters": ["kind", "date"],
        "capabilities": {"console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date] = mapped_column(Date, unique=True, info={"label": "Date"})
    name: Mapped[str] = mapped_column(String(200), info={"label": "Name"})
    kind: Mapped[str] = mapped_column(String(20), default="national", info={"label": "Kind", "choices": HOLIDAY_KINDS})

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


class OfficeHours(Model):
    """Office hours of one weekday (0 = Monday); a weekday without a row is closed."""

    __tablename__ = "office_hours"
    __table_args__ = (UniqueConstraint("weekday"),)
    __console__ = {
        "label": "Office hours",
        "list": ["weekday", "opens", "closes"],
        "capabilities": {"console.read": ["list"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, info={"label": "Weekday", "labels": "weekday"})
    opens: Mapped[time] = mapped_column(Time, info={"label": "Opens"})
    closes: Mapped[time] = mapped_column(Time, info={"label": "Closes"})
