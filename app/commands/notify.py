"""`flask notify send` (one pass, from cron) and `flask notify worker` (a long-running loop).

Both claim rows with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL
(app.notify.outbox), so any number of them may run on any number of machines
and a message is never claimed by two of them at once.

The worker also prints long register exports (app.registers.jobs), claimed the
same way: one process to deploy and watch for all background work, no broker.
A long PDF delays the next SMS by its seconds, which the office never notices;
run a second worker when it should.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

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


@notify_cli.command("worker")
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait when nothing is due.",
)
@click.option("--batch", default=20, show_default=True, type=click.IntRange(min=1), help="Most messages per pass.")
@click.option("--worker", default=None, help="Name recorded on claimed messages (default host:pid).")
@click.option("--once", is_flag=True, help="One pass over the outbox and the export jobs, then exit.")
def worker_command(interval: float, batch: int, worker: str | None, once: bool) -> None:
    """Send the outbox and print queued exports until SIGTERM or Ctrl-C (the Procfile's `worker`)."""
    from app.core.extensions import db
    from app.notify.outbox import send_pending
    from app.registers.jobs import run_pending

    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        # Finish the message in hand (its outcome gets recorded), then leave: no claim is stranded.
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop)
    click.echo(_("Outbox worker started (polling every %(n)s s).", n=interval))
    while not stop.is_set():
        try:
            counts = send_pending(limit=batch, worker_id=worker)
        except Exception as exc:  # the database restarting must not end the worker: wait and retry
            db.session.rollback()
            click.echo(_("Outbox worker: pass failed (%(error)s); retrying.", error=type(exc).__name__), err=True)
            counts = {}
        finally:
            db.session.remove()
        if any(counts.values()):
            click.echo(
                _(
                    "Outbox: %(sent)d sent, %(retry)d to retry, %(failed)d failed, %(requeued)d expired claims taken back.",
                    **counts,
                )
            )
        # --once runs every queued export (a test, a cron line); the loop one per turn.
        exports = _run_exports(run_pending, worker, batch if once else 1)
        if once:
            break
        # A full batch means more may be due right away; otherwise wait (a signal wakes it).
        if sum(counts.get(key, 0) for key in ("sent", "retry", "failed")) < batch and not exports:
            stop.wait(interval)
    click.echo(_("Outbox worker stopped."))


def _run_exports(run_pending: Callable[..., dict[str, int]], worker: str | None, limit: int) -> int:
    """Up to `limit` queued exports (a long PDF takes seconds: the outbox gets its turn between two); returns jobs run."""
    from app.core.extensions import db

    try:
        counts = run_pending(limit=limit, worker_id=worker)
    except Exception as exc:  # like the outbox: a database restart must not end the worker
        db.session.rollback()
        click.echo(_("Export jobs: pass failed (%(error)s); retrying.", error=type(exc).__name__), err=True)
        return 0
    finally:
        db.session.remove()
    if any(counts.values()):
        click.echo(_("Export jobs: %(done)d ready, %(failed)d failed, %(expired)d files deleted.", **counts))
    return counts["done"] + counts["failed"]


def register(app: Flask) -> None:
    app.cli.add_command(notify_cli)
