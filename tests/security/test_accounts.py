"""Passwords set from the command line obey the same minimum length as the screens;
an applicant account cannot take over a person registered at the counter by typing their NIK."""

from __future__ import annotations

from flask_appbuilder.cli import fab
from sqlalchemy import select

from app.core.extensions import db
from models import Applicant, Case
from tests.conftest import PASSWORD
from tests.factories import new_case, sample_applicant, sample_institution


def test_fab_create_admin_refuses_a_short_password(app, runner, auth):
    rv = runner.invoke(
        fab,
        [
            "create-admin",
            "--username",
            "boss",
            "--firstname",
            "B",
            "--lastname",
            "S",
            "--email",
            "boss@example.test",
            "--password",
            "short-pw-1",
        ],
    )
    assert "No user created" in rv.output
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="boss") is None
    rv = runner.invoke(
        fab,
        [
            "create-admin",
            "--username",
            "boss",
            "--firstname",
            "B",
            "--lastname",
            "S",
            "--email",
            "boss@example.test",
            "--password",
            PASSWORD,
        ],
    )
    assert "Admin User boss created" in rv.output
    assert auth.login("boss").headers["Location"].endswith("/")


def test_fab_reset_password_refuses_a_short_password(app, runner, auth, make_user):
    username = make_user("Front Office")
    rv = runner.invoke(fab, ["reset-password", "--username", username, "--password", "abc"])
    assert rv.exit_code != 0 and "reseted" not in rv.output
    assert "12" in str(rv.exception)
    assert auth.login(username).headers["Location"].endswith("/")  # the old password still works


def test_applicant_account_cannot_claim_a_nik_registered_at_the_counter(app, client, auth, make_user):
    victim = sample_applicant(name="Korban Loket", phone="0812-1111-2222")
    case_id = new_case(app, applicant=victim)
    attacker = make_user("Pemohon")
    headers = auth.token(attacker)
    rv = client.post(
        "/api/v1/cases/",
        headers=headers,
        json={
            "service": "TD-BKK",
            "applicant": {**victim, "name": "Penyerang", "phone": "0813-9999-0000"},
            "institution": sample_institution(),
            "form": {"luas_ruangan_m2": "40", "rencana_penempatan": "5"},
        },
    )
    assert rv.status_code == 422
    assert "sudah terdaftar di loket" in rv.json["errors"]["applicant.nik"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).status_code == 404
    assert client.get("/api/v1/cases/", headers=headers).json["count"] == 0
    with app.app_context():
        person = db.session.scalar(select(Applicant).where(Applicant.nik == victim["nik"]))
        assert person.user_id is None and person.name == "Korban Loket" and person.phone == "+6281211112222"
        assert db.session.scalar(select(Case.id).where(Case.applicant_id == person.id)) == case_id


def test_applicant_account_still_registers_its_own_new_nik_twice(app, client, auth, make_user):
    headers = auth.token(make_user("Pemohon"))
    me = sample_applicant()
    body = {
        "service": "TD-BKK",
        "applicant": me,
        "institution": sample_institution(),
        "form": {"luas_ruangan_m2": "40", "rencana_penempatan": "5"},
    }
    assert client.post("/api/v1/cases/", headers=headers, json=body).status_code == 201
    assert client.post("/api/v1/cases/", headers=headers, json=body).status_code == 201
    assert client.get("/api/v1/cases/", headers=headers).json["count"] == 2
