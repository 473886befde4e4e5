"""Each complaint path end to end: ringan, sedang, berat, with the Sekretaris' return and re-review."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from models import AuditLog, Complaint, OutboxMessage
from tests.complaints.conftest import act, new_complaint
from tests.reading import pdf_text


def _outbox(app, complaint_id):
    with app.app_context():
        return [
            (m.channel, m.recipient, m.subject, m.body)
            for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.complaint_id == complaint_id))
        ]


def _events(body):
    return [(e["action"], e["actor"]) for e in body["events"]]


def test_ringan_answered_directly_returned_corrected_and_approved(app, client, staff):
    petugas, sekretaris = staff["petugas"][1], staff["sekretaris"][1]
    c = new_complaint(client, petugas, channel="email", weight="ringan")
    assert c["status"] == "handling" and c["weight"] == "ringan" and c["number"].startswith("ADU-")
    assert c["due_at"] is not None and c["allowed_actions"] == ["reply"]

    rv = act(client, petugas, c["id"], "reply", text="Berkas Saudara sedang diperiksa tim teknis.")
    assert rv.status_code == 200 and rv.json["status"] == "review"
    assert _outbox(app, c["id"]) == [
        (
            "email",
            "budi@example.test",
            f"Tanggapan atas pengaduan {c['number']}",
            "Berkas Saudara sedang diperiksa tim teknis.",
        )
    ]

    rv = act(client, sekretaris, c["id"], "return", note="Lengkapi uraian pengaduan.")
    assert rv.status_code == 200 and rv.json["status"] == "correction"
    # Only the handling officer corrects; the Sekretaris cannot approve a returned entry.
    assert act(client, sekretaris, c["id"], "approve").status_code == 409
    rv = act(
        client,
        petugas,
        c["id"],
        "correct",
        note="Uraian dilengkapi.",
        description="Permohonan TD-BKK sejak 2 minggu belum ada kabar.",
    )
    assert rv.status_code == 200 and rv.json["status"] == "review"
    assert rv.json["description"] == "Permohonan TD-BKK sejak 2 minggu belum ada kabar."

    rv = act(client, sekretaris, c["id"], "approve", note="Disetujui.")
    assert rv.status_code == 200 and rv.json["status"] == "closed" and rv.json["closed_at"]
    assert [a for a, _ in _events(rv.json)] == ["recorded", "sort", "reply", "return", "correct", "approve"]
    assert _events(rv.json)[3] == ("return", "Sekretaris Uji")
    # The correction re-sent nothing: the complainant got one reply.
    assert len(_outbox(app, c["id"])) == 1
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.object_type == "Complaint", AuditLog.object_id == str(c["id"]))
            .order_by(AuditLog.id)
        ).all()
    assert actions == [
        "complaint.create",
        "complaint.reply",
        "complaint.return",
        "complaint.correct",
        "complaint.approve",
    ]


def test_sedang_needs_kepala_bidang_and_kepala_dinas_before_the_reply(app, client, staff):
    petugas, kabid, kadis = staff["petugas"][1], staff["kabid"][1], staff["kadis"][1]
    c = new_complaint(
        client, petugas, channel="sms", weight="sedang", complainant={"name": "Siti", "phone": "0813 1111 2222"}
    )
    assert c["status"] == "coordination"
    assert act(client, petugas, c["id"], "reply", text="Jawaban").status_code == 409

    rv = act(client, kabid, c["id"], "coordinate_head", note="Dibahas dengan bidang perizinan.")
    assert rv.status_code == 200 and rv.json["status"] == "coordination"
    assert act(client, kabid, c["id"], "coordinate_head", note="lagi").status_code == 409
    rv = act(client, kadis, c["id"], "coordinate_kadis", note="Keputusan: percepat penerbitan.")
    assert rv.status_code == 200 and rv.json["status"] == "handling"
    assert ("coordinate_head", "Kabid Uji") in _events(rv.json)
    assert ("coordinate_kadis", "Kadis Uji") in _events(rv.json)

    rv = act(client, petugas, c["id"], "reply", text="Surat Saudara terbit pekan ini.")
    assert rv.status_code == 200 and rv.json["status"] == "review"
    [(channel, recipient, _, body)] = _outbox(app, c["id"])
    assert (channel, recipient) == ("sms", "+6281311112222") and "Surat Saudara terbit pekan ini." in body

    rv = act(client, staff["sekretaris"][1], c["id"], "return", note="Catat keputusan rapat.")
    assert rv.json["status"] == "correction"
    rv = act(client, petugas, c["id"], "correct", note="Keputusan rapat dicatat.")
    assert rv.json["status"] == "review"
    assert act(client, staff["sekretaris"][1], c["id"], "approve").json["status"] == "closed"


def test_berat_is_coordinated_by_kepala_dinas_with_the_mayors_office_and_answered_by_letter(app, client, staff):
    petugas, kadis, kabid = staff["petugas"][1], staff["kadis"][1], staff["kabid"][1]
    c = new_complaint(
        client,
        petugas,
        channel="letter",
        weight=None,
        complainant={"name": "Yayasan Karya", "address": "Jl. Riau 9, Pekanbaru"},
    )
    assert c["status"] == "received" and c["due_at"] is None
    rv = act(client, petugas, c["id"], "sort", weight="berat")
    assert rv.json["status"] == "coordination" and rv.json["due_at"]
    # The Kepala Bidang has no part in a berat complaint.
    assert act(client, kabid, c["id"], "coordinate_head", note="x").status_code == 409
    assert act(client, kadis, c["id"], "coordinate_mayor", note="x", **{"with": "camat"}).status_code == 422
    rv = act(client, kadis, c["id"], "coordinate_mayor", note="Dibahas bersama Sekda.", **{"with": "sekda"})
    assert rv.status_code == 200 and rv.json["status"] == "handling"
    assert rv.json["events"][-1]["actor"] == "Kadis Uji"
    assert "Sekretaris Daerah" in rv.json["events"][-1]["note"]

    rv = act(client, petugas, c["id"], "reply", text="Izin Saudara ditinjau ulang.")
    assert rv.json["status"] == "review"
    [(channel, recipient, _, _body)] = _outbox(app, c["id"])
    assert channel == "letter" and recipient == "Yayasan Karya, Jl. Riau 9, Pekanbaru"

    from tests.conftest import AuthActions

    AuthActions(client).login("petugas_user")
    pdf = client.get(f"/complaints/{c['id']}/reply-letter.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    assert "Izin Saudara ditinjau ulang." in text and "Yayasan Karya" in text and c["number"] in text
    assert act(client, staff["sekretaris"][1], c["id"], "approve").json["status"] == "closed"


def test_telephone_reply_is_recorded_with_who_and_when_and_queues_nothing(app, client, staff):
    petugas = staff["petugas"][1]
    c = new_complaint(client, petugas, channel="telephone", complainant={"name": "Andi", "phone": "(0761) 28262"})
    rv = act(client, petugas, c["id"], "reply", text="Sudah dijelaskan melalui telepon.")
    assert rv.json["status"] == "review"
    event = rv.json["events"][-1]
    assert (event["action"], event["actor"], event["note"]) == ("reply", "Petugas Uji", "via telephone")
    assert event["at"] and rv.json["replied_at"]
    assert _outbox(app, c["id"]) == []


def test_letter_with_a_phone_may_be_answered_by_telephone_but_not_by_email(app, client, staff):
    petugas = staff["petugas"][1]
    c = new_complaint(client, petugas, channel="letter", complainant={"name": "Rina", "phone": "081234567890"})
    assert act(client, petugas, c["id"], "reply", text="x", via="email").status_code == 422
    rv = act(client, petugas, c["id"], "reply", text="Ditelepon.")
    assert rv.json["events"][-1]["note"] == "via telephone"


def test_public_web_form_waits_for_sorting_and_is_answered_by_email(app, client, staff):
    from app.complaints.book import create_complaint

    with app.test_request_context():
        c = create_complaint(
            {
                "channel": "telephone",
                "weight": "berat",
                "subject": "Antrian lama",
                "description": "Loket penuh.",
                "complainant": {"name": "Warga", "email": "w@example.test"},
            },
            source="public",
        )
        cid = c.id
        assert (c.channel, c.weight, c.status, c.recorded_by_id) == ("web_form", None, "received", None)
    rv = act(client, staff["petugas"][1], cid, "sort", weight="ringan")
    assert rv.json["status"] == "handling"
    act(client, staff["petugas"][1], cid, "reply", text="Terima kasih, loket ditambah.")
    assert _outbox(app, cid)[0][:2] == ("email", "w@example.test")
    with app.app_context():
        assert db.session.get(Complaint, cid).status == "review"


def test_complaint_about_an_application_is_linked_to_its_case(app, client, staff):
    from models import Case
    from tests.factories import new_case

    case_id = new_case(app)
    with app.app_context():
        case = db.session.get(Case, case_id)
        registration_no, service_id = case.registration_no, case.service_id
    c = new_complaint(client, staff["petugas"][1], case=registration_no)
    assert c["case"] == registration_no
    with app.app_context():
        assert db.session.get(Complaint, c["id"]).service_id == service_id


def test_anonymous_suggestion_box_note_is_recorded_without_a_reply(app, client, staff):
    petugas = staff["petugas"][1]
    c = new_complaint(client, petugas, channel="suggestion_box", complainant={"name": "Anonim"})
    assert act(client, petugas, c["id"], "reply", text="x", via="letter").status_code == 422
    rv = act(client, petugas, c["id"], "reply", text="Dicatat: ruang tunggu akan diberi kipas.")
    assert rv.json["status"] == "review" and rv.json["events"][-1]["note"] == "via none"
    assert _outbox(app, c["id"]) == []
