"""What the console does when allowed: create, edit, delete, export, audit; CSRF and login."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core.extensions import db
from models import AuditLog, Holiday, Personnel, Service
from tests.conftest import count_rows
from tests.console.helpers import post_form

HOLIDAYS = "/admin/console_holiday"
PERSONNEL = "/admin/console_personnel"


def _audit(app, object_type: str) -> list[AuditLog]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.object_type == object_type).order_by(AuditLog.id)
        ).all()
        db.session.expunge_all()
        return rows


def _holiday_id(app, day: date) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Holiday.id).where(Holiday.date == day))


def test_admin_adds_edits_and_deletes_a_holiday_with_audit_rows(app, client, auth, make_user):
    auth.login(make_user("Admin", username="admin1"))
    day = date(2026, 12, 30)
    rv = post_form(
        client, f"{HOLIDAYS}/new/", {"date": "2026-12-30", "name": "Cuti bersama Natal", "kind": "cuti_bersama"}
    )
    assert rv.status_code == 302
    hid = _holiday_id(app, day)
    assert hid is not None
    listing = client.get(f"{HOLIDAYS}/").get_data(as_text=True)
    assert "30 Desember 2026" in listing and "Cuti bersama Natal" in listing

    rv = post_form(
        client,
        f"{HOLIDAYS}/edit/?id={hid}",
        {"date": "2026-12-30", "name": "Cuti Bersama Hari Natal", "kind": "cuti_bersama"},
    )
    assert rv.status_code == 302
    with app.app_context():
        assert db.session.get(Holiday, hid).name == "Cuti Bersama Hari Natal"

    rv = post_form(client, f"{HOLIDAYS}/", {"id": hid, "url": f"{HOLIDAYS}/"}, post_url=f"{HOLIDAYS}/delete/")
    assert rv.status_code == 302
    assert _holiday_id(app, day) is None

    created, updated, deleted = _audit(app, "Holiday")[-3:]
    assert (created.action, created.username, created.after["name"]) == (
        "console.create",
        "admin1",
        "Cuti bersama Natal",
    )
    assert updated.action == "console.update"
    assert updated.before["name"] == "Cuti bersama Natal" and updated.after["name"] == "Cuti Bersama Hari Natal"
    assert (
        deleted.action == "console.delete" and deleted.before["date"] == "2026-12-30" and deleted.object_id == str(hid)
    )


def test_kepegawaian_keeps_personnel_and_exports_csv(app, client, auth, make_user):
    auth.login(make_user("Kepegawaian"))
    rv = post_form(
        client,
        f"{PERSONNEL}/new/",
        {"nip": "198502022010011002", "name": "Joko Prasetyo", "position": "Analis Kebijakan", "education": "S2"},
    )
    assert rv.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Personnel).where(Personnel.nip == "198502022010011002"))
        assert person.name == "Joko Prasetyo" and person.education == "S2"
    export = client.get(f"{PERSONNEL}/export/csv/")
    assert export.status_code == 200
    assert "text/csv" in export.headers["Content-Type"]
    assert "Joko Prasetyo" in export.get_data(as_text=True)
    assert _audit(app, "Personnel")[-1].action == "console.create"


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client, auth, make_user):
    auth.login(make_user("Admin"))
    before = count_rows(app, Holiday)
    rv = client.post(f"{HOLIDAYS}/new/", data={"date": "2026-12-31", "name": "Malam Tahun Baru", "kind": "national"})
    assert rv.status_code == 400
    assert "Formulir sudah kedaluwarsa" in rv.get_data(as_text=True)
    assert count_rows(app, Holiday) == before
    hid = _holiday_id(app, date(2026, 1, 1))
    rv = client.post(f"{HOLIDAYS}/delete/", data={"id": hid})
    assert rv.status_code == 400
    assert _holiday_id(app, date(2026, 1, 1)) == hid


def test_a_duplicate_is_refused_in_indonesian_and_nothing_changes(app, client, auth, make_user):
    auth.login(make_user("Admin"))
    before = count_rows(app, Holiday)
    rv = post_form(client, f"{HOLIDAYS}/new/", {"date": "2026-01-01", "name": "Dobel", "kind": "national"})
    assert rv.status_code == 200  # the form again, with the reason next to the field
    assert "Sudah ada." in rv.get_data(as_text=True)
    assert count_rows(app, Holiday) == before


def test_not_logged_in_goes_to_the_login_page(client):
    rv = client.get(f"{HOLIDAYS}/")
    assert rv.status_code == 302 and "/login/" in rv.headers["Location"]
    assert client.get("/admin/").status_code == 302


def test_relationship_choices_are_loaded_by_ajax(app, client, auth, make_user):
    auth.login(make_user("Admin"))
    form = client.get("/admin/console_requirement/new/").get_data(as_text=True)
    assert 'data-url="/admin/console_requirement/ajax/lookup/' in form
    rv = client.get("/admin/console_requirement/ajax/lookup/?name=service&query=TD")
    assert rv.status_code == 200
    with app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.code == "TD-BKK"))
    assert [service_id] == [row[0] for row in rv.json]
