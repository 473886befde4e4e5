"""Records in the console: read, shown and exported, never changed there.

The audit log and the notification outbox are Admin's. Cases, control cards,
certificates, inspection reports, complaints (and their events), survey answers
and follow-up plans are written by their procedures (the case engine, the
complaint book, the survey forms) and read by holders of `console.records`,
without NIKs, hashes, tokens or a complainant's contact details.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.core.extensions import db
from models import AuditLog, Case, Certificate, Complaint, ControlCardEntry, OutboxMessage, SurveyInvitation
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


# --- The records the procedures write: cases, control cards, complaints, survey answers ---

RECORDS = {  # model name -> console endpoint
    "Case": "console_case",
    "ControlCardEntry": "console_controlcardentry",
    "Certificate": "console_certificate",
    "InspectionReport": "console_inspectionreport",
    "Complaint": "console_complaint",
    "ComplaintEvent": "console_complaintevent",
    "SurveyResponse": "console_surveyresponse",
    "SurveyFollowUp": "console_surveyfollowup",
}


def _models():
    import models

    return {name: getattr(models, name) for name in RECORDS}


def _secrets(app, records) -> set[str]:
    """Values no record screen may show: NIKs, hashes, tokens, the complainant's contact details."""
    with app.app_context():
        case = db.session.get(Case, records["case"])
        complaint = db.session.scalar(select(Complaint).where(Complaint.number == records["complaint"]))
        values = {
            records["nik"],
            case.tracking_key_hash,
            case.received_id_no,
            complaint.complainant_phone,
            complaint.complainant_email,
            complaint.complainant_address,
        }
        values |= {v for v in case.form_data.values() if isinstance(v, str) and v.isdigit() and len(v) == 16}
        values |= set(db.session.scalars(select(Certificate.verify_token)))
        values |= set(db.session.scalars(select(ControlCardEntry.hash)))
        values |= {h for h in db.session.scalars(select(ControlCardEntry.prev_hash)) if h}
        values |= set(db.session.scalars(select(SurveyInvitation.token)))
    values.discard(None)
    assert records["nik"] in values and len(values) > 10, values  # the walk made hashes, a token, a receipt
    return values


def _first_id(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(model.id).order_by(model.id).limit(1))


def test_every_record_model_has_a_read_only_screen_opened_by_console_records(app):
    """The product card's records join the console: read-only, granted by console.records alone."""
    from app.security.roles import console_actions
    from views.console import console_models

    with app.app_context():
        by_name = {m.__name__: m for m in console_models()}
        for name in RECORDS:
            model = by_name[name]
            assert console_actions(model) == ("list", "export"), name
            assert model.__console__["capabilities"] == {"console.records": ["list", "export"]}, name


def test_console_records_holder_reads_and_exports_records_without_ids_hashes_or_tokens(
    app, client, auth, make_user, records
):
    secrets = _secrets(app, records)
    auth.login(make_user("Kepala Bidang"))
    seen = {}
    for name, model in _models().items():
        base = f"/admin/{RECORDS[name]}"
        listing = client.get(f"{base}/")
        assert listing.status_code == 200, name
        details = client.get(f"{base}/details/?id={_first_id(app, model)}")
        assert details.status_code == 200, name
        export = client.get(f"{base}/export/csv/")
        assert export.status_code == 200 and "text/csv" in export.headers["Content-Type"], name
        seen[name] = (listing.get_data(as_text=True), details.get_data(as_text=True), export.get_data(as_text=True))
        for page, text in zip(("list", "details", "export"), seen[name], strict=False):
            shown = sorted(value for value in secrets if value in text)
            assert not shown, (name, page, shown)

    case_list, _case_details, case_csv = seen["Case"]
    assert "Berkas permohonan" in case_list and records["registration_no"] in case_list
    assert "Siti Rahmawati" in case_list  # the applicant by name, never by NIK
    assert "Sudah diserahkan" in case_list  # the status in words
    assert "No. registrasi" in case_csv.splitlines()[0] and records["registration_no"] in case_csv
    assert "Siti Rahmawati" in case_csv
    card_list = seen["ControlCardEntry"][0]
    assert "Kartu kendali" in card_list and records["registration_no"] in card_list
    complaint_list, complaint_details, complaint_csv = seen["Complaint"]
    assert records["complaint"] in complaint_list and "Telepon" in complaint_list  # channel in words
    assert "Budi Santoso" in complaint_details and "Berkas belum diproses" in complaint_csv
    events = seen["ComplaintEvent"][0]
    assert records["complaint"] in events and "recorded" in events and "sort" in events
    survey_list, survey_details, survey_csv = seen["SurveyResponse"]
    assert "U1 Persyaratan" in survey_list and "Formulir kertas" in survey_list
    assert "Ruang tunggu terlalu sempit." in survey_details
    assert "Permohonan (id)" not in survey_csv.splitlines()[0]  # an answer never names its case
    assert "Menambah kursi ruang tunggu." in seen["SurveyFollowUp"][0]
    certificate_list = seen["Certificate"][0]
    assert records["registration_no"] in certificate_list
    assert "Memenuhi" in seen["InspectionReport"][0]


def test_admin_cannot_add_edit_or_delete_records(app, client, auth, make_user, records):
    """Only the case engine, the complaint book and the survey forms write these rows."""
    auth.login(make_user("Admin"))
    token = csrf_token(client, "/admin/console_holiday/new/")  # any form of the session
    for name, model in _models().items():
        base = f"/admin/{RECORDS[name]}"
        row_id = _first_id(app, model)
        before = count_rows(app, model)
        listing = client.get(f"{base}/").get_data(as_text=True)
        assert f"{base}/new/" not in listing and f"{base}/delete/" not in listing and f"{base}/edit/" not in listing
        assert client.get(f"{base}/new/").status_code == 403, name
        assert client.get(f"{base}/edit/?id={row_id}").status_code == 403, name
        attempts = {
            "add": (f"{base}/new/", {"number": "X", "registration_no": "X", "status": "closed"}),
            "edit": (f"{base}/edit/?id={row_id}", {"status": "closed", "note": "X"}),
            "delete": (f"{base}/delete/", {"id": row_id}),
            "bulk delete": (f"{base}/action/", {"action": "delete", "rowid": row_id}),
        }
        for action, (url, data) in attempts.items():
            status = client.post(url, data={**data, "csrf_token": token}).status_code
            assert status in (403, 405), (name, action, status)
        assert count_rows(app, model) == before, name
    # Nothing above changed a row either (a refused edit must not half-apply).
    with app.app_context():
        assert db.session.get(Case, records["case"]).status == "handed_over"


def test_roles_without_console_records_may_not_open_records(app, client, auth, make_user, records):
    for role in ("Front Office", "Seksi Survei", "Petugas Pengaduan", "Kepala Dinas"):
        auth.login(make_user(role))
        for name, model in _models().items():
            base = f"/admin/{RECORDS[name]}"
            for url in (f"{base}/", f"{base}/details/?id={_first_id(app, model)}", f"{base}/export/csv/"):
                assert client.get(url).status_code == 403, (role, url)
        auth.logout()


def test_case_list_finds_by_registration_number_newest_first(app, client, auth, make_user):
    first, second = new_case(app), new_case(app)
    with app.app_context():
        numbers = [db.session.get(Case, i).registration_no for i in (first, second)]
    auth.login(make_user("Kepala Bidang"))
    text = client.get("/admin/console_case/").get_data(as_text=True)
    assert text.index(numbers[1]) < text.index(numbers[0])  # newest first
    found = client.get(f"/admin/console_case/?search={numbers[0]}").get_data(as_text=True)
    assert numbers[0] in found and numbers[1] not in found


def test_a_list_page_loads_its_related_rows_in_one_query(app, client, auth, make_user):
    """Service and applicant of every row come with the page, not one query per row."""
    new_case(app)
    auth.login(make_user("Kepala Bidang"))
    client.get("/admin/console_case/")  # warm caches (permissions, catalogs)

    def statements() -> int:
        seen = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/console_case/").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    one = statements()
    for _ in range(4):
        new_case(app)
    assert statements() == one


def test_hidden_columns_cannot_be_listed_searched_or_reached_through_a_relation(monkeypatch):
    from views.console import view_options

    monkeypatch.setitem(Case.__dict__["__console__"], "list", ["registration_no", "tracking_key_hash"])
    with pytest.raises(ValueError, match="list names the hidden 'tracking_key_hash'"):
        view_options(Case)
    monkeypatch.setitem(Case.__dict__["__console__"], "list", ["registration_no"])
    monkeypatch.setitem(Case.__dict__["__console__"], "search", ["registration_no", "form_data"])
    with pytest.raises(ValueError, match="search names the hidden 'form_data'"):
        view_options(Case)
    monkeypatch.setitem(ControlCardEntry.__dict__["__console__"], "list", ["seq", "case.tracking_key_hash"])
    with pytest.raises(ValueError, match="hidden on Case"):
        view_options(ControlCardEntry)


def test_status_labels_cover_every_status_the_procedures_write():
    from app.complaints.book import STATUSES as COMPLAINT_STATUSES
    from models.case import CASE_STATUSES

    assert tuple(Complaint.__table__.c.status.info["choices"]) == COMPLAINT_STATUSES
    assert tuple(Case.__table__.c.status.info["choices"]) == CASE_STATUSES
