"""Who may do what: refusals are 401/403/404/409/422 JSON and change nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from models import AuditLog, Complaint, ComplaintEvent
from tests.complaints.conftest import act, new_complaint
from tests.conftest import count_rows


def _state(app, cid):
    with app.app_context():
        c = db.session.get(Complaint, cid)
        events = db.session.scalar(
            sa.select(sa.func.count(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == cid)
        )
        audits = db.session.scalar(sa.select(sa.func.count(AuditLog.id)).where(AuditLog.object_type == "Complaint"))
        return c.status, c.weight, c.reply, events, audits


def test_roles_without_the_action_get_403_and_nothing_changes(app, client, staff):
    c = new_complaint(client, staff["petugas"][1], weight=None)
    before = _state(app, c["id"])
    for who, action, data in [
        ("kabid", "sort", {"weight": "ringan"}),
        ("sekretaris", "sort", {"weight": "berat"}),
        ("kadis", "reply", {"text": "x"}),
    ]:
        rv = act(client, staff[who][1], c["id"], action, **data)
        assert rv.status_code == 403, (who, action)
        assert rv.json["message"] == "Anda tidak berwenang melakukan tindakan ini."
    # Front Office does not even hold the door to the complaint book.
    assert act(client, staff["fo"][1], c["id"], "sort", weight="ringan").status_code == 403
    assert client.get(f"/api/v1/complaints/{c['id']}", headers=staff["fo"][1]).status_code == 403
    assert _state(app, c["id"]) == before


def test_only_the_complaint_officer_records_complaints(app, client, staff):
    body = {"channel": "face_to_face", "complainant": {"name": "A"}, "subject": "s", "description": "d"}
    assert client.post("/api/v1/complaints/", json=body, headers=staff["sekretaris"][1]).status_code == 403
    rv = client.post("/api/v1/complaints/", json=body)
    assert rv.status_code == 401 and rv.json["message"]
    assert count_rows(app, Complaint) == 0


def test_bad_requests(app, client, staff):
    petugas = staff["petugas"][1]
    c = new_complaint(client, petugas, weight="ringan")
    before = _state(app, c["id"])
    assert client.get("/api/v1/complaints/99999", headers=petugas).status_code == 404
    assert act(client, petugas, 99999, "reply", text="x").status_code == 404
    assert act(client, petugas, c["id"], "fly").status_code == 400
    assert act(client, petugas, c["id"], "sort", weight="ringan").status_code == 409
    rv = act(client, petugas, c["id"], "reply", text="   ")
    assert rv.status_code == 422 and rv.json["message"] == "Isi tanggapan wajib diisi."
    assert _state(app, c["id"]) == before


def test_intake_validation_in_indonesian(client, staff):
    petugas = staff["petugas"][1]
    cases = [
        ({"channel": "pigeon"}, "Media pengaduan tidak dikenal."),
        ({"channel": "web_form"}, "Media pengaduan tidak dikenal."),
        ({"channel": "email", "complainant": {"name": "A"}}, "kontak balasannya"),
        ({"channel": "sms", "complainant": {"name": "A", "phone": "(0761) 28262"}}, "nomor HP untuk SMS"),
        ({"complainant": {"name": ""}}, "Nama pengadu wajib diisi."),
        ({"weight": "parah"}, "Bobot pengaduan"),
        ({"case": "TIDAK-ADA"}, "Nomor registrasi permohonan tidak ditemukan."),
        (
            {"complainant": {"name": "A", "email": "bukan-email"}, "channel": "face_to_face"},
            "Alamat email tidak valid.",
        ),
    ]
    base = {"channel": "face_to_face", "complainant": {"name": "Ani"}, "subject": "s", "description": "d"}
    for override, message in cases:
        rv = client.post("/api/v1/complaints/", json={**base, **override}, headers=petugas)
        assert rv.status_code == 422, override
        assert message in rv.json["message"], (override, rv.json)
    assert client.post("/api/v1/complaints/", data="x", headers=petugas).status_code == 400
