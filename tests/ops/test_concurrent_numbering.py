"""Two app instances numbering the same cases at once: gap-less, unique, one number per case.

Two processes, each its own `create_app` on the same PostgreSQL database (two
servers behind one proxy), forward every case waiting at the service's number
step through `workflow.act` — the officer's "Number and stamp", which draws the
number with `app.cases.numbering.issue_certificate` — each in its own random
order, so they race for the counter on every action and now and then for the
same case (the loser gets 409 and its rollback returns the number it drew).

The cases are one case walked to the number step by the real engine and copied
in the database (the number step reads nothing else of a case), so preparing
them costs no workflow walk. `make test` numbers NUMBERING_CASES=200 TD-BKK cases
(and a quarter as many IPDH ones); the full figure of the issue is
`NUMBERING_CASES=1000 TEST_DATABASE=postgresql .venv/bin/pytest -s tests/ops/test_concurrent_numbering.py`.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
import traceback

import pytest
from sqlalchemy import func, select

from app.cases import workflow
from app.cases.control_card import broken_cases
from app.cases.numbering import CERTIFICATE, format_number
from app.cases.step_needs import WorkflowError
from app.core.extensions import db
from app.core.timezone import office_tz
from models import Case, Certificate, CertificateCounter, Service
from tests.factories import cases_at_step_kind

CASES = int(os.environ.get("NUMBERING_CASES", "200"))
INSTANCES = 2

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("TEST_DATABASE", "sqlite") != "postgresql",
        reason="several instances share a PostgreSQL database (SQLite: tests/cases/test_chain_numbering_reminders.py)",
    ),
]


def _instance(url: str, instance: str, username: str, case_ids: list[int], seed: int, start, queue) -> None:
    """One app instance (a spawned process); reports what it numbered, or its traceback."""
    try:
        queue.put(_number(url, instance, username, case_ids, seed, start))
    except BaseException:
        queue.put({"error": traceback.format_exc()})
        raise


def _number(url: str, instance: str, username: str, case_ids: list[int], seed: int, start) -> dict:
    """Forward each case still waiting at the number step, in this instance's own order."""
    from app import create_app

    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
    numbered, refused = [], 0
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        order = list(case_ids)
        random.Random(seed).shuffle(order)
        start.wait()
        for case_id in order:
            case = db.session.get(Case, case_id, populate_existing=True)
            step = workflow.get_step(case)
            if case.status != "in_progress" or step is None or step.kind != "number":
                continue  # the other instance numbered it already
            try:
                workflow.act(case, user, "forward", case.version)
            except WorkflowError as exc:
                assert exc.status == 409, exc.message  # lost the race for this case: nothing applied
                refused += 1
                continue
            numbered.append((case_id, case.certificate.seq, case.certificate.number))
        db.session.remove()
        db.engine.dispose()
    return {"numbered": numbered, "refused": refused}


# The second shipped service (other executor columns) proves nothing TD-BKK-only is assumed, at a quarter of the count.
@pytest.mark.parametrize(("service_code", "count"), [("TD-BKK", CASES), ("IPDH", max(CASES // 4, 20))])
def test_two_instances_number_every_case_once_without_gaps(app, database_url, tmp_path, service_code, count):
    case_ids, username = cases_at_step_kind(app, service_code, "number", count)
    with app.app_context():  # signed, as the number step requires
        unsigned = select(func.count()).select_from(Case).where(Case.id.in_(case_ids), Case.signed_by_id.is_(None))
        assert db.session.scalar(unsigned) == 0
    ctx = multiprocessing.get_context("spawn")
    queue, start = ctx.Queue(), ctx.Barrier(INSTANCES + 1)  # both apps built before the clock starts
    procs = [
        ctx.Process(target=_instance, args=(database_url, str(tmp_path), username, case_ids, seed, start, queue))
        for seed in range(INSTANCES)
    ]
    for proc in procs:
        proc.start()
    start.wait(timeout=300)
    began = time.perf_counter()
    results = [queue.get(timeout=900) for _ in procs]
    elapsed = time.perf_counter() - began
    assert not [r["error"] for r in results if "error" in r]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0

    numbered = [entry for result in results for entry in result["numbered"]]
    print(
        f"\n{INSTANCES} instances numbered {len(numbered)} {service_code} cases in {elapsed:.1f} s "
        f"({[len(r['numbered']) for r in results]} each, {sum(r['refused'] for r in results)} lost races)"
    )
    assert all(result["numbered"] for result in results)  # both instances really took part
    assert sorted(case_id for case_id, _, _ in numbered) == case_ids  # every case once, none twice
    assert sorted(seq for _, seq, _ in numbered) == list(range(1, count + 1))  # gap-less, unique

    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == service_code))
        certificates = db.session.scalars(select(Certificate).where(Certificate.service_id == service.id)).all()
        assert sorted(c.seq for c in certificates) == list(range(1, count + 1))
        assert sorted(c.case_id for c in certificates) == case_ids
        assert {c.number for c in certificates} == {
            format_number(service.number_format, c.seq, c.issued_at, service.code) for c in certificates
        }
        assert len({c.number for c in certificates}) == count
        year = certificates[0].issued_at.astimezone(office_tz()).year
        counter = db.session.scalar(
            select(CertificateCounter.last_seq).where(
                CertificateCounter.service_id == service.id,
                CertificateCounter.kind == CERTIFICATE,
                CertificateCounter.year == year,
            )
        )
        assert counter == count  # no number drawn and lost to a rollback
        waiting = db.session.scalar(
            select(func.count()).select_from(Case).where(Case.service_id == service.id, Case.status != "completed")
        )
        assert waiting == 0
        assert broken_cases() == []  # every control card still verifies
