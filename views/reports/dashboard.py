"""The leaders' dashboard: cases, late cases, SLA compliance, complaints and the IKM.

Menu category "Dashboard" holds this screen and the officer-performance one
(views/reports/performance.py); `DashboardMenu` opens the category to every role that
reads either and sends /dashboard/ to the screen the user may read.
Charts are drawn by the locally served Chart.js from a JSON block that
static/js/dashboard.js reads; the same figures stand in tables beside them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.extensions import db
from app.core.formatting import format_month, intl_locale
from app.core.parsing import MAX_DATE, MIN_DATE, bounded_date
from app.core.timezone import office_tz
from app.reports import dashboard
from app.security import capabilities as cap
from models import Service
from models.case import CaseStatus
from models.complaint import ComplaintChannel, ComplaintStatus, ComplaintWeight, weight_label
from views.cases.display import short

CATEGORY = {"category": "Dashboard", "category_label": _l("Dashboard"), "category_icon": "fa-dashboard"}


def parse_period(args: Any, with_service: bool = True) -> tuple[dashboard.Period | None, str | None]:
    """The period of the query string (this year so far by default), or a message saying what is wrong."""
    today = datetime.now(office_tz()).date()
    start = bounded_date(args["from"]) if args.get("from") else date(today.year, 1, 1)
    end = bounded_date(args["to"]) if args.get("to") else today
    if start is None or end is None:
        return None, _(
            "Dates must be written as YYYY-MM-DD, between %(first)s and %(last)s.",
            first=MIN_DATE.isoformat(),
            last=MAX_DATE.isoformat(),
        )
    if end < start:
        return None, _("The start of the period is after its end.")
    service_id = None
    code = (args.get("service") or "").strip() if with_service else ""
    if code:
        service_id = db.session.scalar(select(Service.id).where(Service.code == code))
        if service_id is None:
            return None, _("Unknown service.")
    return dashboard.Period(start, end, service_id), None


def services() -> list[tuple[str, str]]:
    return [tuple(r) for r in db.session.execute(select(Service.code, Service.name).order_by(Service.code))]


def chart_data(data: dict[str, Any], steps: dict[int, str]) -> dict[str, Any]:
    """Only labels and numbers, for the charts (labels already in the reader's language)."""
    step_label = lambda no: f"{no}. {short(steps.get(no, ''), 30)}"  # noqa: E731
    return {
        "cases_by_status": {
            "labels": [CaseStatus.label_of(k) for k in data["cases_by_status"]],
            "values": list(data["cases_by_status"].values()),
        },
        "sla_by_step": {
            "labels": [step_label(r["step_no"]) for r in data["sla_by_step"]],
            "values": [r["on_time_pct"] for r in data["sla_by_step"]],
        },
        "sla_by_month": {
            "labels": [format_month(r["month"]) for r in data["sla_by_month"]],
            "values": [r["on_time_pct"] for r in data["sla_by_month"]],
        },
        "time_by_step": {
            "labels": [step_label(r["step_no"]) for r in data["sla_by_step"]],
            "values": [r["avg_minutes"] for r in data["sla_by_step"]],
            "standard": [r["standard_minutes"] for r in data["sla_by_step"]],
        },
        "complaints_by_weight": {
            "labels": [weight_label(None if k == "-" else k) for k in data["complaints_by_weight"]],
            "values": list(data["complaints_by_weight"].values()),
        },
        "ikm": {
            "labels": [e["element"].upper() for e in data["ikm"]["elements"]],
            "values": [e["score"] for e in data["ikm"]["elements"]],
        },
        "locale": intl_locale(),
        "texts": {
            "on_time": _("On time") + " (%)",
            "cases": _("Cases"),
            "minutes": _("Average working minutes"),
            "standard": _("Standard minutes"),
            "complaints": _("Complaints"),
            "score": _("Score"),
        },
    }


class DashboardMenu(BaseView):
    """Opens the "Dashboard" menu category; /dashboard/ leads to the screen the user may read."""

    route_base = "/dashboard"
    class_permission_name = "Dashboard"
    base_permissions = ["can_index"]
    method_permission_name = {"index": "index"}
    capability_grants = {"can_index": [cap.DASHBOARD, cap.PERFORMANCE]}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        sm = self.appbuilder.sm
        if sm.has_access("can_show", "Leaders dashboard"):
            return redirect(url_for("LeadersDashboardView.index"))
        if sm.has_access("can_show", "Officer performance"):
            return redirect(url_for("PerformanceView.index"))
        abort(403)


class LeadersDashboardView(BaseView):
    """Cases by step and status, late cases, SLA per step and month, complaints, IKM."""

    route_base = "/dashboard/leaders"
    class_permission_name = "Leaders dashboard"
    base_permissions = ["can_show"]
    method_permission_name = {"index": "show"}
    capability_grants = {"can_show": [cap.DASHBOARD]}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        period, error = parse_period(request.args)
        data = steps = step_titles = None
        if period is not None:
            data = dashboard.overview(period)
            steps = dashboard.step_names(period.service_id)
            step_titles = dashboard.step_names(period.service_id, full=True)
        return self.render_template(
            "dashboard/leaders.html",
            period=period,
            error=error,
            data=data,
            steps=steps or {},
            step_titles=step_titles or {},
            charts=chart_data(data, steps) if data else None,
            services=services(),
            args=request.args,
            case_statuses=CaseStatus.labels(),
            complaint_statuses=ComplaintStatus.labels(),
            channels=ComplaintChannel.labels(),
            weights={**ComplaintWeight.labels(), None: weight_label(None)},
        ), 200 if error is None else 400


def register(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(DashboardMenu)
    appbuilder.add_view(
        LeadersDashboardView, "Leaders dashboard", label=_l("Leaders dashboard"), icon="fa-line-chart", **CATEGORY
    )
