"""The audit log and the notification outbox: Admin reads them in the console, nobody changes them."""
from __future__ import annotations

from app.extensions import db
from models import AuditLog, OutboxMessage
from tests.conftest import count_rows, csrf_token
from tests.factories import advance, new_case


AUDIT = "/admin/console_auditlog"
OUTBOX = "/admin/console_outboxmessage"


def test_admin_reads_case_actions_in_the_audit_log_and_cannot_alter_it(app, client, auth, make_user):
    case_id = new_case(app)
    advance(app, case_id, 3)  # two forwards, each audited
    auth.login(make_user("Admin"))
    page = client.get(f"{AUDIT}/?search=case")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Log audit" in text and "case.forward" in text

    before = count_rows(app, AuditLog)
    with app.app_context():
        row_id = db.session.query(AuditLog.id).first()[0]
    token = csrf_token(client, "/admin/console_holiday/new/")  # any form of the session
    assert client.get(f"{AUDIT}/edit/?id={row_id}").status_code == 403
    assert client.post(f"{AUDIT}/delete/", data={"id": row_id, "csrf_token": token}).status_code == 403
    assert client.post(f"{AUDIT}/new/", data={"action": "x", "csrf_token": token}).status_code == 403
    assert count_rows(app, AuditLog) == before


def test_outbox_shows_the_ready_sms_to_admin_only(app, client, auth, make_user):
    case_id = new_case(app)
    advance(app, case_id, 10)  # numbered: the "ready for collection" SMS is queued
    assert count_rows(app, OutboxMessage) >= 1
    auth.login(make_user("Kepala Bidang"))
    assert client.get(f"{OUTBOX}/").status_code == 403
    auth.logout()
    auth.login(make_user("Admin"))
    text = client.get(f"{OUTBOX}/").get_data(as_text=True)
    assert "Kotak keluar notifikasi" in text and "siap diambil" not in text  # the body is in the details only
    assert "+62" in text
