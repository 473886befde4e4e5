"""All cases: the filtered register of applications for leaders and the front office.

Also registers the whole "Cases" menu (worklist, all cases, new application)
so its order is fixed in one place.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.cases.access import visible_filter
from app.cases.lateness import running_late_clause
from app.core.extensions import db
from app.core.formatting import local_midnight
from app.core.parsing import MAX_ID, bounded_date, bounded_id, bounded_int
from app.security import capabilities as cap
from models import Applicant, Case, Service
from models.case import CASE_STATUSES, CaseStatus
from views.cases.display import current_officer, now
from views.cases.worklist import (
    PAGE_SIZE,
    WorklistView,
    case_rows,
    fetch_listed,
    listed,
    waiting_for_current_user,
    worklist_label,
)

FILTER_KEYS = ("service", "status", "step", "late", "from", "to", "q")
# A NIK (16 digits, spaces or dots allowed) typed into the search box. The
# filters travel in the URL (pager links, bookmarks), so a NIK there would end
# up in access logs and browser history: it is never searched, only dropped.
NIK_IN_TEXT = re.compile(r"(?:\d[\s.\-]?){15}\d")


def holds_nik(text: str) -> bool:
    return bool(NIK_IN_TEXT.search(text or ""))


def _date(value: str | None) -> date | None:
    return bounded_date(value) if value else None


def all_cases_page(args, user, before: int | None = None) -> list:
    """One page of the filtered cases the user may see, after case `before`, plus one more for the pager."""
    query = filtered_query(args).where(visible_filter(user))
    if before is not None:
        anchor = db.session.execute(sa.select(Case.received_at, Case.id).where(Case.id == before)).first()
        if anchor is not None:
            query = query.where(sa.tuple_(Case.received_at, Case.id) < sa.tuple_(anchor.received_at, anchor.id))
    return fetch_listed(listed(query).limit(PAGE_SIZE + 1))


def filtered_query(args) -> sa.Select:
    """The cases matching the filters in `args`, newest first.

    Ordered by (received_at, id) so that a date range walks an index in page
    order (ix_case_received, ix_case_status_received): ordering by id alone made
    PostgreSQL scan the primary key backwards past every newer case. The
    service is compared by id (a scalar subquery), not joined, for the same reason.
    """
    query = sa.select(Case)
    if args.get("service"):
        service_id = sa.select(Service.id).where(Service.code == args["service"]).scalar_subquery()
        query = query.where(Case.service_id == service_id)
    if args.get("status") in CASE_STATUSES:
        query = query.where(Case.status == args["status"])
    step = bounded_int(args.get("step") or "", 0, MAX_ID)
    if step is not None:
        query = query.where(Case.current_step_no == step)
    if args.get("late") == "1":
        query = query.where(running_late_clause(now()))
    start, end = _date(args.get("from")), _date(args.get("to"))
    if start:
        query = query.where(Case.received_at >= local_midnight(start))
    if end:
        query = query.where(Case.received_at < local_midnight(end + timedelta(days=1)))
    term = (args.get("q") or "").strip()
    if term:
        pattern = f"%{term.lower()}%"
        # A subquery rather than a join: `listed` joins the applicant for its name.
        query = query.where(
            sa.or_(
                sa.func.lower(Case.registration_no).like(pattern),
                Case.applicant_id.in_(sa.select(Applicant.id).where(sa.func.lower(Applicant.name).like(pattern))),
            )
        )
    return query.order_by(Case.received_at.desc(), Case.id.desc())


class AllCasesView(BaseView):
    """Every case, filtered; paged by id so no page ever counts the table."""

    route_base = "/cases"
    class_permission_name = "All cases"
    method_permission_name = {"index": "list"}
    default_view = "index"
    # Every officer may search the cases they can see (visible_filter): readers of
    # every case all of them, executors those of their services, an applicant their own.
    capability_grants = {"can_list": [cap.CASES_WORK, cap.CASES_READ_ALL]}

    @expose("/")
    @has_access
    def index(self):
        """The register of cases with its filters."""
        args = {k: request.args.get(k, "") for k in FILTER_KEYS}
        if holds_nik(args["q"]):
            flash(_("Search by registration number or applicant name; a NIK is never searched here."), "warning")
            return redirect(url_for(".index", **{k: v for k, v in args.items() if v and k != "q"}))
        before = request.args.get("before", "")
        cases = all_cases_page(args, current_officer(), bounded_id(before))
        has_next = len(cases) > PAGE_SIZE
        cases = cases[:PAGE_SIZE]
        active = {k: v for k, v in args.items() if v}
        next_url = "?" + urlencode({**active, "before": cases[-1].id}) if has_next and cases else None
        return self.render_template(
            "cases/list.html",
            rows=case_rows(cases, current_officer()),
            args=args,
            services=db.session.scalars(sa.select(Service).order_by(Service.code)).all(),
            statuses=CaseStatus.labels(),
            next_url=next_url,
            first_url=("?" + urlencode(active)) if before else None,
        )


def register(appbuilder) -> None:
    from views.cases.forms import NewApplicationView
    from views.cases.page import CaseView

    # Menu entries are opened by app.security.roles from the grants on their views.
    category = {"category": "Cases", "category_label": _l("Cases"), "category_icon": "fa-folder-open"}
    # Named at render time: an applicant account's worklist is "My applications".
    worklist = LazyString(worklist_label)
    appbuilder.add_view(WorklistView, "My worklist", label=worklist, icon="fa-inbox", **category)
    appbuilder.add_view(AllCasesView, "All cases", label=_l("All cases"), icon="fa-list", **category)
    appbuilder.add_view(NewApplicationView, "New application", label=_l("New application"), icon="fa-plus", **category)
    from views.applicants.screens import add_menu_entries

    add_menu_entries(appbuilder, category)  # the counter's NIK search, the applicant's own profile
    appbuilder.add_view_no_menu(CaseView)
    # The navbar's worklist badge and the home page read the counts through this.
    appbuilder.app.context_processor(
        lambda: {"worklist_waiting": waiting_for_current_user, "worklist_name": worklist_label}
    )
