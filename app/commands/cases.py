"""`flask cases verify-chain` and `flask cases remind-uncollected`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

cases_cli = AppGroup("cases", help="Cases: control-card integrity and reminders.")


def month_before(moment: datetime) -> datetime:
    """The same instant one calendar month earlier (31 March -> 28/29 February)."""
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def remind_uncollected(now: datetime | None = None) -> int:
    """Queue one reminder letter per product completed over a month ago and not collected."""
    from app.core import audit
    from app.core.extensions import db
    from app.core.formatting import format_date
    from app.notify.outbox import enqueue
    from models import Case

    now = now or datetime.now(UTC)
    cases = db.session.scalars(
        select(Case)
        .where(Case.status == "completed", Case.reminder_queued_at.is_(None), Case.completed_at <= month_before(now))
        .order_by(Case.id)
        .with_for_update(skip_locked=True)
    ).all()
    queued = 0
    for case in cases:
        applicant = case.applicant
        with force_locale("id"):
            subject = _("Reminder to collect %(product)s", product=case.service.product)
            body = _(
                "Dear %(name)s, %(product)s for application %(no)s has been ready since %(date)s "
                "and has not been collected. Please collect it at the office, bringing your receipt.",
                name=applicant.name,
                product=case.service.product,
                no=case.registration_no,
                date=format_date(case.completed_at),
            )
        recipient = "\n".join(part for part in (applicant.name, applicant.address) if part)
        if (
            enqueue(
                "letter", recipient, body, subject=subject, dedupe_key=f"case-{case.id}-uncollected", case_id=case.id
            )
            is not None
        ):
            queued += 1
        case.reminder_queued_at = now
        audit.record("case.remind_uncollected", "case", case.id, after={"reminder_queued_at": now})
    db.session.commit()
    return queued


@cases_cli.command("verify-chain")
def verify_chain_command() -> None:
    """Check every control card's hash chain; name each altered case (exit 1 if any)."""
    from app.cases.control_card import broken_cases

    broken = broken_cases()
    for case in broken:
        click.echo(_("ALTERED control card: case %(id)d %(no)s", id=case.id, no=case.registration_no))
    if broken:
        click.echo(_("%(n)d case(s) with an altered control card.", n=len(broken)))
        sys.exit(1)
    click.echo(_("Every control card is intact."))


@cases_cli.command("remind-uncollected")
def remind_uncollected_command() -> None:
    """Queue reminder letters for products not collected a month after completion."""
    click.echo(_("%(n)d reminder letter(s) queued.", n=remind_uncollected()))


def register(app: Flask) -> None:
    app.cli.add_command(cases_cli)
