"""`flask ops backup` / `flask ops restore`: a fresh database and scan folder that work like the old ones.

Cases of two services are walked through the real engine to their certificates
(with scans of distinct bytes), backed up, and restored into a new database and
a new folder; a new app on them passes `flask cases verify-chain`, serves every
scan with the same bytes from the case page and says every certificate is valid.
Refusals: a non-empty database without --force, and a backup whose scan or
manifest was altered, change nothing.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app import create_app
from app.cases import uploads
from app.cases.demo_data import counter_role
from app.core.extensions import db
from models import Case, Certificate, RequirementScan, Service
from tests.conftest import BACKEND, AuthActions, _pg_admin_engine, _pg_url, pg_database
from tests.factories import advance, new_case, role_user

HANDED_OVER = 999  # past the last step of any service: `advance` hands the product over


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a database nobody has created tables in (dropped afterwards on PostgreSQL)."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    admin = _pg_admin_engine()
    try:
        with pg_database(admin, "sp_restore") as name:
            yield _pg_url(name)
    finally:
        admin.dispose()


def table_count(url: str) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return len(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@contextmanager
def app_on(url: str, folder: Path, instance: Path, **config):
    """A new app instance on the restored database and scan folder, as a new server would start."""
    app = create_app(
        {
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(instance),
            "UPLOAD_DIR": str(folder),
            **config,
        }
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def scanned_case(app, service_code: str, to_step: int) -> int:
    """A case whose first document line carries a scan of its own bytes, walked to `to_step`."""
    case_id = new_case(app, service_code)
    with app.app_context():
        case = db.session.get(Case, case_id)
        line = next(line for line in case.requirements if line.requirement.document)
        content = b"%PDF-1.4\n% scan of case " + str(case_id).encode() + b"\n%%EOF\n"
        officer = role_user(app, counter_role(case.service))
        uploads.store_scan(line, FileStorage(io.BytesIO(content), filename="ktp.pdf"), officer)
    advance(app, case_id, to_step)
    return case_id


def number_step(app, service_code: str) -> int:
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == service_code))
        return next(step.no for step in service.steps if step.kind == "number")


@pytest.fixture
def office(app, make_user):
    """Cases of two services: handed over, numbered and waiting, and one still in progress."""
    cases = [
        scanned_case(app, "TD-BKK", HANDED_OVER),
        scanned_case(app, "TD-BKK", number_step(app, "TD-BKK") + 1),
        scanned_case(app, "IPDH", HANDED_OVER),
        scanned_case(app, "TD-BKK", 3),
    ]
    admin = make_user("Admin")
    with app.app_context():
        scans = {
            (s.case_requirement.case_id, s.id): s.sha256
            for s in db.session.scalars(select(RequirementScan).order_by(RequirementScan.id))
        }
        tokens = list(db.session.scalars(select(Certificate.verify_token)))
    client = app.test_client()
    AuthActions(client).login(admin)
    content = {key: client.get(f"/cases/{key[0]}/scans/{key[1]}").data for key in scans}
    assert len(tokens) == 3 and len(scans) > len(cases)
    assert len(set(content.values())) > 1  # distinct bytes, so a mix-up would show
    return {"cases": cases, "admin": admin, "scans": content, "tokens": tokens}


def test_restore_into_a_fresh_database_and_folder_gives_the_same_office(app, runner, office, tmp_path):
    target = tmp_path / "backup"
    done = runner.invoke(args=["ops", "backup", str(target)])
    assert done.exit_code == 0, done.output
    assert "4 case(s)" in done.output and "3 certificate(s)" in done.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["counts"] == {"cases": 4, "scans": len(office["scans"]), "certificates": 3}
    assert manifest["app_version"] and manifest["created_at"] and manifest["database"]["alembic_revision"]
    assert len([f for f in manifest["files"] if f["path"].startswith("scans/")]) == len(office["scans"])

    with fresh_database(tmp_path) as url, app_on(url, tmp_path / "new-scans", tmp_path / "new") as restored:
        cli = restored.test_cli_runner()
        done = cli.invoke(args=["ops", "restore", str(target)])
        assert done.exit_code == 0, done.output
        assert "every scan matches its checksum" in done.output

        chain = cli.invoke(args=["cases", "verify-chain"])
        assert chain.exit_code == 0 and "utuh" in chain.output  # "Every control card is intact."

        client = restored.test_client()
        AuthActions(client).login(office["admin"])
        for (case_id, scan_id), content in office["scans"].items():
            rv = client.get(f"/cases/{case_id}/scans/{scan_id}")
            assert rv.status_code == 200 and rv.data == content
        assert sorted(p.name for p in (tmp_path / "new-scans").iterdir()) == sorted(
            Path(f["path"]).name for f in manifest["files"] if f["path"].startswith("scans/")
        )
        for token in office["tokens"]:
            page = client.get(f"/public/verify/{token}").get_data(as_text=True)
            assert re.search(r'data-status="(\w+)"', page).group(1) == "valid"


@pytest.fixture
def one_case(app) -> int:
    """Enough for the refusals: one case with scans (cheaper than `office`)."""
    return scanned_case(app, "TD-BKK", 3)


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(app, runner, one_case, tmp_path):
    target = tmp_path / "backup"
    assert runner.invoke(args=["ops", "backup", str(target)]).exit_code == 0
    later = new_case(app)  # written after the backup: a restore over this database would lose it
    folder = Path(app.config["UPLOAD_DIR"])
    files_before = sorted(p.name for p in folder.iterdir())

    refused = runner.invoke(args=["ops", "restore", str(target)])
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "--force" in refused.output
    with app.app_context():
        assert db.session.get(Case, later) is not None
        assert db.session.scalar(select(sa.func.count()).select_from(Case)) == 2
    assert sorted(p.name for p in folder.iterdir()) == files_before

    forced = runner.invoke(args=["ops", "restore", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert db.session.get(Case, later) is None  # the database is the backup's again
        assert db.session.get(Case, one_case) is not None


def _alter_scan(target: Path) -> str:
    scan = sorted((target / "scans").iterdir())[0]
    scan.write_bytes(scan.read_bytes().replace(b"%%EOF", b"%%EOF tampered"))
    return f"scans/{scan.name}: checksum or size differs"


def _alter_manifest(target: Path) -> str:
    manifest = json.loads((target / "manifest.json").read_text())
    entry = manifest["files"][0]  # the database file
    entry["sha256"] = "0" * 64
    (target / "manifest.json").write_text(json.dumps(manifest))
    return f"{entry['path']}: checksum or size differs"


def _drop_scan(target: Path) -> str:
    scan = sorted((target / "scans").iterdir())[-1]
    scan.unlink()
    return f"scans/{scan.name}: missing"


def _add_file(target: Path) -> str:
    (target / "scans" / ("a" * 32 + ".pdf")).write_bytes(b"%PDF-1.4 smuggled")
    return f"scans/{'a' * 32}.pdf: not listed in the manifest"


@pytest.mark.parametrize("alter", [_alter_scan, _alter_manifest, _drop_scan, _add_file])
def test_an_altered_backup_is_reported_and_nothing_is_restored(app, runner, one_case, tmp_path, alter):
    target = tmp_path / "backup"
    assert runner.invoke(args=["ops", "backup", str(target)]).exit_code == 0
    expected = alter(target)
    folder = tmp_path / "new-scans"
    with fresh_database(tmp_path) as url, app_on(url, folder, tmp_path / "new") as restored:
        refused = restored.test_cli_runner().invoke(args=["ops", "restore", str(target)])
        assert refused.exit_code == 1
        assert expected in refused.output
        assert table_count(url) == 0
    assert not folder.exists() or not any(folder.iterdir())


def test_backup_refuses_a_folder_that_holds_something(app, runner, tmp_path):
    target = tmp_path / "backup"
    target.mkdir()
    (target / "old.txt").write_text("keep me")
    done = runner.invoke(args=["ops", "backup", str(target)])
    assert done.exit_code == 1 and "not an empty folder" in done.output
    assert (target / "old.txt").read_text() == "keep me"


@pytest.mark.skipif(BACKEND != "postgresql", reason="pg_dump is PostgreSQL's")
def test_a_pg_dump_older_than_the_server_is_refused_by_name(app, runner, tmp_path, monkeypatch):
    bin_dir = tmp_path / "old-client"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PG_BIN_DIR", str(bin_dir))
    target = tmp_path / "backup"
    done = runner.invoke(args=["ops", "backup", str(target)])
    assert done.exit_code == 1
    assert "pg_dump 9 is older than the PostgreSQL server" in done.output and "PG_BIN_DIR" in done.output
    assert list(target.iterdir()) == []  # no half backup left behind


def test_a_folder_backup_restores_into_database_storage(app, runner, one_case, make_user, tmp_path):
    """Moving to SCAN_STORAGE=database (several machines, no shared folder) is a backup and a restore."""
    admin = make_user("Admin")
    client = app.test_client()
    AuthActions(client).login(admin)
    with app.app_context():
        keys = [(s.case_requirement.case_id, s.id) for s in db.session.scalars(select(RequirementScan))]
    content = {key: client.get(f"/cases/{key[0]}/scans/{key[1]}").data for key in keys}
    target = tmp_path / "backup"
    assert runner.invoke(args=["ops", "backup", str(target)]).exit_code == 0

    folder = tmp_path / "unused-folder"
    with (
        fresh_database(tmp_path) as url,
        app_on(url, folder, tmp_path / "new", SCAN_STORAGE="database") as restored,
    ):
        done = restored.test_cli_runner().invoke(args=["ops", "restore", str(target)])
        assert done.exit_code == 0, done.output
        client = restored.test_client()
        AuthActions(client).login(admin)
        for (case_id, scan_id), data in content.items():
            assert client.get(f"/cases/{case_id}/scans/{scan_id}").data == data
    assert not folder.exists() or not any(folder.iterdir())  # the bytes live in the database now
