"""The officers' complaint screens: intake form, complaint page actions, monthly report PDF/CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from models import Complaint
from tests.complaints.conftest import act, new_complaint
from tests.conftest import AuthActions, count_rows, csrf_token
from tests.reading import pdf_text


def _record(client, **fields):
    token = csrf_token(client, "/complaints/new")
    data = {
        "csrf_token": token,
        "channel": "face_to_face",
        "name": "Ibu Ani",
        "phone": "",
        "email": "",
        "address": "",
        "subject": "Antrian <script>alert(1)</script>",
        "description": "Terlalu lama.",
        "weight": "sedang",
        "received_at": "",
        "case": "",
    }
    data.update(fields)
    return client.post("/complaints/new", data=data)


def test_officer_records_a_complaint_on_the_form_and_sees_it_escaped(app, client, staff):
    AuthActions(client).login("petugas_user")
    rv = _record(client)
    assert rv.status_code == 302
    page = client.get(rv.headers["Location"]).get_data(as_text=True)
    assert "Antrian &lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    with app.app_context():
        c = db.session.scalar(sa.select(Complaint))
        assert (c.channel, c.weight, c.status) == ("face_to_face", "sedang", "coordination")
    listing = client.get("/complaints/").get_data(as_text=True)
    assert c.number in listing and "Buku Pengaduan" in listing and "Koordinasi" in listing


def test_form_error_is_shown_in_indonesian_and_nothing_is_saved(app, client, staff):
    AuthActions(client).login("petugas_user")
    rv = _record(client, channel="email", email="")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422 and "wajib mencantumkan kontak balasannya" in html
    assert 'id="email-error"' in html  # shown beside the e-mail field too
    assert count_rows(app, Complaint) == 0


def test_form_without_csrf_is_refused(app, client, staff):
    AuthActions(client).login("petugas_user")
    rv = client.post(
        "/complaints/new", data={"channel": "face_to_face", "name": "A", "subject": "s", "description": "d"}
    )
    assert rv.status_code == 400
    assert count_rows(app, Complaint) == 0


def test_kepala_bidang_records_coordination_from_the_complaint_page(app, client, staff):
    c = new_complaint(client, staff["petugas"][1], weight="sedang")
    AuthActions(client).login("kabid_user")
    url = f"/complaints/{c['id']}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="coordinate_head"' in page and 'value="reply"' not in page
    rv = client.post(
        url + "/act",
        data={"csrf_token": csrf_token(client, url), "action": "coordinate_head", "note": "Sudah dibahas."},
    )
    assert rv.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Sudah dibahas." in page and 'value="coordinate_head"' not in page
    # The Kepala Bidang may not record a complaint.
    assert client.get("/complaints/new").status_code == 403


def test_front_office_has_no_access_to_the_book(client, staff):
    AuthActions(client).login("fo_user")
    assert client.get("/complaints/").status_code == 403
    assert client.get("/complaints/report").status_code == 403


def test_monthly_report_for_the_kepala_dinas_as_pdf_and_csv(app, client, staff):
    petugas = staff["petugas"][1]
    march = new_complaint(client, petugas, weight="ringan", received_at="2026-03-17", subject="=HYPERLINK(1)")
    act(client, petugas, march["id"], "reply", text="Sudah.")
    act(client, staff["sekretaris"][1], march["id"], "approve")
    new_complaint(client, petugas, weight="berat", received_at="2026-04-02", subject="April")
    AuthActions(client).login("kadis_user")
    page = client.get("/complaints/report?month=2026-03").get_data(as_text=True)
    assert march["number"] in page and "April" not in page
    csv = client.get("/complaints/report.csv?month=2026-03")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and lines[1].startswith(march["number"] + ",17 Maret 2026,Budi Santoso")
    assert "'=HYPERLINK(1)" in lines[1] and ",Ya,Disetujui Sekretaris" in lines[1]
    pdf = client.get("/complaints/report.pdf?month=2026-03")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    assert "LAPORAN PENGADUAN PELAYANAN PUBLIK" in text and march["number"] in text and "Maret 2026" in text


def test_officer_form_marks_each_refused_field_and_keeps_the_typing(app, client, staff):
    AuthActions(client).login("petugas_user")
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    rv = _record(client, received_at=later, subject="Antrian panjang di loket 3")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422
    date_group = html[html.index('for="received_at"') - 120 : html.index('id="received_at-error"') + 200]
    assert "has-error" in date_group and "tidak boleh di masa depan" in date_group
    assert 'value="Antrian panjang di loket 3"' in html
    rv = _record(client, case="TD-BKK/0000/1999")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422 and 'id="case-error"' in html and 'value="TD-BKK/0000/1999"' in html
    assert count_rows(app, Complaint) == 0
