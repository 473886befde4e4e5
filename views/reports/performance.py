"""Officer performance for Kepegawaian: actions per officer and period, competency gaps."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.reports import performance
from app.security import capabilities as cap
from views.reports.dashboard import CATEGORY, parse_period

GAP_LABELS = {
    "no_record": _l("No personnel record"),
    "no_education": _l("Education not recorded"),
    "below": _l("Education below the minimum"),
}


class PerformanceView(BaseView):
    """Per officer: actions, share on time, working time against the standard; competency."""

    route_base = "/dashboard/performance"
    class_permission_name = "Officer performance"
    base_permissions = ["can_show"]
    method_permission_name = {"index": "show"}
    capability_grants = {"can_show": [cap.PERFORMANCE]}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        period, error = parse_period(request.args, with_service=False)
        actions = performance.officer_actions(period) if period is not None else []
        return self.render_template(
            "dashboard/performance.html",
            period=period,
            error=error,
            args=request.args,
            actions=actions,
            gaps=performance.competency_gaps(),
            gap_labels=GAP_LABELS,
            minimums=performance.min_education(),
        ), 200 if error is None else 400


def register(appbuilder: Any) -> None:
    appbuilder.add_view(
        PerformanceView, "Officer performance", label=_l("Officer performance"), icon="fa-users", **CATEGORY
    )
