"""JSON API of the satisfaction survey: paper forms typed in, and the index (`/api/v1/surveys/`)."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_appbuilder.api import expose, protect
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.extensions import db
from app.core.parsing import bounded_date
from app.security import capabilities as cap
from app.survey import ikm as survey
from models import Service
from views.api.base import JsonApi, safe
from views.api.complaints import _user

# Who types paper questionnaires in, and who reads the index.
SURVEY_VIEW = "Survey"


def parse_period(args) -> tuple[int | None, date | None, date | None]:
    """`service` (code), `from`, `to` of a query string; SurveyError 422 on bad values."""
    service_id = None
    code = (args.get("service") or "").strip()
    if code:
        service_id = db.session.scalar(select(Service.id).where(Service.code == code))
        if service_id is None:
            raise survey.SurveyError(422, _("Service type not found."))
    start = bounded_date(args["from"]) if args.get("from") else None
    end = bounded_date(args["to"]) if args.get("to") else None
    if (args.get("from") and start is None) or (args.get("to") and end is None):
        raise survey.SurveyError(422, _("Dates must be written YYYY-MM-DD."))
    if start and end and end < start:
        raise survey.SurveyError(422, _("The end of the period must not be before its start."))
    return service_id, start, end


def ikm_json(result: dict) -> dict:
    """The index without the internal fields (dates as ISO strings)."""
    out = {k: v for k, v in result.items() if k not in ("from", "to", "service_id")}
    out["from"] = result["from"].isoformat() if result["from"] else None
    out["to"] = result["to"].isoformat() if result["to"] else None
    return out


def open_form_json(result: dict) -> dict:
    """The open public form's answers, apart from the official index."""
    return {
        "respondents": result["respondents"],
        "ikm": result["ikm"],
        "grade": result["grade"],
        "counted_in_ikm": False,
        "note": _("open-form answers, not counted in the official IKM"),
    }


class SurveyApi(JsonApi):
    """Type in a paper questionnaire; read the satisfaction index."""

    resource_name = "surveys"
    class_permission_name = SURVEY_VIEW
    method_permission_name = {"post": "add", "ikm": "report"}
    capability_grants = {"can_add": [cap.SURVEYS_ENTER], "can_report": [cap.SURVEYS_REPORT]}

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def post(self):
        """One answered questionnaire: {"service", "date", "scores": {u1..u9}, "respondent"}."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(_("The request body must be a JSON object."))
        row = survey.submit_response(body, _user())
        return self.response(
            201,
            id=row.id,
            service=body.get("service"),
            date=row.date.isoformat(),
            scores={u: getattr(row, u) for u in survey.ELEMENTS},
        )

    @expose("/ikm", methods=["GET"])
    @protect()
    @safe
    def ikm(self):
        """The index of a service (code) over a period: respondents, NRR per element, IKM, grade."""
        service_id, start, end = parse_period(request.args)
        body = ikm_json(survey.compute_ikm(service_id, start, end))
        # Kept apart: anyone may post the open form, so it never moves the official index.
        body["open_form"] = open_form_json(survey.compute_open(service_id, start, end))
        return self.response(200, **body)


def register(appbuilder) -> None:
    appbuilder.add_api(SurveyApi)
