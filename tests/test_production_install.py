"""README's production path on an empty database: upgrade, bootstrap, create-admin, then a case: no 500."""

from __future__ import annotations

import pytest
from flask_appbuilder.cli import fab

from app import create_app
from app.core.extensions import db
from tests.factories import sample_applicant, sample_institution
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

ADMIN_PASSWORD = "a-long-office-passphrase-2026"  # a password may not contain the username


@pytest.mark.parametrize("twice", [False, True], ids=["once", "bootstrap-twice"])
def test_upgrade_bootstrap_create_admin_then_a_case_through_the_api(empty_database_url, tmp_path, twice):
    app = create_app(
        {
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["bootstrap"], *([["bootstrap"]] if twice else [])):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
    # FAB's group reaches `flask` through an entry point, which the test runner does not load.
    result = runner.invoke(
        fab,
        [
            "create-admin",
            "--username",
            "admin",
            "--firstname",
            "Admin",
            "--lastname",
            "Kantor",
            "--email",
            "admin@example.test",
            "--password",
            ADMIN_PASSWORD,
        ],
    )
    assert result.exit_code == 0 and "created" in result.output, result.output
    client = app.test_client()
    login = client.post(
        "/api/v1/security/login", json={"username": "admin", "password": ADMIN_PASSWORD, "provider": "db"}
    )
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    services = client.get("/api/v1/services/", headers=headers).json["result"]
    assert {"TD-BKK", "IPDH"} <= {s["code"] for s in services}
    created = client.post(
        "/api/v1/cases/",
        headers=headers,
        json={
            "service": "TD-BKK",
            "applicant": sample_applicant(),
            "institution": sample_institution(),
            "form": {"luas_ruangan_m2": "48.5", "rencana_penempatan": "25"},
        },
    )
    assert created.status_code == 201, created.json
    case = created.json
    moved = client.post(
        f"/api/v1/cases/{case['id']}/act", headers=headers, json={"action": "forward", "version": case["version"]}
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["step"] == 2 and moved.json["step_due_at"] is not None
    for path in ("/cases/worklist/", "/cases/", f"/cases/{case['id']}", "/dashboard/leaders/", "/public/"):
        assert client.get(path, headers=headers).status_code < 500, path
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
