"""`flask ops backup DIR` and `flask ops restore DIR [--force]` (see app/ops/backup.py).

Operator output stays English like `flask demo`: it is read by whoever runs the
server, next to pg_dump's own messages.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

ops_cli = AppGroup("ops", help="Operations: backup and restore of the database and the scans.")


@ops_cli.command("backup")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Write the database (pg_dump -Fc, or SQLite's backup copy), the scans and a manifest into TARGET."""
    from app.ops.backup import BackupError, backup

    try:
        manifest = backup(target)
    except BackupError as exc:
        click.echo(f"Backup failed: {exc}", err=True)
        sys.exit(1)
    counts = manifest["counts"]
    click.echo(
        f"Backup written to {target}: {counts['cases']} case(s), {counts['scans']} scan(s), "
        f"{counts['certificates']} certificate(s), {len(manifest['files'])} file(s) in the manifest."
    )


@ops_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a non-empty database and add to a non-empty scans folder.")
def restore_command(source: Path, force: bool) -> None:
    """Check the backup in SOURCE, then restore it into the configured database and UPLOAD_DIR."""
    from app.ops.backup import BackupError, restore

    try:
        report = restore(source, force=force)
    except BackupError as exc:
        click.echo(f"Restore stopped:\n{exc}", err=True)
        sys.exit(1)
    if report.problems:
        click.echo("Restored, but the check found problems:\n" + "\n".join(report.problems), err=True)
        sys.exit(1)
    counts = report.counts
    click.echo(
        f"Restored {counts['cases']} case(s), {counts['scans']} scan(s), {counts['certificates']} certificate(s); "
        "every scan matches its checksum. Run `flask cases verify-chain` next."
    )


def register(app: Flask) -> None:
    app.cli.add_command(ops_cli)
