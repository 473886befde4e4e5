"""E-mail over SMTP against a minimal local SMTP server, and row locks on PostgreSQL."""

from __future__ import annotations

import email
import socketserver
import threading

import pytest
import sqlalchemy as sa
from outbox_helpers import outbox, soon

from app.core.extensions import db
from app.notify.outbox import enqueue, send_pending


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greet, accept one envelope, store the DATA."""

    def handle(self) -> None:
        self.wfile.write(b"220 uji ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb == "DATA":
                self.wfile.write(b"354 go on\r\n")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                self.server.received.append(b"".join(data))
                self.wfile.write(b"250 queued as uji-1\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb == "RCPT" and self.server.refuse:
                self.wfile.write(b"550 no such mailbox\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.received, server.refuse = [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_email_goes_out_over_smtp(app, smtp_server):
    app.config.update(
        NOTIFY_EMAIL_BACKEND="smtp",
        NOTIFY_SMTP_HOST="127.0.0.1",
        NOTIFY_SMTP_PORT=smtp_server.server_address[1],
        NOTIFY_SMTP_FROM="layanan@dpmptsp.example",
    )
    with app.app_context():
        enqueue("email", "pemohon@example.test", "Izin Anda selesai.", subject="TD-BKK selesai")
        db.session.commit()
        assert send_pending(now=soon())["sent"] == 1
        message = outbox()[0]
        assert message.status == "sent" and message.provider_ref.startswith("<outbox-")
    mail = email.message_from_bytes(smtp_server.received[0])
    assert (mail["To"], mail["From"], mail["Subject"]) == (
        "pemohon@example.test",
        "layanan@dpmptsp.example",
        "TD-BKK selesai",
    )
    assert mail.get_payload().strip() == "Izin Anda selesai."


def test_refused_recipient_is_retried_not_marked_sent(app, smtp_server):
    smtp_server.refuse = True
    app.config.update(
        NOTIFY_EMAIL_BACKEND="smtp", NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=smtp_server.server_address[1]
    )
    with app.app_context():
        enqueue("email", "hilang@example.test", "Tidak sampai.", subject="Uji")
        db.session.commit()
        assert send_pending(now=soon())["retry"] == 1
        message = outbox()[0]
        assert message.status == "queued" and "SMTP" in message.last_error
    assert smtp_server.received == []


@pytest.fixture
def lock_timeout(app_config):
    """PostgreSQL only: a wait on a row lock fails after 10 s instead of hanging the test."""
    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite has no row locks: its single writer serialises the claims")
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c lock_timeout=10s"}}


def test_postgresql_worker_skips_a_row_another_worker_holds(lock_timeout, app):
    with app.app_context():
        held = enqueue("sms", "0812-3456-789", "dipegang pekerja lain").id
        enqueue("sms", "0812-3456-780", "bebas")
        db.session.commit()
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT id FROM outbox_message WHERE id = :id FOR UPDATE"), {"id": held})
            # Without SKIP LOCKED the claim would wait on this lock, then fail on lock_timeout.
            assert send_pending(now=soon()) == {"sent": 1, "retry": 0, "failed": 0, "requeued": 0}
            other.rollback()
        assert {m.body: m.status for m in outbox()} == {"dipegang pekerja lain": "queued", "bebas": "sent"}
