"""Bring a migrated database to a working baseline; idempotent (`flask bootstrap`).

Used by `flask demo`, by the test suite's template database and by operators
after `flask db upgrade` on a new installation: the shipped office definition
(letterhead, office hours, office roles), the shipped service definitions
(executor roles and step grants), every declared grant, and the holidays.
"""
from __future__ import annotations

from pathlib import Path

SERVICES_DIR = Path(__file__).resolve().parent / "services"
OFFICES_DIR = Path(__file__).resolve().parent / "offices"


def bootstrap() -> None:
    """Office, services, roles and grants, holidays; loading an unchanged file changes nothing."""
    from app.calendar_seed import seed_calendar
    from app.office import load_file as load_office
    from app.roles import sync_roles
    from app.service_loader import load_file

    sync_roles()
    for path in sorted(OFFICES_DIR.glob("*.yaml")):
        load_office(path)
    for path in sorted(SERVICES_DIR.glob("*.yaml")):
        load_file(path)
    seed_calendar()
    sync_roles()
