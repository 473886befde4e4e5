"""Survey screens for officers: type in paper forms, the IKM report (screen and PDF), follow-up plans."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.complaints.book import holds
from app.core.errors import flash_error
from app.core.extensions import db
from app.core.timezone import office_tz
from app.security import capabilities as cap
from app.survey import ikm as survey
from models import Service
from views.api.complaints import _user
from views.api.surveys import parse_period


def _services() -> list[Service]:
    return list(db.session.scalars(sa.select(Service).order_by(Service.code)))


def _period_args() -> dict[str, str]:
    """Service and period of the query string; the current year by default."""
    year = datetime.now(office_tz()).year
    return {
        "service": request.args.get("service", ""),
        "from": request.args.get("from") or f"{year}-01-01",
        "to": request.args.get("to") or f"{year}-12-31",
    }


def report_context(args: dict[str, str]) -> dict[str, Any]:
    """The index, the elements that need a follow-up plan and the plans recorded."""
    service_id, start, end = parse_period(args)
    result = survey.compute_ikm(service_id, start, end)
    open_result = survey.compute_open(service_id, start, end)
    plans = survey.follow_ups(service_id, start, end)
    planned = {p.element for p in plans}
    service = db.session.get(Service, service_id) if service_id else None
    return {
        "result": result,
        "open_result": open_result,
        "plans": plans,
        "service": service,
        "args": args,
        "start": start,
        "end": end,
        "names": survey.ELEMENT_NAMES,
        "missing": [e for e in result["elements"] if e["needs_follow_up"] and e["element"] not in planned],
    }


class SurveyEntryView(BaseView):
    """Paper questionnaires typed in by the counter or the complaint officer."""

    route_base = "/survey"
    class_permission_name = "Type in paper forms"
    method_permission_name = {"entry": "add"}
    default_view = "entry"
    capability_grants = {"can_add": [cap.SURVEYS_ENTER]}

    @expose("/entry", methods=["GET", "POST"])
    @has_access
    def entry(self):
        """Type in one paper questionnaire (nine elements, scores 1-4, respondent profile)."""
        form = request.form if request.method == "POST" else {}
        if request.method == "POST":
            data = {
                "service": form.get("service"),
                "date": form.get("date"),
                "suggestion": form.get("suggestion"),
                "scores": {u: form.get(u) for u in survey.ELEMENTS},
                "respondent": {k: form.get(k) for k in ("sex", "age", "education", "occupation")},
            }
            try:
                survey.submit_response(data, _user())
            except survey.SurveyError as error:
                flash_error(error)
            else:
                flash(_("Questionnaire saved. Type in the next one."), "success")
                return redirect(url_for(".entry", service=form.get("service"), date=form.get("date")))
        return self.render_template(
            "survey/entry.html",
            form=form,
            services=_services(),
            names=survey.ELEMENT_NAMES,
            sexes=survey.SEXES,
            educations=survey.EDUCATIONS,
            occupations=survey.OCCUPATIONS,
            defaults={
                "service": request.args.get("service", ""),
                "date": request.args.get("date") or datetime.now(office_tz()).date().isoformat(),
            },
        )


class SurveyReportView(BaseView):
    """The satisfaction index (IKM) per service and period, on screen and as PDF."""

    route_base = "/survey"
    class_permission_name = "Satisfaction index"
    method_permission_name = {"report": "report", "report_pdf": "report"}
    default_view = "report"
    capability_grants = {"can_report": [cap.SURVEYS_REPORT]}

    @expose("/")
    @has_access
    def report(self):
        """The index per service and period, NRR and grade per element, the plans."""
        args = _period_args()
        try:
            ctx = report_context(args)
        except survey.SurveyError as error:
            flash_error(error)
            ctx = report_context({"service": "", "from": "", "to": ""})
        return self.render_template(
            "survey/report.html",
            services=_services(),
            can_follow_up=holds(_user(), "can_add", SurveyFollowUpView.class_permission_name),
            **ctx,
        )

    @expose("/report.pdf")
    @has_access
    def report_pdf(self):
        """The IKM report on the office letterhead."""
        from app.documents import office
        from app.documents.pdf import ENV, html_to_pdf

        try:
            ctx = report_context(_period_args())
        except survey.SurveyError as error:
            flash_error(error)
            return redirect(url_for(".report"))
        html = ENV.get_template("survey/report_pdf.html").render(office=office(), today=datetime.now(UTC), **ctx)
        return Response(
            html_to_pdf(html),
            mimetype="application/pdf",
            headers={"Content-Disposition": 'inline; filename="laporan-ikm.pdf"'},
        )


class SurveyFollowUpView(BaseView):
    """Follow-up plans of the elements graded kurang baik or worse."""

    route_base = "/survey"
    class_permission_name = "Follow-up plans"
    method_permission_name = {"follow_up": "add"}
    default_view = "follow_up"
    capability_grants = {"can_add": [cap.SURVEYS_FOLLOW_UP]}

    @expose("/follow-up", methods=["GET", "POST"])
    @has_access
    def follow_up(self):
        """Record the follow-up plan of an element graded kurang baik or worse (component 8 a.4)."""
        form = request.form if request.method == "POST" else request.args
        if request.method == "POST":
            try:
                row = survey.add_follow_up(dict(request.form), _user())
            except survey.SurveyError as error:
                flash_error(error)
            else:
                flash(_("Follow-up plan saved."), "success")
                service = db.session.get(Service, row.service_id)
                return redirect(
                    url_for(
                        "SurveyReportView.report",
                        service=service.code,
                        **{"from": row.period_from.isoformat(), "to": row.period_to.isoformat()},
                    )
                )
        return self.render_template(
            "survey/follow_up.html", form=form, services=_services(), names=survey.ELEMENT_NAMES
        )


def register(appbuilder) -> None:
    # Menu entries are opened by app.security.roles from the grants on their views.
    category = {"category": "Survey", "category_label": _l("Survey"), "category_icon": "fa-smile-o"}
    appbuilder.add_view(
        SurveyReportView, "Satisfaction index", label=_l("Satisfaction index"), icon="fa-bar-chart", **category
    )
    appbuilder.add_view(
        SurveyEntryView, "Type in paper forms", label=_l("Type in paper forms"), icon="fa-keyboard-o", **category
    )
    appbuilder.add_view(SurveyFollowUpView, "Follow-up plans", label=_l("Follow-up plans"), icon="fa-tasks", **category)
