"""Officer performance (Kepegawaian): actions on the control card and competency gaps.

Actions come from the control card (one row per action, with its standard and
working minutes and whether it was late), aggregated per officer in one query.
Competency is checked against the minimum education the service definitions
ask of each executor column (`competency: {education}` on an executor).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, select

from app.core.extensions import appbuilder, db
from app.reports.dashboard import Period, between
from models import Case, ControlCardEntry, Executor, Personnel, ServiceExecutor

# Levels as Personnel.education stores them, lowest first.
EDUCATION_LEVELS = ("SD", "SMP", "SMU", "D3", "S1", "S2", "S3")
# Definitions say SMA (today's name of the upper secondary school); records may say SMU.
SAME_LEVEL = {"SMA": "SMU"}


def education_rank(level: str | None) -> int:
    """Position in EDUCATION_LEVELS; -1 for nothing recorded or an unknown value."""
    level = SAME_LEVEL.get(level or "", level)
    return EDUCATION_LEVELS.index(level) if level in EDUCATION_LEVELS else -1


def min_education() -> dict[str, str]:
    """{role name: minimum education} of every executor column a definition sets one for.

    A role shared by several services must meet the highest of their minimums.
    """
    rows = db.session.execute(
        select(Executor.name, ServiceExecutor.education)
        .join(ServiceExecutor, ServiceExecutor.executor_id == Executor.id)
        .where(ServiceExecutor.education.is_not(None))
    )
    result: dict[str, str] = {}
    for name, education in rows:
        if education_rank(education) > education_rank(result.get(name)):
            result[name] = education
    return result


def officer_actions(period: Period) -> list[dict[str, Any]]:
    """Per officer: actions in the period, late ones, share on time, average vs standard minutes."""
    late = func.sum(when((ControlCardEntry.late.is_(True), 1), else_=0))
    stmt = (
        select(
            ControlCardEntry.officer_id,
            func.max(ControlCardEntry.officer_name),
            func.count(),
            late,
            func.avg(ControlCardEntry.spent_minutes),
            func.avg(ControlCardEntry.standard_minutes),
        )
        .where(between(ControlCardEntry.acted_at, period), ControlCardEntry.officer_id.is_not(None))
        .group_by(ControlCardEntry.officer_id)
    )
    if period.service_id is not None:
        stmt = stmt.join(Case, Case.id == ControlCardEntry.case_id).where(Case.service_id == period.service_id)
    rows = []
    for officer_id, name, total, late_n, spent, standard in db.session.execute(stmt):
        late_n = int(late_n or 0)
        rows.append(
            {
                "officer_id": officer_id,
                "name": name,
                "actions": total,
                "late": late_n,
                "on_time_pct": round(100.0 * (total - late_n) / total, 1) if total else None,
                "avg_minutes": round(float(spent), 1) if spent is not None else None,
                "standard_minutes": round(float(standard), 1) if standard is not None else None,
            }
        )
    return sorted(rows, key=lambda r: (-r["actions"], r["name"] or ""))


def competency_gaps() -> list[dict[str, Any]]:
    """Every active user holding a role with an education minimum, and whether they meet it.

    `gap` is None when met, else "no_record" (no personnel record),
    "no_education" (record without education) or "below" (education under the minimum).
    """
    minimums = min_education()
    sm = appbuilder().sm
    user, role = sm.user_model, sm.role_model
    stmt = (
        select(
            user.id,
            user.first_name,
            user.last_name,
            user.username,
            role.name,
            Personnel.id,
            Personnel.name,
            Personnel.education,
            Personnel.competencies,
        )
        .join(user.roles)
        .outerjoin(Personnel, Personnel.user_id == user.id)
        .where(role.name.in_(list(minimums)), user.active.is_(True))
        .order_by(role.name, user.username)
    )
    rows = []
    for uid, first, last, username, role_name, pid, pname, education, competencies in db.session.execute(stmt):
        minimum = minimums[role_name]
        if pid is None:
            gap = "no_record"
        elif not education:
            gap = "no_education"
        elif education_rank(education) < education_rank(minimum):
            gap = "below"
        else:
            gap = None
        rows.append(
            {
                "user_id": uid,
                "username": username,
                "name": pname or " ".join(p for p in (first, last) if p) or username,
                "role": role_name,
                "minimum": minimum,
                "education": education,
                "competencies": competencies,
                "gap": gap,
            }
        )
    return rows
