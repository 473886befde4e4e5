"""`flask demo`: a working demo from a fresh clone (database, baseline, one account per role)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.core.extensions import appbuilder, db, real_app

# username -> role: one demo login per role, named so a trainer can guess them.
DEMO_ACCOUNTS = {
    "admin": "Admin",
    "frontoffice": "Front Office",
    "backoffice": "Back Office",
    "timteknis": "Tim Teknis",
    "jfmuda": "JF Analis Kebijakan Ahli Muda",
    "jfmadya": "JF Analis Kebijakan Ahli Madya",
    "sekretaris": "Sekretaris",
    "kadis": "Kepala Dinas",
    "pemohon": "Pemohon",
    "pengaduan": "Petugas Pengaduan",
    "kabid": "Kepala Bidang",
    "kepegawaian": "Kepegawaian",
    # IPDH's own executor columns (app/services/definitions/ipdh.yaml).
    "seksisurvei": "Seksi Survei",
    "seksiizin": "Seksi Perizinan",
    "kabidyandu": "Kepala Bidang Pelayanan dan Pengaduan",
}
# Sample cases per service code; a service not named gets a few.
SAMPLE_CASES = {"TD-BKK": 6}
DEMO_ENVS = ("demo", "development")
ACCOUNTS_FILE = "demo-accounts.txt"


class DemoRefused(click.ClickException):
    """The demo never runs outside APP_ENV=demo|development."""


def prepare_database(app: Flask) -> None:
    """Create the instance folder and the SQLite file's folder, then migrate."""
    from flask_migrate import upgrade

    Path(app.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    upgrade()


def create_accounts() -> tuple[dict[str, str], list[str]]:
    """Create missing demo accounts with random passwords; never touch existing ones.

    Returns ({username: new password}, [usernames that already existed]).
    """
    sm = appbuilder().sm
    created: dict[str, str] = {}
    existing: list[str] = []
    for username, role_name in DEMO_ACCOUNTS.items():
        if sm.find_user(username=username) is not None:
            existing.append(username)
            continue
        role = sm.find_role(role_name)
        if role is None:
            raise click.ClickException(f"role {role_name!r} does not exist; run `flask roles sync`")
        password = secrets.token_urlsafe(12)  # 16 characters
        user = sm.add_user(
            username=username,
            first_name=role_name,
            last_name="(demo)",
            email=f"{username}@demo.invalid",
            role=role,
            password=password,
        )
        if not user:
            raise click.ClickException(f"could not create the demo account {username!r}")
        created[username] = password
    return created, existing


def save_accounts(path: Path, created: dict[str, str]) -> None:
    """Append the new accounts to a file only the owner may read (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(path, 0o600)  # an older file may have been created with looser bits
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        for username, password in created.items():
            fh.write(f"{username}\t{DEMO_ACCOUNTS[username]}\t{password}\n")


def add_sample_cases() -> int:
    """Sample cases from app.cases.demo_data (cases engineer), once: only into an empty case table."""
    try:
        from app.cases.demo_data import create_sample_cases
    except ImportError:
        return 0
    from models import Case, Service

    if db.session.scalar(select(func.count()).select_from(Case)):
        return 0
    ids = []
    for code in db.session.scalars(select(Service.code).where(Service.active).order_by(Service.code)).all():
        ids += create_sample_cases(SAMPLE_CASES.get(code, 3), code)
    db.session.commit()
    return len(ids)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Prepare a demo: migrate, bootstrap, one account per role, sample cases."""
    app = real_app()
    env = app.config["APP_ENV"]
    if env not in DEMO_ENVS:
        raise DemoRefused(
            f"flask demo only runs with APP_ENV=demo or development (now {env!r}); no account was created."
        )
    from app.core.bootstrap import bootstrap

    prepare_database(app)
    bootstrap()
    db.session.commit()
    created, existing = create_accounts()
    db.session.commit()
    accounts_path = Path(app.config["INSTANCE_PATH"]) / ACCOUNTS_FILE
    if created:
        save_accounts(accounts_path, created)
        click.echo(f"Demo accounts (shown once; also saved to {accounts_path}, mode 0600):")
        for username, password in created.items():
            click.echo(f"  {username:<12} {DEMO_ACCOUNTS[username]:<32} {password}")
    if existing:
        click.echo("Already exist, password unchanged: " + ", ".join(existing))
    cases = add_sample_cases()
    if cases:
        click.echo(f"Sample cases created: {cases}")
    from app.commands import demo_activity

    for label, count in (
        ("Sample complaints", demo_activity.add_complaints()),
        # Before the applicant's cases: the survey hands over the completed sample cases.
        ("Sample survey answers", demo_activity.add_survey_answers()),
        ("Sample cases of the online applicant", demo_activity.add_applicant_cases(DEMO_ACCOUNTS)),
    ):
        if count:
            click.echo(f"{label} created: {count}")


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
