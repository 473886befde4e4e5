"""Fault (b): PostgreSQL restarted under load; the instance answers 503 meanwhile and recovers by itself.

One gunicorn instance (APP_ENV=production) on a private PostgreSQL cluster is
kept busy by four clients: an officer's JSON worklist (bearer token), an
officer's page (session cookie: the logged-in user is read from the database),
the public service list and `/readyz`. The cluster is stopped (`pg_ctl stop -m
fast`, which also cuts every open connection), kept down two seconds, and started
again. What a user notices:

* while it is down every answer is a clean 503: `{"message": ...}` in Indonesian
  under /api/, the app's "Layanan tidak tersedia" page otherwise, never a 500 or a
  stack trace; `/readyz` says 503 naming the database;
* within seconds of the database being back every client gets 200 again, from the
  same gunicorn workers (nothing restarted them).
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests

from app import create_app
from app.core.extensions import db
from tests.conftest import PASSWORD
from tests.factories import new_case, role_user
from tests.faults.conftest import FAULTS_ONLY_ON_POSTGRESQL, FULL_SCALE

pytestmark = [pytest.mark.slow, FAULTS_ONLY_ON_POSTGRESQL]

OUTAGE_SECONDS = 15.0 if FULL_SCALE else 2.0
RECOVERY_LIMIT_SECONDS = 5.0
UNAVAILABLE_ID = "Layanan tidak dapat menjawab sekarang. Tidak ada yang diubah; coba lagi nanti."
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _officer_session(base: str, username: str) -> requests.Session:
    """A browser session logged in through the login form."""
    browser = requests.Session()
    match = CSRF_RE.search(browser.get(base + "/login/", timeout=10).text)
    assert match
    answer = browser.post(
        base + "/login/",
        data={"username": username, "password": PASSWORD, "csrf_token": match.group(1) or match.group(2)},
        timeout=10,
    )
    assert answer.status_code == 200 and "/login" not in answer.url, answer.url
    return browser


class Load:
    """Clients asking their page in a loop; every answer (or failure) with its send and answer time."""

    def __init__(self, clients: dict[str, tuple[requests.Session, str, dict]]) -> None:
        self.clients = clients
        self.records: list[tuple[str, float, float, int | None, str, str]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._loop, args=(name,)) for name in clients]

    def _loop(self, name: str) -> None:
        session, url, headers = self.clients[name]
        while not self.stop.is_set():
            sent = time.monotonic()
            try:
                answer = session.get(url, headers=headers, timeout=10, allow_redirects=False)
                record = (
                    name,
                    sent,
                    time.monotonic(),
                    answer.status_code,
                    answer.headers.get("Content-Type", ""),
                    answer.text,
                )
            except requests.RequestException as exc:
                record = (name, sent, time.monotonic(), None, "", repr(exc))
            with self.lock:
                self.records.append(record)
            time.sleep(0.05)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(15)

    def first_ok_after(self, moment: float) -> dict[str, float]:
        with self.lock:
            out: dict[str, float] = {}
            for name, sent, done, status, *_ in self.records:
                if sent >= moment and status == 200 and name not in out:
                    out[name] = done
            return out


def test_database_restart_answers_503_then_recovers_without_restarting_the_app(
    private_pg, private_db, private_redis, web_instance, tmp_path
):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": private_db, "INSTANCE_PATH": str(tmp_path)})
    new_case(app)  # a worklist with something in it
    with app.app_context():
        officer = role_user(app, "Front Office").username
        db.session.remove()
        db.engine.dispose()

    web = web_instance(private_db, private_redis.url)
    workers = web.worker_pids()
    api = requests.Session()
    clients = {
        "api": (api, web.base + "/api/v1/cases/", web.token(officer)),
        "officer page": (_officer_session(web.base, officer), web.base + "/", {}),
        "public page": (requests.Session(), web.base + "/public/", {}),
        "readyz": (requests.Session(), web.base + "/readyz", {}),
    }
    with Load(clients) as load:
        time.sleep(1.0)
        private_pg.stop("fast")
        down = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        starting = time.monotonic()
        private_pg.start()
        up = time.monotonic()
        deadline = up + 20
        while len(load.first_ok_after(up)) < len(clients) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        # Then `pg_ctl restart -m fast` as an operator runs it, no pause: the same must hold.
        again = time.monotonic()
        private_pg.restart("fast")
        up_again = time.monotonic()
        while len(load.first_ok_after(up_again)) < len(clients) and time.monotonic() < up_again + 20:
            time.sleep(0.1)
        time.sleep(0.5)
    records = list(load.records)

    assert [r for r in records if r[3] is None] == [], "the instance stopped answering"
    assert {r[3] for r in records} <= {200, 503}, sorted({(r[0], r[3]) for r in records if r[3] not in (200, 503)})
    outage = [r for r in records if r[1] >= down and r[2] <= starting]
    assert {r[0] for r in outage} == set(clients), "every client asked while the database was down"
    assert {r[3] for r in outage} == {503}
    for name, _sent, _done, status, ctype, body in records:
        if status != 503:
            continue
        assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body
        if name == "api":
            assert ctype.startswith("application/json")
            assert body and requests.models.complexjson.loads(body) == {"message": UNAVAILABLE_ID}
        elif name == "readyz":
            assert requests.models.complexjson.loads(body)["failed"] == ["database"]
        else:
            assert ctype.startswith("text/html") and "Layanan tidak tersedia" in body

    recovered = load.first_ok_after(up)
    assert set(recovered) == set(clients), f"not every client recovered: {recovered}"
    recovery = {name: round(done - up, 2) for name, done in recovered.items()}
    assert max(recovery.values()) <= RECOVERY_LIMIT_SECONDS, recovery
    # After its first 200 again, a client never sees a 503 until the next restart.
    for name, ok_at in recovered.items():
        assert all(r[3] == 200 for r in records if r[0] == name and ok_at < r[2] < again), name
    recovered_again = load.first_ok_after(up_again)
    assert set(recovered_again) == set(clients), f"not every client recovered after the restart: {recovered_again}"
    recovery_again = {name: round(done - up_again, 2) for name, done in recovered_again.items()}
    assert max(recovery_again.values()) <= RECOVERY_LIMIT_SECONDS, recovery_again
    restart_503 = sum(1 for r in records if r[1] >= again and r[3] == 503)
    assert web.worker_pids() == workers, "gunicorn workers were replaced"
    log = web.log.read_text()
    assert "Traceback" not in log, log[-3000:]
    print(
        f"\nPostgreSQL restart under load: {len(records)} requests, {len(outage)} while down "
        f"(all 503), {sum(1 for r in records if r[3] == 503)} answered 503 in all, 0 errors; "
        f"down {starting - down:.1f} s, start took {up - starting:.1f} s; first 200 after start per client (s): "
        f"{recovery}; then `pg_ctl restart -m fast` took {up_again - again:.1f} s, {restart_503} answers 503, "
        f"first 200 after it (s): {recovery_again}"
    )
