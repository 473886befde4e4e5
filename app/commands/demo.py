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
# username -> (name, NIP, position) of the officer's personnel record (invented people), so the
# demo's control cards and signatures print real-looking names, parafs and NIPs.
DEMO_PERSONNEL = {
    "frontoffice": ("Siti Rahmawati, S.E.", "198503152010012003", "Pengelola Layanan Perizinan"),
    "backoffice": ("Andi Pratama, S.Kom.", "198811022011011004", "Pengolah Data Perizinan"),
    "timteknis": ("Hendra Saputra, S.T.", "198207142009011002", "Penata Perizinan"),
    "jfmuda": ("Rina Marlina, S.H., M.H.", "198409232008012005", "Analis Kebijakan Ahli Muda"),
    "jfmadya": ("Drs. Junaidi Akbar, M.Si.", "197512081998031003", "Analis Kebijakan Ahli Madya"),
    "sekretaris": ("Yusrizal, S.Sos., M.Si.", "197306111994031006", "Sekretaris"),
    "kadis": ("Dr. Ahmad Fauzi, S.STP., M.Si.", "197004171991031002", "Kepala Dinas"),
    "kabid": ("Nurhayati, S.E., M.M.", "197802252002122004", "Kepala Bidang"),
    "pengaduan": ("Dewi Lestari, A.Md.", "199001302015032002", "Petugas Pengaduan"),
    "kepegawaian": ("Bambang Sutrisno, S.AP.", "198105192006041007", "Analis Kepegawaian"),
    "seksisurvei": ("Rahmat Hidayat, S.T.", "198612012010011005", "Kepala Seksi Survei"),
    "seksiizin": ("Maya Sari, S.H.", "198907072012122003", "Kepala Seksi Perizinan"),
    "kabidyandu": ("Ir. Syafrizal, M.T.", "197109091997031004", "Kepala Bidang Pelayanan dan Pengaduan"),
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


def link_personnel() -> int:
    """A personnel record (name, NIP) for each demo officer without one; returns how many were added."""
    from models import Personnel

    added = 0
    for username, (name, nip, position) in DEMO_PERSONNEL.items():
        user = appbuilder().sm.find_user(username=username)
        if user is None:
            continue
        taken = db.session.scalar(select(Personnel.id).where((Personnel.user_id == user.id) | (Personnel.nip == nip)))
        if taken is None:
            db.session.add(Personnel(name=name, nip=nip, position=position, education="S1", user_id=user.id))
            added += 1
    return added


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
    # Before the sample cases, so their control cards carry the officers' NIPs.
    personnel = link_personnel()
    db.session.commit()
    accounts_path = Path(app.config["INSTANCE_PATH"]) / ACCOUNTS_FILE
    if created:
        save_accounts(accounts_path, created)
        click.echo(f"Demo accounts (shown once; also saved to {accounts_path}, mode 0600):")
        for username, password in created.items():
            click.echo(f"  {username:<12} {DEMO_ACCOUNTS[username]:<32} {password}")
    if existing:
        click.echo("Already exist, password unchanged: " + ", ".join(existing))
    if personnel:
        click.echo(f"Personnel records linked to demo officers: {personnel}")
    # Before the sample cases, so their certificates are signed (app.signing.demo: a DEMO CA and key).
    from app.signing.demo import ensure_demo_signing

    signing, made = ensure_demo_signing(app)
    if made:
        click.echo(f"DEMO signing key made (certificates are signed electronically): {signing.folder}")
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
