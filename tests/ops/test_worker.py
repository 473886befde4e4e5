"""`flask notify worker`: a long-running process that sends the outbox and stops cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.notify.outbox import _claim, enqueue
from models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def _queue(app, count: int) -> list[int]:
    with app.app_context():
        ids = [enqueue("sms", f"0812-3456-{i:04d}", f"pesan {i}").id for i in range(count)]
        db.session.commit()
        return ids


def _statuses(app) -> dict[int, tuple[str, int]]:
    with app.app_context():
        db.session.expire_all()
        rows = db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts)).all()
        db.session.rollback()
        return {row.id: (row.status, row.attempts) for row in rows}


def _start_worker(database_url: str, instance: Path, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "UPLOAD_DIR": str(instance / "uploads"),
        "LOG_FORMAT": "json",  # the log backend's "sent" lines, one JSON object each
        "PYTHONUNBUFFERED": "1",
    }
    # Output to files, not pipes: a pipe nobody reads until the end fills (64 KB of log lines)
    # and blocks the worker in the middle of its loop.
    process = subprocess.Popen(
        [str(FLASK), "notify", "worker", "--interval", "0.2", "--batch", "5", "--worker", name],
        cwd=ROOT,
        env=env,
        stdout=open(instance / f"{name}.out", "w"),  # noqa: SIM115 (closed by _stop)
        stderr=open(instance / f"{name}.err", "w"),  # noqa: SIM115
        text=True,
    )
    process.logs = (instance / f"{name}.out", instance / f"{name}.err")  # type: ignore[attr-defined]
    return process


def _wait_until(predicate, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def _sent_ids(stderr: str) -> list[int]:
    """Message ids the log backend reports sending (app.notify.backends)."""
    ids = []
    for line in stderr.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            match = re.match(r"outbox sms #(\d+) ", entry["message"])
            if match and entry["logger"].startswith("app.notify"):
                ids.append(int(match.group(1)))
    return ids


def _stop(process: subprocess.Popen) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    finally:
        out_path, err_path = process.logs  # type: ignore[attr-defined]
    return process.returncode, out_path.read_text(), err_path.read_text()


@pytest.mark.slow
def test_worker_sends_queued_messages_then_stops_on_sigterm(app, database_url, tmp_path):
    ids = _queue(app, 7)
    worker = _start_worker(database_url, tmp_path, "w1")
    try:
        _wait_until(lambda: all(status == "sent" for status, _ in _statuses(app).values()))
        # A message queued while it runs goes out too: it keeps polling.
        late = _queue(app, 1)
        _wait_until(lambda: _statuses(app)[late[0]][0] == "sent")
    finally:
        code, out, err = _stop(worker)
    assert code == 0, err
    assert "Outbox worker stopped." in out or "Pekerja kotak keluar berhenti." in out
    assert sorted(_sent_ids(err)) == sorted([*ids, *late])
    assert {attempts for _, attempts in _statuses(app).values()} == {1}


@pytest.mark.slow
def test_two_workers_on_postgresql_send_each_message_once(app, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time; concurrent claims are PostgreSQL's case")
    ids = _queue(app, 60)
    workers = [_start_worker(database_url, tmp_path, f"w{n}") for n in (1, 2)]
    try:
        _wait_until(lambda: all(status == "sent" for status, _ in _statuses(app).values()))
    finally:
        results = [_stop(worker) for worker in workers]
    assert [code for code, _, _ in results] == [0, 0], [err[-2000:] for _, _, err in results]
    sent = [_sent_ids(err) for _, _, err in results]
    assert sorted(sent[0] + sent[1]) == sorted(ids)  # every message once, none twice
    assert {attempts for _, attempts in _statuses(app).values()} == {1}


def test_concurrent_claims_on_postgresql_never_share_a_row(app, database_url):
    """Claimers racing through one queue (SELECT ... FOR UPDATE SKIP LOCKED) take disjoint rows."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks: its single writer serialises the claims")
    ids = _queue(app, 80)
    now = datetime.now(UTC) + timedelta(minutes=1)
    start = threading.Barrier(4)
    claimed: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def claimer(token: str) -> None:
        try:
            mine: list[int] = []
            start.wait()
            with app.app_context():
                while batch := _claim(token, 3, now):
                    mine.extend(message.id for message in batch)
                db.session.remove()
            claimed[token] = mine
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(f"claimer-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    every = [message_id for mine in claimed.values() for message_id in mine]
    assert sorted(every) == sorted(ids)  # all claimed, none by two claimers
    assert sum(1 for mine in claimed.values() if mine) >= 2  # they did run side by side
