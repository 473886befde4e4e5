"""A small, hand-counted data set for the dashboard (rows inserted straight into the models)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.core.extensions import db

PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}


def utc(y: int, m: int, d: int, h: int = 3) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=UTC)


@pytest.fixture
def data(app, make_user):
    """Cases A-E, six control-card rows, four complaints, three survey answers; see each comment."""
    from models import Applicant, Case, Complaint, ControlCardEntry, Service, SurveyResponse

    fo = make_user("Front Office", username="fo_dash", first_name="Fina", last_name="Loket")
    tt = make_user("Tim Teknis", username="tt_dash", first_name="Toni", last_name="Teknis")
    with app.app_context():
        sm = app.appbuilder.sm
        fo_id, tt_id = sm.find_user(username=fo).id, sm.find_user(username=tt).id
        service_id = db.session.scalar(select(Service.id).where(Service.code == "TD-BKK"))
        person = Applicant(nik="1471010101909999", name="Pemohon Dasbor")
        db.session.add(person)
        db.session.flush()

        def case(no, status, step, received, step_due):
            c = Case(
                registration_no=no,
                service_id=service_id,
                applicant_id=person.id,
                status=status,
                current_step_no=step,
                received_at=received,
                step_due_at=step_due,
                due_at=step_due,
            )
            db.session.add(c)
            return c

        far = utc(2099, 1, 1)
        a = case("DASH-A", "in_progress", 3, utc(2026, 1, 5), utc(2026, 1, 10))  # late now
        b = case("DASH-B", "in_progress", 2, utc(2026, 2, 3), far)  # on time
        case("DASH-C", "returned", 2, utc(2026, 2, 4), utc(2026, 2, 5))  # clock stopped: not late
        d = case("DASH-D", "handed_over", None, utc(2026, 1, 6), None)
        case("DASH-E", "in_progress", 4, utc(2025, 12, 30), utc(2026, 1, 2))  # late, received before the period
        db.session.flush()

        def card(c, seq, step, officer, acted, spent, late):
            db.session.add(
                ControlCardEntry(
                    case_id=c.id,
                    seq=seq,
                    step_no=step,
                    role="r",
                    officer_id=officer,
                    officer_name="x",
                    received_at=acted,
                    acted_at=acted,
                    outcome="forward",
                    standard_minutes=35 if step == 2 else 1920,
                    spent_minutes=spent,
                    late=late,
                    hash=f"{c.id}-{seq}",
                )
            )

        card(a, 1, 2, fo_id, utc(2026, 1, 7), 30, False)
        card(d, 1, 2, fo_id, utc(2026, 1, 8), 50, True)
        card(d, 2, 3, tt_id, utc(2026, 1, 31, 20), 1000, False)  # 1 Feb 03:00 in Pekanbaru: February
        card(b, 1, 2, fo_id, utc(2026, 2, 10), 20, False)
        card(a, 0, 2, fo_id, utc(2025, 12, 31, 10), 99, True)  # before the period
        card(a, 2, 3, tt_id, utc(2026, 4, 1, 10), 5000, True)  # after the period

        def complaint(no, weight, channel, status, received):
            db.session.add(
                Complaint(
                    number=no,
                    weight=weight,
                    channel=channel,
                    status=status,
                    received_at=received,
                    complainant_name="P",
                    subject="S",
                    description="D",
                )
            )

        complaint("PGD-1", "ringan", "letter", "closed", utc(2026, 1, 9))
        complaint("PGD-2", None, "web_form", "received", utc(2026, 3, 2))
        complaint("PGD-3", "berat", "email", "handling", utc(2026, 2, 2))
        complaint("PGD-4", "ringan", "letter", "received", utc(2025, 11, 2))  # before the period

        for day, score in ((date(2026, 1, 20), 4), (date(2026, 2, 20), 3), (date(2025, 6, 1), 1)):
            db.session.add(
                SurveyResponse(
                    service_id=service_id, date=day, source="paper", **{f"u{i}": score for i in range(1, 10)}
                )
            )
        db.session.commit()
    return {"fo": fo, "tt": tt}
