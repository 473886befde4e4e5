"""A long register PDF is printed by the worker, not by the web request.

Past EXPORT_BACKGROUND_ROWS (lowered here to 2 of the sample's 4 cases) the
export answers at once with a status page; `flask notify worker --once` prints
the file as the requester (grant checked again), stores it, and the page offers
"Unduh". Only the requester sees the job; on PostgreSQL two workers racing for
the same jobs print each one once.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.core.extensions import db
from models import AuditLog, ExportJob
from tests.reading import page_text

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
EXPORT = "/registers/cases/export/pdf"


@pytest.fixture
def long_exports(app_config):
    app_config.update(EXPORT_BACKGROUND_ROWS=2)
    return app_config


def _request(client, query: dict | None = None) -> str:
    """Ask for the PDF; returns the status page's address it sends the browser to."""
    rv = client.get(EXPORT, query_string=query or {})
    assert rv.status_code == 303, rv.status_code
    return rv.headers["Location"]


def _pdf_text(rv) -> str:
    assert rv.status_code == 200 and rv.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(rv.data)).pages)


def _worker_once(runner) -> str:
    result = runner.invoke(args=["notify", "worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def _audits(app, action: str) -> list[str]:
    """Who the audit log names for `action`, oldest first."""
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog.username).where(AuditLog.action == action)).all())


def test_a_long_pdf_is_printed_by_the_worker_and_downloaded_when_ready(
    long_exports, app, client, auth, make_user, sample, runner
):
    reader = make_user("Kepala Bidang")
    auth.login(reader)
    status_url = _request(client)
    waiting = client.get(status_url)
    assert waiting.status_code == 200
    assert "Menyiapkan ekspor…" in page_text(waiting) and "Unduh" not in page_text(waiting)
    assert 'http-equiv="refresh"' in waiting.get_data(as_text=True)  # it refreshes itself while waiting

    assert "1 siap" in _worker_once(runner)
    ready = client.get(status_url)
    assert "Ekspor sudah siap" in page_text(ready) and "4 baris" in page_text(ready)
    assert "Unduh" in page_text(ready) and 'http-equiv="refresh"' not in ready.get_data(as_text=True)
    download = client.get(status_url + "/download")
    text = _pdf_text(download)
    for no in ("REG-001", "REG-002", "REG-003", "REG-004"):
        assert no in text
    assert reader in text  # "Dicetak ... · <requester>", as the direct export prints it
    assert download.headers["Content-Disposition"].startswith("attachment; filename=register-cases-")

    assert _audits(app, "register.export.request") == [reader]
    assert _audits(app, "register.export.done") == [reader]


def test_the_worker_audits_the_job_under_the_id_of_the_request_that_asked(
    long_exports, app, client, auth, make_user, sample, runner
):
    """An administrator who finds the export request in the log finds what the worker did with it."""
    auth.login(make_user("Kepala Bidang"))
    rv = client.get(EXPORT, headers={"X-Request-ID": "proxy-export-42"})
    assert rv.status_code == 303
    _worker_once(runner)
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditLog.action, AuditLog.request_id).where(AuditLog.action.like("register.export.%"))
        ).all()
    assert sorted(rows) == [("register.export.done", "proxy-export-42"), ("register.export.request", "proxy-export-42")]


def test_only_the_requester_sees_the_job(long_exports, app, client, auth, make_user, sample, runner):
    auth.login(make_user("Kepala Bidang"))
    status_url = _request(client)
    _worker_once(runner)
    assert client.get(status_url + "/download").status_code == 200
    auth.logout()
    auth.login(make_user("Kepala Bidang"))  # same grant, another person
    assert client.get(status_url).status_code == 404
    assert client.get(status_url + "/download").status_code == 404
    other_register = status_url.replace("/registers/cases/", "/registers/complaints/")
    auth.logout()
    auth.login(make_user("Admin"))
    assert client.get(other_register).status_code == 404


def test_small_exports_stay_synchronous(long_exports, app, client, auth, make_user, sample):
    auth.login(make_user("Kepala Bidang"))
    rv = client.get(EXPORT, query_string={"from": "2026-01-01", "to": "2026-01-31"})  # one row
    assert "REG-001" in _pdf_text(rv)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 0


def test_filters_travel_with_the_job_on_a_service_defined_here(
    long_exports, app, client, auth, make_user, sample, runner
):
    app.config["EXPORT_BACKGROUND_ROWS"] = 0  # the sample's own service "SIP-X" has one case
    auth.login(make_user("Kepala Bidang"))
    status_url = _request(client, {"service": "SIP-X"})
    _worker_once(runner)
    text = _pdf_text(client.get(status_url + "/download"))
    assert "REG-003" in text and "REG-001" not in text and "SIP-X" in text


def test_a_failed_job_says_why_in_indonesian(long_exports, app, client, auth, make_user, sample, runner, monkeypatch):
    monkeypatch.setattr("app.registers.pdf_export.MAX_ROWS", 3)
    auth.login(make_user("Kepala Bidang"))
    status_url = _request(client)
    assert "1 gagal" in _worker_once(runner)
    failed = page_text(client.get(status_url))
    assert "Ekspor gagal." in failed and "terlalu banyak" in failed and "Unduh" not in failed
    assert client.get(status_url + "/download").status_code == 404


def test_the_worker_checks_the_grant_again(long_exports, app, client, auth, make_user, sample, runner):
    reader = make_user("Kepala Bidang")
    auth.login(reader)
    status_url = _request(client)
    sm = app.appbuilder.sm
    with app.app_context():
        user = sm.find_user(username=reader)
        user.roles = [sm.find_role("Kepegawaian")]  # moved to a post without the register
        db.session.commit()
    assert "1 gagal" in _worker_once(runner)
    job_id = int(status_url.rsplit("/", 1)[1])
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert job.status == "failed" and job.result_key is None
        assert job.error == "Anda tidak lagi berhak mengekspor register ini."
    assert client.get(status_url).status_code in (302, 403)  # and the page itself is closed to them


def _start_worker(app_config: dict, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "APP_ENV": "test",
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": app_config["INSTANCE_PATH"],
        "UPLOAD_DIR": app_config["UPLOAD_DIR"],
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [str(FLASK), "notify", "worker", "--once", "--batch", "20", "--worker", name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_never_print_one_job_twice(long_exports, app, client, auth, make_user, sample):
    if not long_exports["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("two worker processes racing need PostgreSQL's SKIP LOCKED (run with TEST_DATABASE=postgresql)")
    reader = make_user("Kepala Bidang")
    auth.login(reader)
    urls = [_request(client) for _ in range(8)]
    workers = [_start_worker(long_exports, f"w{i}") for i in (1, 2)]
    outputs = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    with app.app_context():
        jobs = db.session.scalars(sa.select(ExportJob)).all()
        assert len(jobs) == 8 and {(j.status, j.attempts) for j in jobs} == {("done", 1)}
        done = [
            a.object_id
            for a in db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "register.export.done"))
        ]
    assert sorted(done) == sorted(str(j.id) for j in jobs)  # each job printed exactly once
    for url in urls:
        assert "REG-004" in _pdf_text(client.get(url + "/download"))


def test_with_database_storage_any_instance_serves_the_file(
    long_exports, app_config, app, client, auth, make_user, sample, runner
):
    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SCAN_STORAGE=database is tested on PostgreSQL only (run with TEST_DATABASE=postgresql)")
    app.config["SCAN_STORAGE"] = "database"
    auth.login(make_user("Kepala Bidang"))
    status_url = _request(client)
    _worker_once(runner)
    assert "REG-002" in _pdf_text(client.get(status_url + "/download"))
    from models import StoredBlob

    with app.app_context():
        keys = db.session.scalars(sa.select(StoredBlob.key)).all()
    assert len(keys) == 1 and keys[0].startswith("exports/")
    assert not os.path.isdir(os.path.join(app_config["UPLOAD_DIR"], "exports"))  # nothing on this machine's disk
