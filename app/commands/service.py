"""`flask service load FILE` and `flask service export CODE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.services.definition import DefinitionError

service_cli = AppGroup("service", help="Load and export service definitions (YAML, format 1).")


@service_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def load_command(path: Path) -> None:
    """Validate FILE and create or update its service with its roles."""
    from app.services.loader import load_file

    try:
        service = load_file(path)
    except DefinitionError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        _(
            "%(code)s loaded: %(steps)d steps, %(requirements)d requirements",
            code=service.code,
            steps=len(service.steps),
            requirements=len(service.requirements),
        )
    )


@service_cli.command("export")
@click.argument("code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def export_command(code: str, output: Path | None) -> None:
    """Write service CODE back as a format-1 YAML document."""
    from app.services.loader import export

    try:
        text = export(code)
    except (LookupError, DefinitionError) as exc:
        raise click.ClickException(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def register(app: Flask) -> None:
    app.cli.add_command(service_cli)
