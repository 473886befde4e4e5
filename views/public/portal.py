"""Public pages (no login) under /public/: standards, tracking, complaint and survey forms.

Plain Flask blueprint routes, not FAB views: FAB only sends visitors to the
login page from views decorated with @has_access, so these stay open, and no
FAB permission or menu entry is created for them. The blueprint is built per
app because its rate limits hang on that app's limiter (FAB's Flask-Limiter,
storage from RATELIMIT_STORAGE_URI, so several app instances can share it).
Certificate verification (/public/verify/<token>) is views/public/verify.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from views.public import forms as public_forms
from views.public import services as public_services
from views.public import tracking as public_tracking

# Per client IP; override with PUBLIC_TRACK_RATE_LIMIT / PUBLIC_FORM_RATE_LIMIT.
TRACK_RATE_LIMIT = "10 per minute"
FORM_RATE_LIMIT = "10 per minute"


def _configured(key: str, default: str) -> Callable[[], str]:
    """A limit read at request time, so tests and deployments can change it."""
    return lambda: current_app.config.get(key, default)


def too_many_requests(error: Any):
    """429 in the visitor's language; the request changed nothing."""
    return render_template(
        "shell/error.html",
        title=_("Too many requests"),
        message=_("Too many requests from your connection. Wait a minute and try again."),
    ), 429


def check_certificate():
    """The certificate code typed by hand leads to the documents engineer's check page."""
    token = (request.args.get("token") or "").strip()
    if not token or "/" in token:
        return redirect(url_for("public.index"))
    return redirect(url_for("PublicVerifyView.verify", token=token))


def login_link() -> dict[str, str]:
    """`login_url` for the public pages' header: the way in for officers and applicants."""
    return {"login_url": current_app.appbuilder.get_url_for_login}  # type: ignore[attr-defined]


def make_blueprint(limiter: Any) -> Blueprint:
    bp = Blueprint("public", __name__, url_prefix="/public")
    # Every app page may render the public layout (the start page does for visitors).
    bp.app_context_processor(login_link)
    track_limit = limiter.limit(_configured("PUBLIC_TRACK_RATE_LIMIT", TRACK_RATE_LIMIT), methods=["POST"])
    form_limit = limiter.limit(_configured("PUBLIC_FORM_RATE_LIMIT", FORM_RATE_LIMIT), methods=["POST"])
    bp.add_url_rule("/", "index", public_services.index)
    bp.add_url_rule("/services/<string:code>", "service", public_services.service)
    bp.add_url_rule("/check", "check_certificate", check_certificate)
    bp.add_url_rule("/track", "track", track_limit(public_tracking.track), methods=["GET", "POST"])
    bp.add_url_rule("/complaint", "complaint", form_limit(public_forms.complaint), methods=["GET", "POST"])
    bp.add_url_rule("/complaint/thanks", "complaint_done", public_forms.complaint_done)
    bp.add_url_rule(
        "/survey/<string:token>", "survey", form_limit(public_forms.survey_invited), methods=["GET", "POST"]
    )
    bp.add_url_rule(
        "/services/<string:code>/survey",
        "service_survey",
        form_limit(public_forms.survey_general),
        methods=["GET", "POST"],
    )
    bp.add_url_rule("/survey/thanks", "survey_done", public_forms.survey_done)
    bp.register_error_handler(429, too_many_requests)
    return bp


def register(appbuilder: Any) -> None:
    current_app.register_blueprint(make_blueprint(appbuilder.sm.limiter))
