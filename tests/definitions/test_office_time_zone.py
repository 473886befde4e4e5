"""One time zone: timestamps are stored UTC, read back aware, and shown in the loaded office's zone."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.core.formatting import format_date, format_datetime
from app.core.timezone import office_tz
from app.office.definition import OFFICES_DIR
from app.services.yaml_format import dump, parse
from config import Config
from models import Complaint
from tests.registers.conftest import sample  # noqa: F401  (the register rows fixture)
from tests.registers.test_csv_export import export
from tests.registers.test_csv_export import parse as parse_csv

SHIPPED = next(iter(sorted(OFFICES_DIR.glob("*.yaml"))))


def _complaint(number: str, received_at: datetime) -> Complaint:
    return Complaint(
        number=number,
        channel="letter",
        complainant_name="Budi",
        subject="s",
        description="d",
        status="received",
        received_at=received_at,
    )


def test_outside_an_app_context_the_configured_zone_applies():
    assert office_tz() == ZoneInfo(Config.TIMEZONE)


def test_a_stored_timestamp_reads_back_aware_utc_and_shows_in_office_time(app):
    jakarta = ZoneInfo("Asia/Jakarta")
    with app.app_context():
        db.session.add(_complaint("ADU-TZ-1", datetime(2026, 11, 28, 14, 5, tzinfo=jakarta)))
        db.session.commit()
    with app.app_context():
        at = db.session.scalar(sa.select(Complaint.received_at).where(Complaint.number == "ADU-TZ-1"))
        assert at.tzinfo is UTC
        assert at == datetime(2026, 11, 28, 7, 5, tzinfo=UTC)
        assert format_datetime(at) == "28 November 2026 14.05"
        assert format_date(at) == "28 November 2026"
        # The column is stored as before: UTC (SQLite's text carries no offset).
        raw = db.session.execute(sa.text("SELECT received_at FROM complaint WHERE number = 'ADU-TZ-1'")).scalar()
        if db.engine.dialect.name == "sqlite":
            assert str(raw).startswith("2026-11-28 07:05:00")
        else:
            assert raw == datetime(2026, 11, 28, 7, 5, tzinfo=UTC)


def test_a_naive_timestamp_is_refused_not_guessed(app):
    with app.app_context():
        db.session.add(_complaint("ADU-TZ-2", datetime(2026, 11, 28, 14, 5)))
        with pytest.raises(sa.exc.StatementError, match="naive"):
            db.session.flush()
        db.session.rollback()


@pytest.fixture
def makassar(app_config, tmp_path):
    """An installation configured for WITA (UTC+8), and its office file saying so."""
    app_config["TIMEZONE"] = "Asia/Makassar"
    doc = copy.deepcopy(parse(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name))
    doc["timezone"] = "Asia/Makassar"
    path = tmp_path / "office-wita.yaml"
    path.write_text(dump(doc), encoding="utf-8")
    return path


def test_an_office_in_another_zone_shows_dates_and_registers_in_that_zone(
    makassar, app, runner, sample, client, auth, make_user
):
    result = runner.invoke(args=["office", "load", str(makassar)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert office_tz() == ZoneInfo("Asia/Makassar")
        # 23.30 in Jakarta is already the next day in Makassar.
        db.session.add(_complaint("ADU-TZ-3", datetime(2026, 11, 27, 16, 30, tzinfo=UTC)))
        db.session.commit()
    with app.app_context():
        at = db.session.scalar(sa.select(Complaint.received_at).where(Complaint.number == "ADU-TZ-3"))
        assert format_date(at) == "28 November 2026"
        assert format_datetime(at) == "28 November 2026 00.30"
    # The register's CSV is printed by the database (SQLite and PostgreSQL alike) in the office's zone.
    rows = parse_csv(export(client, auth.token(make_user("Kepala Bidang"))))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Diterima pada"] == "2026-01-15 11:00"  # 03:00 UTC, WITA
