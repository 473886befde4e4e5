"""`flask roles sync`: permissions, roles and default grants (idempotent)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

roles_cli = AppGroup("roles", help="FAB roles and permission grants.")


@roles_cli.command("sync")
def sync_command() -> None:
    """Create every permission, role and declared grant; never removes a grant."""
    from app.security.roles import sync_roles

    sync_roles()
    click.echo(_("Roles and permissions synced."))


def register(app: Flask) -> None:
    app.cli.add_command(roles_cli)
