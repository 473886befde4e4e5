"""The 2026 holidays (SKB 3 Menteri); idempotent. Office hours come from the office definition."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core.extensions import db
from models import Holiday

# National holidays and joint leave days (cuti bersama) of 2026, per the joint
# ministerial decree (SKB 3 Menteri).
HOLIDAYS_2026: list[tuple[date, str, str]] = [
    (date(2026, 1, 1), "Tahun Baru 2026 Masehi", "national"),
    (date(2026, 1, 16), "Isra Mikraj Nabi Muhammad SAW", "national"),
    (date(2026, 2, 16), "Cuti bersama Tahun Baru Imlek", "cuti_bersama"),
    (date(2026, 2, 17), "Tahun Baru Imlek 2577 Kongzili", "national"),
    (date(2026, 3, 18), "Cuti bersama Hari Suci Nyepi", "cuti_bersama"),
    (date(2026, 3, 19), "Hari Suci Nyepi Tahun Baru Saka 1948", "national"),
    (date(2026, 3, 20), "Cuti bersama Idul Fitri 1447 H", "cuti_bersama"),
    (date(2026, 3, 21), "Hari Raya Idul Fitri 1447 H", "national"),
    (date(2026, 3, 22), "Hari Raya Idul Fitri 1447 H", "national"),
    (date(2026, 3, 23), "Cuti bersama Idul Fitri 1447 H", "cuti_bersama"),
    (date(2026, 3, 24), "Cuti bersama Idul Fitri 1447 H", "cuti_bersama"),
    (date(2026, 4, 3), "Wafat Yesus Kristus", "national"),
    (date(2026, 4, 5), "Kebangkitan Yesus Kristus (Paskah)", "national"),
    (date(2026, 5, 1), "Hari Buruh Internasional", "national"),
    (date(2026, 5, 14), "Kenaikan Yesus Kristus", "national"),
    (date(2026, 5, 15), "Cuti bersama Kenaikan Yesus Kristus", "cuti_bersama"),
    (date(2026, 5, 27), "Hari Raya Idul Adha 1447 H", "national"),
    (date(2026, 5, 28), "Cuti bersama Idul Adha 1447 H", "cuti_bersama"),
    (date(2026, 5, 31), "Hari Raya Waisak 2570 BE", "national"),
    (date(2026, 6, 1), "Hari Lahir Pancasila", "national"),
    (date(2026, 6, 16), "Tahun Baru Islam 1448 H", "national"),
    (date(2026, 8, 17), "Hari Proklamasi Kemerdekaan RI", "national"),
    (date(2026, 8, 25), "Maulid Nabi Muhammad SAW", "national"),
    (date(2026, 12, 24), "Cuti bersama Hari Raya Natal", "cuti_bersama"),
    (date(2026, 12, 25), "Hari Raya Natal", "national"),
]


def seed_calendar() -> None:
    """Add the missing holidays; never overwrite an edited row."""
    known = set(db.session.scalars(select(Holiday.date)))
    for day, name, kind in HOLIDAYS_2026:
        if day not in known:
            db.session.add(Holiday(date=day, name=name, kind=kind))
    db.session.commit()
