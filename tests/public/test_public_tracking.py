"""Tracking by registration number + key: it never tells whether a number exists."""

from __future__ import annotations

from sqlalchemy import select

from app.core.extensions import db
from app.core.formatting import format_due
from models import Case
from tests.conftest import csrf_token
from tests.factories import advance
from tests.public.conftest import without_csrf
from tests.reading import page_text

NO_MATCH = "Tidak ada permohonan yang cocok dengan nomor registrasi dan kunci pelacakan ini."


def track(client, number, key):
    token = csrf_token(client, "/public/track")
    return client.post("/public/track", data={"number": number, "key": key, "csrf_token": token})


def test_unknown_number_and_wrong_key_get_the_same_answer(client, tracked_case):
    number, _key = tracked_case
    wrong_key = track(client, number, "AAAA-BBBB-CCCC")
    unknown = track(client, "999/XX/NOPE", "AAAA-BBBB-CCCC")
    assert wrong_key.status_code == unknown.status_code == 200
    wrong_html = without_csrf(wrong_key.get_data(as_text=True)).replace(number, "<N>")
    unknown_html = without_csrf(unknown.get_data(as_text=True)).replace("999/XX/NOPE", "<N>")
    assert wrong_html == unknown_html
    assert NO_MATCH in wrong_html
    assert "Siti Rahasia" not in wrong_html


def test_right_key_shows_status_step_and_due_date_but_nothing_personal(app, client, tracked_case):
    number, key = tracked_case
    with app.app_context():
        due = format_due(db.session.scalar(select(Case.due_at).where(Case.registration_no == number)), "id")
    text = page_text(track(client, number, key.lower().replace("-", " ")))  # as typed by hand
    assert NO_MATCH not in text
    assert f"{number} — Tanda Daftar Bursa Kerja Khusus Status Dalam proses" in text
    assert "Langkah saat ini 1. - Pemohon meminta informasi" in text
    assert f"Batas waktu {due} Siap diambil Belum" in text
    assert "Siti Rahasia" not in text


def test_ready_case_says_so(app, client, tracked_case):
    number, key = tracked_case
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.registration_no == number))
    advance(app, case_id, 10)  # numbered: waiting at the handover step
    html = track(client, number, key).get_data(as_text=True)
    assert "sudah siap" in html


def test_tracking_is_rate_limited_with_an_indonesian_message(app, client, tracked_case):
    app.config["PUBLIC_TRACK_RATE_LIMIT"] = "3 per minute"
    number, _key = tracked_case
    for _ in range(3):
        assert track(client, number, "AAAA-BBBB-CCCC").status_code == 200
    refused = track(client, number, "AAAA-BBBB-CCCC")
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in refused.get_data(as_text=True)
    assert client.get("/public/track").status_code == 200  # reading the form is not limited


def test_tracking_without_csrf_token_is_refused(client, tracked_case):
    number, key = tracked_case
    rv = client.post("/public/track", data={"number": number, "key": key})
    assert rv.status_code == 400
    assert number not in rv.get_data(as_text=True)
