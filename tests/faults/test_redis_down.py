"""Fault (c): Redis stopped and started again under logins.

Decision (README "Deployment"): logins keep working. The failed-login throttle
and the public form limits fall back to counting in each process's memory, with
an error logged, until Redis answers again (retried every
AUTH_THROTTLE_RETRY_SECONDS); `/readyz` says 503 naming Redis meanwhile. So
password guessing stays throttled (per worker process instead of per
deployment), and officers can still log in while the operator restores Redis.

The test stops a private `redis-server`, tries right and wrong passwords beyond
the limit, starts it again, and checks that counting is shared through Redis again.
"""

from __future__ import annotations

import logging
import time

import pytest
import redis

from app import create_app
from app.core.extensions import db
from tests.conftest import PASSWORD, csrf_token
from tests.faults.conftest import FAULTS_ONLY_ON_POSTGRESQL

pytestmark = [pytest.mark.slow, FAULTS_ONLY_ON_POSTGRESQL]

LIMIT = 3
WRONG = "wrong-password-xyz"


def _user(app, role: str) -> str:
    import uuid

    name = "u_" + uuid.uuid4().hex[:10]
    with app.app_context():
        sm = app.appbuilder.sm
        assert sm.add_user(name, "Uji", name, f"{name}@example.test", [sm.find_role(role)], PASSWORD)
    return name


def _login(client, username: str, password: str) -> int:
    answer = client.post("/api/v1/security/login", json={"username": username, "password": password, "provider": "db"})
    return answer.status_code


def _track(client) -> int:
    token = csrf_token(client, "/public/track")
    return client.post(
        "/public/track", data={"number": "X/1", "key": "ABCDEFGHIJKLMN", "csrf_token": token}
    ).status_code


def _keys(server, part: str) -> list[bytes]:
    return redis.Redis.from_url(server.url).keys(f"*{part}*")


def _form_limit_keys(server) -> list[bytes]:
    """Flask-Limiter's counters (the login throttle's keys are LIMITER ones too, named login-...)."""
    return [key for key in _keys(server, "LIMITER") if b"login-" not in key]


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_redis_stopped_logins_keep_working_still_throttled_then_shared_again(app_config, private_redis):
    app = create_app(
        {
            **app_config,
            "RATELIMIT_STORAGE_URI": private_redis.url,
            "AUTH_FAILED_LOGIN_LIMIT_ACCOUNT": f"{LIMIT} per 15 minute",
            "AUTH_THROTTLE_RETRY_SECONDS": 0.5,
            "PUBLIC_TRACK_RATE_LIMIT": f"{LIMIT} per minute",
        }
    )
    client = app.test_client()
    first, second, third = (_user(app, "Front Office") for _ in range(3))

    # Redis up: the counters live in Redis, shared by every worker and instance.
    assert [_login(client, first, WRONG) for _ in range(LIMIT)] == [401] * LIMIT
    assert _login(client, first, PASSWORD) == 429
    assert _keys(private_redis, "login-account")
    assert [_track(client) for _ in range(LIMIT + 1)] == [200] * LIMIT + [429]
    assert _form_limit_keys(private_redis)

    private_redis.stop()
    errors = _Errors()
    logging.getLogger("app.setup.auth").addHandler(errors)
    try:
        started = time.monotonic()
        assert _login(client, second, PASSWORD) == 200  # an officer still gets in
        first_login_seconds = time.monotonic() - started
    finally:
        logging.getLogger("app.setup.auth").removeHandler(errors)
    assert any("unreachable" in message for message in errors.messages), errors.messages
    assert first_login_seconds < 3, "a dead Redis must cost a login about a second, not a hung worker"
    # Guessing is still throttled, in this process's memory.
    assert [_login(client, second, WRONG) for _ in range(LIMIT)] == [401] * LIMIT
    assert _login(client, second, PASSWORD) == 429
    tracks = [_track(client) for _ in range(LIMIT + 2)]
    assert set(tracks) <= {200, 429} and 429 in tracks, tracks  # the public form: limited, never a 500
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["failed"] == ["redis"]

    private_redis.start()  # empty: --save ''
    restarted = time.monotonic()
    time.sleep(0.6)  # AUTH_THROTTLE_RETRY_SECONDS
    assert client.get("/readyz").status_code == 200
    assert [_login(client, third, WRONG) for _ in range(LIMIT)] == [401] * LIMIT
    assert _login(client, third, PASSWORD) == 429
    assert _keys(private_redis, "login-account"), "failed logins are counted in Redis again"
    shared_again = time.monotonic() - restarted
    # Flask-Limiter (the public forms) tries Redis again after a back-off of 1, 2, 4... seconds.
    while not _form_limit_keys(private_redis) and time.monotonic() - restarted < 20:
        assert _track(client) in (200, 429)
        time.sleep(0.2)
    assert _form_limit_keys(private_redis), "the public form limits never went back to Redis"
    forms_again = time.monotonic() - restarted
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    print(
        f"\nRedis stopped: first login took {first_login_seconds:.2f} s (200), {LIMIT} wrong passwords "
        f"answered 401 then 429 (per-process counting), public tracking {tracks}; Redis back: login counting "
        f"shared through Redis again after {shared_again:.1f} s, public form limits after {forms_again:.1f} s"
    )
