"""`flask demo`: accounts once, secrets kept private, never in production."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from app import ConfigurationError, create_app
from app.commands.demo import DEMO_ACCOUNTS
from config import DEFAULT_SECRET_KEY


@pytest.fixture
def app_config(app_config):
    return {**app_config, "APP_ENV": "demo", "TESTING": True}


def test_demo_creates_one_account_per_role_once(app, runner, client, auth):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    accounts = Path(app.config["INSTANCE_PATH"]) / "demo-accounts.txt"
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    lines = [line.split("\t") for line in accounts.read_text().splitlines()]
    assert {row[0] for row in lines} == set(DEMO_ACCOUNTS)
    passwords = {row[0]: row[2] for row in lines}
    assert all(len(p) >= 12 for p in passwords.values())
    assert passwords["kadis"] in result.output  # shown once, at creation
    assert "Sample cases created" in result.output

    rv = auth.login("kepegawaian", passwords["kepegawaian"])
    assert rv.status_code == 302 and rv.headers["Location"].endswith("/")
    assert client.get("/admin/console_personnel/").status_code == 200

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert "Already exist, password unchanged" in again.output
    assert passwords["kadis"] not in again.output
    assert accounts.read_text().count("\n") == len(DEMO_ACCOUNTS)  # nothing appended
    auth.logout()
    assert auth.login("admin", passwords["admin"]).headers["Location"].endswith("/")


def test_demo_fills_every_screen_once(app, runner, client, auth):
    """Complaints, survey answers and the online applicant's own cases, through the engines, once."""
    from sqlalchemy import func, select

    from app.core.extensions import db
    from models import Case, Complaint, ComplaintEvent, SurveyResponse

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    passwords = {
        row.split("\t")[0]: row.split("\t")[2]
        for row in (Path(app.config["INSTANCE_PATH"]) / "demo-accounts.txt").read_text().splitlines()
    }
    with app.app_context():
        counts = {
            m: db.session.scalar(select(func.count()).select_from(m))
            for m in (Case, Complaint, ComplaintEvent, SurveyResponse)
        }
        statuses = set(db.session.scalars(select(Complaint.status)))
        sources = set(db.session.scalars(select(SurveyResponse.source)))
        pemohon = app.appbuilder.sm.find_user(username="pemohon")
        own = db.session.scalars(select(Case.registration_no).where(Case.created_by_id == pemohon.id)).all()
    assert statuses == {"received", "coordination", "handling", "review", "correction", "closed"}
    assert sources == {"invited", "paper"}
    assert len(own) == 2

    auth.login("pengaduan", passwords["pengaduan"])
    page = client.get("/complaints/").get_data(as_text=True)
    assert "Petugas loket sulit dihubungi" in page
    auth.logout()
    auth.login("kadis", passwords["kadis"])
    page = client.get("/survey/").get_data(as_text=True)
    assert re.search(r'class="sp-ikm">\d+,\d\d<', page)  # the index of the demo's answers
    auth.logout()
    auth.login("pemohon", passwords["pemohon"])
    page = client.get("/cases/worklist/").get_data(as_text=True)
    assert all(number in page for number in own)
    auth.logout()

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert counts == {m: db.session.scalar(select(func.count()).select_from(m)) for m in counts}


def test_demo_refuses_in_production(app_config, tmp_path):
    app = create_app(
        {
            **app_config,
            "APP_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "PUBLIC_BASE_URL": "https://layanan.example.test",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        }
    )
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "APP_ENV=demo or development" in result.output
    assert not (tmp_path / "demo-accounts.txt").exists()
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="admin") is None


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "", "short"])
def test_production_refuses_to_start_with_a_weak_secret_key(app_config, key):
    with pytest.raises(ConfigurationError):
        create_app(
            {
                **app_config,
                "APP_ENV": "production",
                "SECRET_KEY": key,
                "PUBLIC_BASE_URL": "https://layanan.example.test",
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            }
        )


def test_demo_never_signs_sessions_with_the_published_default_key(app_config, tmp_path):
    """The default key is in this repository; a demo server makes and keeps its own."""
    settings = {**app_config, "APP_ENV": "demo", "SECRET_KEY": DEFAULT_SECRET_KEY, "INSTANCE_PATH": str(tmp_path)}
    first = create_app(settings)
    key_file = tmp_path / "secret_key"
    assert first.config["SECRET_KEY"] != DEFAULT_SECRET_KEY and len(first.config["SECRET_KEY"]) >= 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app(settings).config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive a restart
