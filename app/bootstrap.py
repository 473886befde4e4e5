"""Bring a migrated database to a working baseline; idempotent.

Used by `flask demo`, by the test suite's template database and by operators
after `flask db upgrade` on a new installation.
"""
from __future__ import annotations

from pathlib import Path

SERVICES_DIR = Path(__file__).resolve().parent / "services"


def bootstrap() -> None:
    """Permissions and roles, the shipped service definitions, the calendar."""
    from app.calendar_seed import seed_calendar
    from app.roles import sync_roles
    from app.service_loader import load_file

    sync_roles()
    for path in sorted(SERVICES_DIR.glob("*.yaml")):
        load_file(path)
    seed_calendar()
