"""`flask office load FILE`, `flask office export` and `flask bootstrap`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from app.services.definition import DefinitionError

office_cli = AppGroup("office", help="Load and export the office definition (YAML, format 1).")


@office_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a loaded office that has another code.")
def load_command(path: Path, replace: bool) -> None:
    """Validate FILE and store the office, its hours and its roles' grants."""
    from app.office.definition import load_file

    try:
        office = load_file(path, replace=replace)
    except DefinitionError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_("%(code)s loaded: %(roles)d office roles", code=office.code, roles=len(office.roles or {})))


@office_cli.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def export_command(output: Path | None) -> None:
    """Write the loaded office back as a format-1 YAML document."""
    from app.office.definition import export

    try:
        text = export()
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@click.command("bootstrap")
@with_appcontext
def bootstrap_command() -> None:
    """Shipped office and services, roles and grants, holidays; safe to run again."""
    from app.core.bootstrap import bootstrap

    try:
        bootstrap()
    except DefinitionError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_("Baseline ready: office, services, roles and grants, holidays."))


def register(app: Flask) -> None:
    app.cli.add_command(office_cli)
    app.cli.add_command(bootstrap_command)
