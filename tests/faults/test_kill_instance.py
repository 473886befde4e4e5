"""Fault (a): `kill -9` one web instance while workflow actions are in flight.

One gunicorn instance (2 workers x 4 threads, APP_ENV=production, private
PostgreSQL and Redis) takes "forward" actions on cases waiting at the service's
number step (the action that draws a certificate number) from 8 client threads
holding bearer tokens. After a few actions are answered, the master and its
workers are killed with SIGKILL at once. What a user notices afterwards:

* every case is either exactly as before or fully moved on (version +1, one more
  control-card row, the next step, a certificate) — nothing half done, no version
  skipped; every action answered 200 is among the applied ones;
* `flask cases verify-chain` passes;
* certificate numbers are unique and gap-less, and stay so when a fresh instance
  forwards the cases the killed one never finished (a number drawn by a killed
  transaction went back with its rollback).

Nothing names a service, a role or a step: the number step and its officer are
read from the definition.
"""

from __future__ import annotations

import queue
import threading
import time

import pytest
import requests
from sqlalchemy import select

from app import create_app
from app.core.extensions import db
from models import Case, Certificate, ControlCardEntry
from tests.factories import cases_at_step_kind
from tests.faults.conftest import FAULTS_ONLY_ON_POSTGRESQL, FULL_SCALE

pytestmark = [pytest.mark.slow, FAULTS_ONLY_ON_POSTGRESQL]

CASES = 400 if FULL_SCALE else 40
THREADS = 16 if FULL_SCALE else 8
KILL_AFTER_ANSWERS = 150 if FULL_SCALE else 12


def _state(app, case_ids: list[int]) -> dict[int, tuple]:
    """(version, step, control-card rows, certificate seq or None) per case."""
    with app.app_context():
        db.session.expire_all()
        out = {}
        for case_id in case_ids:
            case = db.session.get(Case, case_id, populate_existing=True)
            rows = db.session.query(ControlCardEntry).filter_by(case_id=case_id).count()
            out[case_id] = (
                case.version,
                case.current_step_no,
                rows,
                case.certificate.seq if case.certificate else None,
            )
        db.session.remove()
        return out


def _forward_all(base: str, headers: dict, work: list[tuple[int, int]], kill_after: int | None, killer) -> dict:
    """Post the actions from THREADS threads; call `killer` once `kill_after` answers came back."""
    todo: queue.Queue = queue.Queue()
    for item in work:
        todo.put(item)
    answered: dict[int, int] = {}
    failed: list[int] = []
    cut: list[int] = []  # sent before the kill, connection lost: truly in flight
    lock = threading.Lock()
    killed = threading.Event()

    def client() -> None:
        http = requests.Session()
        while True:
            try:
                case_id, version = todo.get_nowait()
            except queue.Empty:
                return
            sent_before_kill = not killed.is_set()
            try:
                answer = http.post(
                    f"{base}/api/v1/cases/{case_id}/act",
                    json={"action": "forward", "version": version, "note": None, "data": {}},
                    headers=headers,
                    timeout=60,  # a loaded machine is slow, not dead
                )
            except requests.RequestException:
                with lock:
                    failed.append(case_id)  # the instance died under it, or was gone already
                    if sent_before_kill:
                        cut.append(case_id)
                continue
            with lock:
                answered[case_id] = answer.status_code
                if kill_after is not None and len(answered) >= kill_after and not killed.is_set():
                    killed.set()
                    killer()

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300 if FULL_SCALE else 60)
    return {"answered": answered, "failed": failed, "cut": cut, "never_sent": todo.qsize()}


def test_kill_9_mid_actions_applies_each_action_wholly_or_not_at_all(private_db, private_redis, web_instance, tmp_path):
    app = create_app(
        {
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": private_db,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    case_ids, officer = cases_at_step_kind(app, "TD-BKK", "number", CASES)
    before = _state(app, case_ids)
    assert all(seq is None for *_, seq in before.values())

    first = web_instance(private_db, private_redis.url)
    headers = first.token(officer)
    work = [(case_id, before[case_id][0]) for case_id in case_ids]
    started = time.monotonic()
    run = _forward_all(first.base, headers, work, KILL_AFTER_ANSWERS, first.kill_9)
    in_flight = len(run["cut"])
    after = _state(app, case_ids)

    applied = set()
    for case_id, (version, step, rows, seq) in after.items():
        v0, step0, rows0, _ = before[case_id]
        if (version, step, rows, seq) == before[case_id]:
            continue
        # Fully applied: one version, one card row, the next step, one certificate. Nothing else.
        assert (version, rows) == (v0 + 1, rows0 + 1), (case_id, before[case_id], after[case_id])
        assert step != step0 and seq is not None, (case_id, before[case_id], after[case_id])
        applied.add(case_id)
    ok = {case_id for case_id, status in run["answered"].items() if status == 200}
    assert ok <= applied, "an action answered 200 was lost"
    assert all(status == 200 for status in run["answered"].values()), run["answered"]
    died_applied = len(applied - ok)  # committed, but the answer died with the instance
    seqs = sorted(after[c][3] for c in applied)
    assert seqs == list(range(1, len(applied) + 1)), seqs  # unique and gap-less
    chain = app.test_cli_runner().invoke(args=["cases", "verify-chain"])  # `flask cases verify-chain`
    assert chain.exit_code == 0, chain.output

    # A fresh instance forwards what the killed one never finished: numbering continues without a gap.
    second = web_instance(private_db, private_redis.url, workers=1)
    rest = [(case_id, after[case_id][0]) for case_id in case_ids if case_id not in applied]
    finish = _forward_all(second.base, second.token(officer), rest, None, None)
    assert finish["failed"] == [] and set(finish["answered"].values()) == {200}, finish
    final = _state(app, case_ids)
    with app.app_context():
        numbers = list(db.session.scalars(select(Certificate.number)))
        db.session.remove()
        db.engine.dispose()
    assert sorted(s for *_, s in final.values()) == list(range(1, CASES + 1))
    assert len(numbers) == len(set(numbers)) == CASES
    assert all(final[c][0] == before[c][0] + 1 for c in case_ids), "a version was skipped"
    chain = app.test_cli_runner().invoke(args=["cases", "verify-chain"])
    assert chain.exit_code == 0, chain.output
    print(
        f"\nkill -9 fault: {CASES} actions queued on {THREADS} threads; killed after "
        f"{len(run['answered'])} answers; {in_flight} requests in flight at the kill "
        f"(connection lost), {len(run['failed']) - in_flight} refused afterwards, {len(applied)} applied "
        f"in all ({died_applied} of them without an answer); certificate numbers 1..{len(applied)} gap-less, the rest "
        f"numbered {len(applied) + 1}..{CASES} by a fresh instance; {time.monotonic() - started:.1f} s"
    )
