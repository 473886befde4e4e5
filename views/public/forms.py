"""The public complaint form and the satisfaction survey (one-time link or per service).

Both go through the engines (app.complaints.book, app.survey.ikm), which validate and
commit; a refusal (a DomainError) shows the engine's message, in the reader's
language, and stores nothing.
After a save the browser is redirected (so a reload does not send it twice)
and the complaint number travels in the session, not in the URL, so the
thank-you page cannot be used to probe which complaint numbers exist.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for
from sqlalchemy import select

from app.complaints import book as complaints
from app.core.extensions import db
from app.survey import ikm as survey
from models import Service
from views.public.services import active_services

SESSION_COMPLAINT = "public_complaint_no"


def _survey_data(form) -> dict:
    return {
        "scores": {u: form.get(u) for u in survey.ELEMENTS},
        "respondent": {k: form.get(k) for k in ("sex", "age", "education", "occupation")},
        "suggestion": form.get("suggestion"),
    }


def _survey_page(action: str, service: Service | None, form, error: str | None, status: int = 200):
    return render_template(
        "public/survey.html",
        action=action,
        service=service,
        form=form,
        error=error,
        names=survey.ELEMENT_NAMES,
        sexes=survey.SEXES,
        educations=survey.EDUCATIONS,
        occupations=survey.OCCUPATIONS,
    ), status


def complaint():
    """Write a complaint; the book gives it a number to quote later."""
    form = request.form if request.method == "POST" else {}
    error = None
    errors = {}
    if request.method == "POST":
        data = {
            "complainant": {k: form.get(k) for k in ("name", "phone", "email", "address")},
            "subject": form.get("subject"),
            "description": form.get("description"),
        }
        try:
            saved = complaints.create_complaint(data, source="public")
        except complaints.ComplaintError as refused:
            db.session.rollback()
            error, errors = refused.message, refused.fields
        else:
            session[SESSION_COMPLAINT] = saved.number
            return redirect(url_for("public.complaint_done"))
    return render_template("public/complaint.html", form=form, error=error, errors=errors), 422 if error else 200


def complaint_done():
    """The number of the complaint just written (from this browser's session only)."""
    number = session.get(SESSION_COMPLAINT)
    if not number:
        return redirect(url_for("public.complaint"))
    return render_template("public/complaint_done.html", number=number)


def survey_invited(token: str):
    """The questionnaire behind the one-time link on the handover receipt."""
    invitation = survey.invitation_status(token) if len(token) <= 64 else None
    if invitation is None:
        return render_template("public/survey_closed.html", reason="unknown"), 404
    if invitation.used_at is not None:
        return render_template("public/survey_closed.html", reason="used"), 410
    service = db.session.get(Service, invitation.service_id)
    action = url_for("public.survey", token=token)
    if request.method == "GET":
        return _survey_page(action, service, {}, None)
    try:
        survey.submit_response(_survey_data(request.form), invitation_token=token)
    except survey.SurveyError as refused:
        db.session.rollback()
        if refused.status == 409:
            return render_template("public/survey_closed.html", reason="used"), 410
        return _survey_page(action, service, request.form, refused.message, 422)
    return redirect(url_for("public.survey_done"))


def survey_general(code: str):
    """The same questionnaire for anyone who used the service, without a link."""
    service = db.session.scalar(select(Service).where(Service.code == code, Service.active.is_(True)))
    if service is None:
        abort(404)
    action = url_for("public.service_survey", code=code)
    if request.method == "GET":
        return _survey_page(action, service, {}, None)
    data = _survey_data(request.form)
    data["service"] = service.code
    try:
        survey.submit_response(data)
    except survey.SurveyError as refused:
        db.session.rollback()
        return _survey_page(action, service, request.form, refused.message, 422)
    return redirect(url_for("public.survey_done"))


def survey_done():
    return render_template("public/survey_done.html", services=active_services())
