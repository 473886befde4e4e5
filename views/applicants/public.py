"""Online registration of applicants (no login): /public/register and the e-mail verification link.

Plain Flask routes like the other public pages (views.public.portal), rate-limited
per client address with PUBLIC_FORM_RATE_LIMIT on every POST, CSRF on every form.
The rules are app.applicants.registration; this module only shows them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.applicants import registration
from app.core.extensions import db
from views.public.portal import FORM_RATE_LIMIT, _configured, too_many_requests

SESSION_SENT = "applicant_registration_sent"


def register_form():
    """The registration form; a valid one always ends on the same "check your e-mail" page."""
    if not registration.registration_open():
        return render_template("applicants/register_closed.html", message=registration.closed_message()), 403
    form: Any = request.form if request.method == "POST" else {}
    errors: dict[str, str] = {}
    error = None
    if request.method == "POST":
        try:
            registration.register(request.form)
        except registration.RegistrationError as refused:
            db.session.rollback()
            if refused.status == 403:
                return render_template("applicants/register_closed.html", message=refused.message), 403
            error, errors = refused.message, refused.fields
        else:
            session[SESSION_SENT] = True
            return redirect(url_for("applicant_public.sent"))
    return render_template("applicants/register.html", form=form, error=error, errors=errors), 422 if error else 200


def sent():
    """After a registration: the same words whether the address was new or known."""
    if not session.pop(SESSION_SENT, None):
        return redirect(url_for("applicant_public.register"))
    return render_template("applicants/register_sent.html", hours=registration.verify_hours())


STATUS = {"ok": 200, "used": 410, "expired": 410, "invalid": 404}


def confirm(token: str):
    """GET shows what the link is and a button (a mail scanner's GET uses nothing); POST activates once."""
    if request.method == "POST":
        result = registration.verify(token)
        if result.state == "ok":
            return render_template("applicants/verified.html")
    else:
        result, _row = registration.check_link(token)
        db.session.rollback()
    return render_template("applicants/confirm.html", state=result.state, token=token), STATUS[result.state]


def registration_link() -> dict[str, Any]:
    """`applicant_registration_open()` for the login page and the public pages' header."""

    def is_open() -> bool:
        if getattr(current_user, "is_authenticated", False):
            return False
        try:
            return registration.registration_open()
        except Exception:  # before `flask bootstrap`: no tables yet, nothing to offer
            db.session.rollback()
            return False

    return {"applicant_registration_open": is_open}


def make_blueprint(limiter: Any) -> Blueprint:
    bp = Blueprint("applicant_public", __name__, url_prefix="/public")
    bp.app_context_processor(registration_link)
    form_limit = limiter.limit(_configured("PUBLIC_FORM_RATE_LIMIT", FORM_RATE_LIMIT), methods=["POST"])
    bp.add_url_rule("/register", "register", form_limit(register_form), methods=["GET", "POST"])
    bp.add_url_rule("/register/sent", "sent", sent)
    bp.add_url_rule("/register/confirm/<string:token>", "confirm", form_limit(confirm), methods=["GET", "POST"])
    bp.register_error_handler(429, too_many_requests)
    return bp


def register(appbuilder: Any) -> None:
    current_app.register_blueprint(make_blueprint(appbuilder.sm.limiter))
