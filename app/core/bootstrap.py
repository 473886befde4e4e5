"""Bring a migrated database to a working baseline; idempotent (`flask bootstrap`).

Used by `flask demo`, by the test suite's template database and by operators
after `flask db upgrade` on a new installation: the shipped office definition
(letterhead, office hours, office roles) and service definitions, every
declared grant, and the holidays. What is loaded already is never reloaded:
an office's own definitions and later edits survive every run; a changed
shipped file is applied with `flask service load` / `flask office load`.
"""

from __future__ import annotations


def bootstrap() -> None:
    """Office, services, roles and grants, holidays: only what is missing is added."""
    from sqlalchemy import select

    from app.calendar.holidays import seed_calendar
    from app.core.extensions import db
    from app.office.definition import OFFICES_DIR, loaded_office
    from app.office.definition import load as load_office
    from app.security.roles import sync_roles
    from app.services.loader import SERVICES_DIR, load
    from app.services.yaml_format import read_file
    from models import Service

    sync_roles()
    if loaded_office() is None:
        for path in sorted(OFFICES_DIR.glob("*.yaml")):
            load_office(*read_file(path))
    loaded = set(db.session.scalars(select(Service.code)))
    for path in sorted(SERVICES_DIR.glob("*.yaml")):
        data, name = read_file(path)
        if not (isinstance(data, dict) and data.get("code") in loaded):
            load(data, name)
    seed_calendar()
    sync_roles()
