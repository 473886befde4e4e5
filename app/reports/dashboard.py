"""Figures of the leaders' dashboard, each one aggregate query (GROUP BY), never all rows.

The period (`start`, `end`, dates inclusive, office time zone) applies to what
happened in it: cases received, control-card rows acted, complaints received,
survey answers dated. Late cases are a snapshot of now, whatever the period.
SLA compliance is the share of control-card rows not marked late; per step,
each case late on that step now (`app.cases.lateness.running_late_clause`,
the worklist's own rule) counts as one more not on time. With a
service chosen, complaints count only those tied to that service's cases
(public complaints name no case, so they count under "all services").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement

from app.cases.lateness import running_late_clause
from app.core.extensions import db
from app.core.formatting import local_midnight
from app.core.timezone import office_tz, sqlite_local_shift
from models import Case, CaseStatus, Complaint, ControlCardEntry, Service, Step
from models.service import step_label

LATE_LIMIT = 20


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    service_id: int | None = None

    @property
    def lower(self) -> datetime:
        return local_midnight(self.start)

    @property
    def upper(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return local_midnight(self.end + timedelta(days=1))


# A mapped attribute (Case.received_at) or any SQL expression.
Column = ColumnElement[Any] | InstrumentedAttribute[Any]


def between(column: Column, period: Period) -> ColumnElement[bool]:
    """`column` falls within the period's days (office time zone)."""
    return (column >= period.lower) & (column < period.upper)


def local_month(column: Column) -> ColumnElement[str]:
    """'YYYY-MM' of a stored UTC timestamp, in the office's time zone."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(office_tz().key, column), "YYYY-MM")
    return func.strftime("%Y-%m", column, sqlite_local_shift())


def _service_filter(stmt: Any, column: Column, period: Period) -> Any:
    return stmt.where(column == period.service_id) if period.service_id is not None else stmt


def cases_by_status(period: Period) -> dict[str, int]:
    stmt = select(Case.status, func.count()).where(between(Case.received_at, period)).group_by(Case.status)
    return {status: n for status, n in db.session.execute(_service_filter(stmt, Case.service_id, period))}  # noqa: C416 (a Result has .keys(): dict() would read it as a mapping)


def cases_by_step(period: Period) -> list[dict[str, Any]]:
    """Cases received in the period, per current step and status (open steps only)."""
    stmt = (
        select(Case.current_step_no, Case.status, func.count())
        .where(
            between(Case.received_at, period),
            Case.status.in_((CaseStatus.IN_PROGRESS, CaseStatus.RETURNED, CaseStatus.COMPLETED)),
        )
        .group_by(Case.current_step_no, Case.status)
        .order_by(Case.current_step_no)
    )
    rows: dict[int, dict[str, Any]] = {}
    for step_no, status, n in db.session.execute(_service_filter(stmt, Case.service_id, period)):
        row = rows.setdefault(step_no, {"step_no": step_no, "in_progress": 0, "returned": 0, "completed": 0})
        row[status] = n
    return list(rows.values())


def late_cases(period: Period, now: datetime | None = None, limit: int = LATE_LIMIT) -> tuple[int, list[dict]]:
    """How many open cases are past their step's due time now, and the most overdue ones."""
    late = running_late_clause(now or datetime.now(UTC))
    count = db.session.scalar(
        _service_filter(select(func.count()).select_from(Case).where(late), Case.service_id, period)
    )
    stmt = (
        select(
            Case.id,
            Case.registration_no,
            Case.current_step_no,
            Case.step_due_at,
            Case.due_at,
            Service.code,
            Step.activity,
            Step.short,
        )
        .join(Service, Service.id == Case.service_id)
        .outerjoin(Step, (Step.service_id == Case.service_id) & (Step.no == Case.current_step_no))
        .where(late)
        .order_by(Case.step_due_at)
        .limit(limit)
    )
    rows = [dict(r._mapping) for r in db.session.execute(_service_filter(stmt, Case.service_id, period))]
    for row in rows:
        row["label"] = step_label(row["activity"], row["short"]) if row["activity"] else ""
    return count or 0, rows


def _sla_columns() -> list:
    return [func.count(), func.sum(when((ControlCardEntry.late.is_(True), 1), else_=0))]


def _sla_row(key: str, value: Any, total: int, late: int | None) -> dict[str, Any]:
    late = int(late or 0)
    return {
        key: value,
        "actions": total,
        "late": late,
        "on_time_pct": round(100.0 * (total - late) / total, 1) if total else None,
    }


def _card_stmt(period: Period, *columns):
    stmt = select(*columns).where(between(ControlCardEntry.acted_at, period), ControlCardEntry.step_no.is_not(None))
    if period.service_id is not None:
        stmt = stmt.join(Case, Case.id == ControlCardEntry.case_id).where(Case.service_id == period.service_id)
    return stmt


def running_late_by_step(period: Period, now: datetime | None = None) -> dict[int, int]:
    """Cases late now, per current step (service filter only: a snapshot, like `late_cases`)."""
    stmt = (
        select(Case.current_step_no, func.count())
        .where(running_late_clause(now or datetime.now(UTC)), Case.current_step_no.is_not(None))
        .group_by(Case.current_step_no)
    )
    return {no: n for no, n in db.session.execute(_service_filter(stmt, Case.service_id, period))}  # noqa: C416 (a Result has .keys())


def sla_by_step(period: Period, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per step: actions, late ones, share on time, average working vs standard minutes.

    A case late on a step now counts there as one more item, not on time: a step
    never reads 100% on time while a case sits late on it.
    """
    running = running_late_by_step(period, now)
    stmt = _card_stmt(
        period,
        ControlCardEntry.step_no,
        *_sla_columns(),
        func.avg(ControlCardEntry.spent_minutes),
        func.avg(ControlCardEntry.standard_minutes),
    )
    stmt = stmt.group_by(ControlCardEntry.step_no).order_by(ControlCardEntry.step_no)
    out = []
    for step_no, total, late, spent, standard in db.session.execute(stmt):
        extra = running.pop(step_no, 0)
        row = _sla_row("step_no", step_no, total + extra, int(late or 0) + extra)
        row["avg_minutes"] = round(float(spent), 1) if spent is not None else None
        row["standard_minutes"] = round(float(standard), 1) if standard is not None else None
        out.append(row)
    for step_no, extra in running.items():
        out.append({**_sla_row("step_no", step_no, extra, extra), "avg_minutes": None, "standard_minutes": None})
    return sorted(out, key=lambda row: row["step_no"])


def sla_by_month(period: Period) -> list[dict[str, Any]]:
    month = local_month(ControlCardEntry.acted_at).label("month")
    stmt = _card_stmt(period, month, *_sla_columns()).group_by(month).order_by(month)
    return [_sla_row("month", m, total, late) for m, total, late in db.session.execute(stmt)]


def complaints_by(period: Period, column_name: str) -> dict[str, int]:
    """Complaints received in the period per weight, channel or status."""
    column = getattr(Complaint, column_name)
    stmt = select(column, func.count()).where(between(Complaint.received_at, period)).group_by(column)
    stmt = _service_filter(stmt, Complaint.service_id, period)
    return {(key or "-"): n for key, n in db.session.execute(stmt)}


def step_names(service_id: int | None, full: bool = False) -> dict[int, str]:
    """Step number -> short name (`Step.label`; with `full`, the activity) of the chosen service (of the first one)."""
    if service_id is None:
        service_id = db.session.scalar(select(Service.id).order_by(Service.id).limit(1))
    rows = db.session.execute(select(Step.no, Step.activity, Step.short).where(Step.service_id == service_id))
    return {no: activity if full else step_label(activity, short_name) for no, activity, short_name in rows}


def overview(period: Period, now: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain values (also its charts' JSON)."""
    from app.survey.ikm import compute_ikm, compute_open

    late_count, late_rows = late_cases(period, now)
    return {
        "cases_by_status": cases_by_status(period),
        "cases_by_step": cases_by_step(period),
        "late_count": late_count,
        "late_cases": late_rows,
        "sla_by_step": sla_by_step(period, now),
        "sla_by_month": sla_by_month(period),
        "complaints_by_weight": complaints_by(period, "weight"),
        "complaints_by_channel": complaints_by(period, "channel"),
        "complaints_by_status": complaints_by(period, "status"),
        "ikm": compute_ikm(period.service_id, period.start, period.end),
        "ikm_open": compute_open(period.service_id, period.start, period.end),
    }
