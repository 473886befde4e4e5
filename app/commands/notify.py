"""`flask notify send`: deliver the due messages of the outbox (cron or a loop)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

notify_cli = AppGroup("notify", help="Notification outbox (SMS, e-mail, letters).")


@notify_cli.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1), help="Most messages to process.")
@click.option("--worker", default=None, help="Name recorded on claimed messages (default host:pid).")
def send_command(limit: int, worker: str | None) -> None:
    """Send due outbox messages; safe to run on several machines at once."""
    from app.notify.outbox import send_pending

    counts = send_pending(limit=limit, worker_id=worker)
    click.echo(
        _(
            "Outbox: %(sent)d sent, %(retry)d to retry, %(failed)d failed, %(requeued)d expired claims taken back.",
            **counts,
        )
    )


def register(app: Flask) -> None:
    app.cli.add_command(notify_cli)
