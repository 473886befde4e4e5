"""My worklist: the cases sitting on steps my roles hold, late first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import joinedload

from app.calendar.working_days import Calendar
from app.cases.access import WORKLIST_ORDER, is_applicant_user, sees_applicant_details, worklist_filter
from app.cases.lateness import running_late_clause
from app.core.extensions import db
from app.core.parsing import bounded_int
from app.security import capabilities as cap
from app.security.manager import grant_cache
from models import Applicant, Case, Institution
from views.cases.display import current_officer, is_late, now, short, status_label, steps_for, time_left

PAGE_SIZE = 25
MAX_PAGE = 100_000


def page_number() -> int:
    # Beyond the last page a worklist is empty anyway; the bound keeps OFFSET within a BIGINT.
    return bounded_int(request.args.get("page", ""), 1, MAX_PAGE) or 1


class Named(NamedTuple):
    name: str | None


@dataclass(slots=True)
class ListedCase:
    """What a list row shows of a case, read as plain columns: no ORM object, identity map or
    relationship per row (building those cost five times the query on a 25-row page)."""

    id: int
    registration_no: str
    service_id: int
    current_step_no: int | None
    status: str
    received_at: datetime
    step_due_at: datetime | None
    applicant: Named
    institution: Named | None


LIST_COLUMNS = (
    Case.id,
    Case.registration_no,
    Case.service_id,
    Case.current_step_no,
    Case.status,
    Case.received_at,
    Case.step_due_at,
    Applicant.name,
    Institution.name,
)


def listed(query: sa.Select) -> sa.Select:
    """`query` (cases, with its filters and order) narrowed to the list columns, names joined in."""
    return (
        query.with_only_columns(*LIST_COLUMNS, maintain_column_froms=False)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .outerjoin(Institution, Institution.id == Case.institution_id)
    )


def fetch_listed(query: sa.Select) -> list[ListedCase]:
    """Run a `listed` select; one plain object per row."""
    return [
        ListedCase(*row[:7], Named(row[7]), None if row[8] is None else Named(row[8]))  # type: ignore[call-arg]
        for row in db.session.execute(query)
    ]


def _once_per_request(name: str, user: User, compute: Any) -> Any:
    """`compute(user)`, worked out once per request and user (in the grant cache, which any flush
    touching grants drops); computed afresh outside a request."""
    cache = grant_cache()
    if cache is None:
        return compute(user)
    key = (name, user.id)
    if key not in cache:
        cache[key] = compute(user)
    return cache[key]


def _my_filter(user: User) -> list:
    """`worklist_filter(user)`: the page and the navbar count both need it, and it reads the
    user's grants and steps (a third of a worklist page's time)."""
    return _once_per_request("worklist_filter", user, worklist_filter)


def _applicant_account(user: User) -> bool:
    """`is_applicant_user` (the menu label asks it twice a page)."""
    return _once_per_request("applicant_account", user, is_applicant_user)


def worklist_page(user: User, page: int) -> list[ListedCase]:
    """One worklist page plus one row more (which says whether a next page exists)."""
    query = listed(sa.select(Case).where(*_my_filter(user)).order_by(*WORKLIST_ORDER))
    return fetch_listed(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE))


# Counting stops here: the badge then reads "999+". A front office with 140,000 open cases at
# its steps (the 1M-case load test) spent 316 ms of PostgreSQL on every page counting them all;
# counting at most 1,000 rows off the index takes 1-3 ms, and past 999 nobody reads the number.
WAITING_CAP = 999


def _shown(n: int) -> str:
    return f"{WAITING_CAP}+" if n > WAITING_CAP else str(n)


class Waiting(NamedTuple):
    """How many cases wait in a worklist, and how many of them are late (each at most WAITING_CAP + 1)."""

    total: int
    late: int

    @property
    def total_text(self) -> str:
        return _shown(self.total)

    @property
    def late_text(self) -> str:
        return _shown(self.late)


def _capped_count(*where: Any) -> int:
    rows = sa.select(Case.id).where(*where).limit(WAITING_CAP + 1).subquery()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(rows)) or 0)


def worklist_counts(user: User, at: datetime | None = None) -> Waiting:
    """Two capped COUNTs over the worklist's own filter; late as the worklist marks it (`is_late`)."""
    where = _my_filter(user)
    total = _capped_count(*where)
    late = _capped_count(*where, running_late_clause(at or now())) if total else 0
    return Waiting(total, late)


def waiting_for_current_user() -> Waiting | None:
    """The logged-in user's worklist counts (navbar badge, home page); None without a worklist.

    Counted once per request, only when a page asks for it.
    """
    from flask import g
    from flask_login import current_user

    if not current_user.is_authenticated:
        return None
    if "_sp_waiting" not in g:
        try:
            officer = current_officer()
            if sa.inspect(officer).detached:
                # A console page whose session let the user go: read the account again.
                officer = db.session.get(type(officer), officer.id)
            g._sp_waiting = worklist_counts(officer) if cap.has_capability(officer, cap.CASES_WORK) else None
        except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError):
            # The database is gone: app/setup/db_errors answers 503 (swallowed here, the
            # session would stay in a failed transaction and the page's next query 500).
            raise
        except sa.exc.SQLAlchemyError:
            # An error page after a failed transaction still renders its navbar: without the badge.
            g._sp_waiting = None
    return g._sp_waiting


def _hide_unconfirmed_names(cases: list[ListedCase], user: User) -> list[ListedCase]:
    """An applicant account sees the applicant's name only where it may see the record's details.

    The record of a NIK the account merely typed may carry another person's
    details once the counter registered the real holder (`sees_applicant_details`).
    """
    if not cases or not _applicant_account(user):
        return cases
    rows = db.session.scalars(
        sa.select(Case).where(Case.id.in_([c.id for c in cases])).options(joinedload(Case.applicant))
    ).all()
    shown = {case.id for case in rows if sees_applicant_details(case, user)}
    return [c if c.id in shown else replace(c, applicant=Named("-")) for c in cases]


def case_rows(cases: list[ListedCase], user: User | None = None) -> list[dict[str, Any]]:
    """What a list row shows of each case, with its step and time left."""
    cases = _hide_unconfirmed_names(cases, user)
    steps = steps_for(cases)
    cal = Calendar.from_db()
    at = now()
    rows = []
    for case in cases:
        step = steps.get((case.service_id, case.current_step_no))
        rows.append(
            {
                "case": case,
                "step": f"{case.current_step_no}. {step.label}" if step else "",
                "step_title": short(step.activity, 500) if step else "",
                "late": is_late(case, at),
                "time_left": time_left(case, cal, at),
                "status": status_label(case.status),
            }
        )
    return rows


def worklist_label() -> str:
    """The worklist's name for whoever looks (menu, heading): an applicant account follows its own applications."""
    from flask import has_request_context
    from flask_babel import gettext as _
    from flask_login import current_user

    if has_request_context() and current_user.is_authenticated and _applicant_account(current_user):
        return _("My applications")
    return _("My worklist")


class WorklistView(BaseView):
    """The officer's own queue."""

    route_base = "/cases/worklist"
    class_permission_name = "My worklist"
    method_permission_name = {"index": "worklist"}
    default_view = "index"
    capability_grants = {"can_worklist": [cap.CASES_WORK]}

    @expose("/")
    @has_access
    def index(self):
        """Cases on my steps, late first; one page at a time, never counted."""
        page = page_number()
        # One extra row says whether a next page exists without counting the table.
        cases = worklist_page(current_officer(), page)
        has_next = len(cases) > PAGE_SIZE
        return self.render_template(
            "cases/worklist.html",
            heading=worklist_label(),
            rows=case_rows(cases[:PAGE_SIZE], current_officer()),
            page=page,
            has_next=has_next,
        )
