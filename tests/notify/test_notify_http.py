"""SMS through an HTTP gateway: delivery, retries with backoff, giving up, no double send."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

from outbox_helpers import outbox, soon

from app.core.extensions import db
from app.notify.outbox import enqueue, send_pending


def test_gateway_gets_credentials_number_and_text(app, sms_over_http):
    with app.app_context():
        enqueue("sms", "0812-3456-789", "Izin TD-BKK No. 001 siap diambil.")
        db.session.commit()
        assert send_pending(now=soon())["sent"] == 1
        message = outbox()[0]
        assert message.status == "sent" and message.attempts == 1
        assert "messageId" in message.provider_ref
    assert sms_over_http.requests == [
        {
            "method": "POST",
            "path": "/sms/send",
            "params": {
                "userkey": "kantor",
                "passkey": "rahasia",
                "to": "+628123456789",
                "message": "Izin TD-BKK No. 001 siap diambil.",
            },
        }
    ]


def test_get_gateway_with_its_own_parameter_names_and_number_style(app_config, gateway):
    app_config.update(
        NOTIFY_BACKEND="http",
        NOTIFY_HTTP_URL=gateway.url + "?type=reguler",
        NOTIFY_HTTP_METHOD="GET",
        NOTIFY_HTTP_PARAMS="user=dpmptsp&pass=s3cret",
        NOTIFY_HTTP_TO_PARAM="nohp",
        NOTIFY_HTTP_MESSAGE_PARAM="pesan",
        NOTIFY_HTTP_NUMBER_STYLE="0",
    )
    from app import create_app

    app = create_app(app_config)
    with app.app_context():
        enqueue("sms", "+62 812 3456 789", "Berkas & syarat lengkap?")
        db.session.commit()
        assert send_pending(now=soon())["sent"] == 1
    assert gateway.requests[0]["method"] == "GET"
    assert gateway.requests[0]["params"] == {
        "type": "reguler",
        "user": "dpmptsp",
        "pass": "s3cret",
        "nohp": "08123456789",
        "pesan": "Berkas & syarat lengkap?",
    }


def test_server_error_is_retried_after_backoff(app, sms_over_http):
    sms_over_http.script = [500]
    t0 = soon()
    with app.app_context():
        enqueue("sms", "0812-3456-789", "coba lagi")
        db.session.commit()
        assert send_pending(now=t0) == {"sent": 0, "retry": 1, "failed": 0, "requeued": 0}
        message = outbox()[0]
        assert (message.status, message.attempts) == ("queued", 1)
        assert "HTTP 500" in message.last_error
        assert message.next_attempt_at == t0 + timedelta(minutes=1)
        # Not due yet half a minute later: the gateway hears nothing.
        assert send_pending(now=t0 + timedelta(seconds=30))["retry"] == 0
        assert len(sms_over_http.requests) == 1
        assert send_pending(now=t0 + timedelta(minutes=1))["sent"] == 1
        message = outbox()[0]
        assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)
    assert sms_over_http.messages() == ["coba lagi", "coba lagi"]


def test_gives_up_after_max_attempts_with_doubling_waits(app, sms_over_http):
    sms_over_http.always = 503
    t = soon()
    with app.app_context():
        enqueue("sms", "0812-3456-789", "gateway mati")
        db.session.commit()
        waits = []
        for _ in range(2):
            assert send_pending(now=t)["retry"] == 1
            due = outbox()[0].next_attempt_at
            waits.append(due - t)
            t = due
        assert waits == [timedelta(minutes=1), timedelta(minutes=2)]
        assert send_pending(now=t) == {"sent": 0, "retry": 0, "failed": 1, "requeued": 0}
        message = outbox()[0]
        assert (message.status, message.attempts) == ("failed", 3)
        assert "HTTP 503" in message.last_error
        assert send_pending(now=t + timedelta(days=1))["failed"] == 0
    assert len(sms_over_http.requests) == 3


def test_unreachable_gateway_is_a_failure_to_retry(app_config):
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app_config.update(NOTIFY_BACKEND="http", NOTIFY_HTTP_URL=f"http://127.0.0.1:{port}/send")
    from app import create_app

    app = create_app(app_config)
    with app.app_context():
        enqueue("sms", "0812-3456-789", "tidak sampai")
        db.session.commit()
        assert send_pending(now=soon())["retry"] == 1
        message = outbox()[0]
        assert message.status == "queued" and "unreachable" in message.last_error


def test_two_workers_at_once_send_each_message_exactly_once(app, sms_over_http):
    bodies = [f"pesan {i:02d}" for i in range(40)]
    with app.app_context():
        for body in bodies:
            enqueue("sms", "0812-3456-789", body)
        db.session.commit()
    now = soon()
    start = threading.Barrier(2)
    results: dict[str, dict] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with app.app_context():
                start.wait()
                results[name] = send_pending(limit=100, worker_id=name, now=now)
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("worker-a", "worker-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(sms_over_http.messages()) == bodies
    assert results["worker-a"]["sent"] + results["worker-b"]["sent"] == 40
    with app.app_context():
        assert {m.status for m in outbox()} == {"sent"}
