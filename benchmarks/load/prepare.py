"""Test data the simulated users need, on top of `benchmarks.generate`'s database.

Written to a JSON file the locustfile reads:

* one officer per step (`load_step<no>`, made here with the step's first office
  executor role); per officer, cases at its step whose kind needs nothing to forward
  (the "act" pool: each case is forwarded once), and cases at a step whose kind lets
  its holders tick the checklist, with one unticked checklist line made here
  (the generator writes no checklist lines);
* registration numbers given a known tracking key (the generator writes none);
* the worklist SELECT of one officer compiled for PostgreSQL, for the bare baseline.

Roles and steps are read from the service definition and the engine (`step_kind`), not named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.generate import PASSWORD, make_app

TRACKING_KEY = "LOAD-TEST-KEY1"
TRACKED = 2000


# The administrator benchmarks.generate makes (it reads every register).
ADMIN = "bench_admin"


def worklist_sql(user: Any) -> str:
    """The SQL the worklist page runs for `user` (first page), compiled for PostgreSQL."""
    from sqlalchemy.dialects import postgresql

    from app.cases.access import WORKLIST_ORDER, worklist_filter
    from models import Case
    from views.cases.worklist import PAGE_SIZE, listed

    query = listed(sa.select(Case).where(*worklist_filter(user)).order_by(*WORKLIST_ORDER)).limit(PAGE_SIZE + 1)
    return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def prepare(url: str, out: Path, per_user: int = 3000) -> dict:
    """Write the pools to `out` (JSON) and return them."""
    from app.cases.step_kinds import TICK, step_kind
    from app.cases.workflow import hash_tracking_key
    from app.core.extensions import db
    from models import Case, CaseRequirement, CaseStatus, Requirement, Service

    app = make_app(url)
    result: dict[str, Any] = {"password": PASSWORD, "officers": [], "tracking_key": TRACKING_KEY}
    with app.app_context():
        sm = app.appbuilder.sm
        # The service the generated cases belong to.
        service = db.session.get(Service, db.session.scalar(sa.select(Case.service_id).where(Case.id == 1)))
        requirement_id = db.session.scalar(
            sa.select(Requirement.id).where(Requirement.service_id == service.id).order_by(Requirement.id)
        )
        for step in service.steps:
            # One officer per step, with the step's first office (non-applicant) executor role.
            role = next((e.name for e in step.executors if not e.applicant), None)
            if role is None:
                continue
            user = sm.find_user(username=f"load_step{step.no}")
            if user is None:
                user = sm.add_user(
                    username=f"load_step{step.no}",
                    first_name="Load",
                    last_name=f"step {step.no}",
                    email=f"load_step{step.no}@bench.test",
                    role=[sm.find_role(role)],
                    password=PASSWORD,
                )
            kind = step_kind(step)
            plain = [step.no] if not kind.needs and not kind.completes_case else []
            tick = [step.no] if TICK in kind.checklist_rights else []

            def pool(steps: list[int], parity: int) -> list[int]:
                if not steps:
                    return []
                return list(
                    db.session.scalars(
                        sa.select(Case.id)
                        .where(
                            Case.service_id == service.id,
                            Case.status == CaseStatus.IN_PROGRESS,
                            Case.current_step_no.in_(steps),
                            Case.id % 2 == parity,
                        )
                        .order_by(Case.id.desc())
                        .limit(per_user)
                    )
                )

            act = pool(plain, 1)
            ticks = []
            if requirement_id is not None:
                tick_cases = pool(tick, 0)
                # A reused database keeps the lines of an earlier run (perhaps ticked): made again, unticked.
                db.session.execute(
                    sa.delete(CaseRequirement).where(
                        CaseRequirement.case_id.in_(tick_cases), CaseRequirement.requirement_id == requirement_id
                    )
                )
                for case_id in tick_cases:
                    line = CaseRequirement(case_id=case_id, requirement_id=requirement_id, checked=False)
                    db.session.add(line)
                    ticks.append(line)
                db.session.flush()
            result["officers"].append(
                {"username": user.username, "act": act, "tick": [[line.case_id, line.id] for line in ticks]}
            )
        db.session.commit()
        # Known tracking keys on the newest cases (the public tracks recent applications).
        ids = list(db.session.scalars(sa.select(Case.id).order_by(Case.id.desc()).limit(TRACKED)))
        db.session.execute(
            sa.update(Case).where(Case.id.in_(ids)).values(tracking_key_hash=hash_tracking_key(TRACKING_KEY))
        )
        db.session.commit()
        result["tracking"] = list(db.session.scalars(sa.select(Case.registration_no).where(Case.id.in_(ids))))
        result["documents"] = ids[:500]
        # The baselines run the worklist of the officer of the step holding the most open cases.
        busiest = db.session.scalar(
            sa.select(Case.current_step_no)
            .where(Case.service_id == service.id, Case.status == CaseStatus.IN_PROGRESS)
            .group_by(Case.current_step_no)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        first = sm.find_user(username=f"load_step{busiest}")
        result["worklist_sql"] = worklist_sql(first)
        result["worklist_user"] = first.username
        result["admin"] = ADMIN
        db.session.remove()
        db.engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result))
    return result
