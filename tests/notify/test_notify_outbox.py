"""Queueing messages, the log backend, crash recovery and the CLI."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from outbox_helpers import outbox, soon
from sqlalchemy import func, select

from app.core.extensions import db
from app.notify.outbox import enqueue, normalize_phone, send_pending
from models import Holiday


@pytest.mark.parametrize(
    "typed",
    ["0812-3456-789", "0812 3456 789", "+62 812-3456-789", "628123456789", "8123456789", "(0812) 3456.789"],
)
def test_phone_numbers_are_written_with_plus_62(typed):
    assert normalize_phone(typed) == "+628123456789"


@pytest.mark.parametrize(
    "typed", ["", "0761-28262", "0812-345", "0812-3456-7890-123", "+1 812 3456 789", "0812abc3456"]
)
def test_bad_phone_numbers_are_refused_in_indonesian(app, typed):
    with app.app_context(), pytest.raises(ValueError, match="Nomor HP tidak valid"):
        normalize_phone(typed)


def test_enqueue_adds_to_the_callers_transaction(app):
    with app.app_context():
        message = enqueue("sms", "0812-3456-789", "Izin TD-BKK Anda sudah selesai.", dedupe_key="case-1-ready")
        assert message.status == "queued" and message.recipient == "+628123456789"
        db.session.rollback()
        assert outbox() == []
        enqueue("sms", "0812-3456-789", "Izin TD-BKK Anda sudah selesai.", dedupe_key="case-1-ready")
        db.session.commit()
        assert [(m.recipient, m.status, m.attempts) for m in outbox()] == [("+628123456789", "queued", 0)]


def test_duplicate_dedupe_key_returns_none_and_keeps_the_transaction(app):
    with app.app_context():
        assert enqueue("email", "a@example.test", "first", subject="Selesai", dedupe_key="case-7-ready")
        db.session.commit()
        # Same key queued before: nothing added, and the caller's own work still commits.
        db.session.add(Holiday(date=soon().date() + timedelta(days=400), name="Libur uji", kind="national"))
        assert enqueue("email", "a@example.test", "second", dedupe_key="case-7-ready") is None
        assert enqueue("letter", "Jl. Sudirman 1", "third", dedupe_key="case-8-letter")
        assert enqueue("letter", "Jl. Sudirman 1", "fourth", dedupe_key="case-8-letter") is None
        db.session.commit()
        assert [m.body for m in outbox()] == ["first", "third"]
        assert db.session.scalar(select(func.count()).select_from(Holiday).where(Holiday.name == "Libur uji")) == 1


def test_enqueue_refuses_bad_input_and_writes_nothing(app):
    with app.app_context():
        with pytest.raises(ValueError):
            enqueue("sms", "0761-28262", "landline")
        with pytest.raises(ValueError):
            enqueue("fax", "0761-28262", "no such channel")
        with pytest.raises(ValueError):
            enqueue("email", "a@example.test", "   ")
        db.session.commit()
        assert outbox() == []


def test_log_backend_logs_and_marks_every_channel_sent(app, caplog):
    with app.app_context():
        enqueue("sms", "0812-3456-789", "Berkas Anda diterima.", dedupe_key="c1")
        enqueue("email", "pemohon@example.test", "Silakan ambil izin.", subject="Izin selesai")
        enqueue("letter", "PT Maju, Jl. Riau 2", "Surat pengingat pengambilan izin.")
        db.session.commit()
        with caplog.at_level(logging.INFO, logger="app.notify.outbox"):
            counts = send_pending(now=soon())
        assert counts == {"sent": 3, "retry": 0, "failed": 0, "requeued": 0}
        assert "Berkas Anda diterima." in caplog.text and "[Izin selesai]" in caplog.text
        rows = outbox()
        assert [(m.status, m.attempts, m.provider_ref, m.locked_by) for m in rows] == [("sent", 1, "log", None)] * 3
        assert all(m.sent_at is not None for m in rows)
        assert send_pending(now=soon()) == {"sent": 0, "retry": 0, "failed": 0, "requeued": 0}


def test_message_not_yet_due_waits(app):
    with app.app_context():
        enqueue("sms", "0812-3456-789", "nanti")
        db.session.commit()
        assert send_pending(now=soon() - timedelta(hours=1))["sent"] == 0
        assert outbox()[0].status == "queued"
        assert send_pending(limit=1, now=soon())["sent"] == 1


def test_misspelt_backend_never_marks_sms_sent(app):
    app.config["NOTIFY_BACKEND"] = "htpp"
    with app.app_context():
        enqueue("sms", "0812-3456-789", "halo")
        db.session.commit()
        assert send_pending(now=soon()) == {"sent": 0, "retry": 1, "failed": 0, "requeued": 0}
        message = outbox()[0]
        assert message.status == "queued" and "NOTIFY_BACKEND='htpp'" in message.last_error


def test_a_live_claim_is_left_alone_and_a_stale_one_is_taken_back(app):
    now = soon()
    with app.app_context():
        live = enqueue("sms", "0812-3456-789", "diklaim pekerja lain")
        stale = enqueue("sms", "0812-3456-780", "pekerja mati")
        live.status, live.locked_by, live.locked_at = "sending", "other:1/a", now - timedelta(minutes=5)
        stale.status, stale.locked_by, stale.locked_at = "sending", "dead:2/b", now - timedelta(minutes=31)
        db.session.commit()
        counts = send_pending(now=now)
        assert counts == {"sent": 1, "retry": 0, "failed": 0, "requeued": 1}
        by_body = {m.body: m for m in outbox()}
        assert by_body["diklaim pekerja lain"].status == "sending"
        assert by_body["diklaim pekerja lain"].locked_by == "other:1/a"
        taken_back = by_body["pekerja mati"]
        assert (taken_back.status, taken_back.attempts) == ("sent", 2)


def test_a_message_that_keeps_crashing_its_worker_ends_failed(app):
    now = soon()
    with app.app_context():
        message = enqueue("sms", "0812-3456-789", "racun")
        message.status, message.locked_by, message.locked_at = "sending", "dead:2/b", now - timedelta(hours=1)
        message.attempts = app.config["NOTIFY_MAX_ATTEMPTS"] - 1
        db.session.commit()
        assert send_pending(now=now)["requeued"] == 1
        row = outbox()[0]
        assert row.status == "failed" and "claim expired" in row.last_error
        assert row.locked_at is None


def test_cli_prints_counts_in_indonesian(app, runner):
    with app.app_context():
        enqueue("sms", "0812-3456-789", "satu")
        enqueue("email", "x@example.test", "dua")
        db.session.commit()
    result = runner.invoke(args=["notify", "send", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "Kotak keluar: 1 terkirim, 0 dicoba lagi, 0 gagal" in result.output
    result = runner.invoke(args=["notify", "send"])
    assert "Kotak keluar: 1 terkirim" in result.output
    with app.app_context():
        assert [m.status for m in outbox()] == ["sent", "sent"]
    assert runner.invoke(args=["notify", "send", "--limit", "0"]).exit_code != 0
