"""Public check of a certificate PDF a visitor holds: upload it, read Sah / Diubah / Dicabut.

No login; CSRF-protected and rate-limited per client address like the other public forms
(PUBLIC_FORM_RATE_LIMIT). The file is read into memory (at most SIGNING_VERIFY_MAX_BYTES),
never stored, and judged by app.signing.verify: its SHA-256 against what the office issued,
pyHanko's validation of its signature against SIGNING_TRUST_ROOTS. Garbage (not a PDF,
damaged, unsigned) is a 422 with a message, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from app.signing import verify
from views.public.portal import FORM_RATE_LIMIT, _configured, too_many_requests

log = logging.getLogger(__name__)


def _messages() -> dict[str, str]:
    return {
        verify.UNSIGNED: _(
            "This PDF carries no electronic signature, so it cannot be checked here. "
            "A certificate signed on paper is checked with its QR code."
        ),
        verify.UNREADABLE: _("This file cannot be read as a PDF: it may be damaged or incomplete."),
        verify.NOT_PDF: _("This file is not a PDF. Upload the certificate as the PDF file you received."),
    }


def _page(verdict: verify.Verdict | None = None, error: str | None = None, status: int = 200):
    return render_template("signing/verify_file.html", verdict=verdict, error=error), status


def check_file():
    """GET: the upload form; POST: the verdict on the uploaded PDF."""
    if request.method == "GET":
        return _page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(error=_("Choose the PDF file to check."), status=400)
    limit = int(current_app.config.get("SIGNING_VERIFY_MAX_BYTES") or 5 * 1024 * 1024)
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        return _page(
            error=_("The file is too large (at most %(mb)d MB).", mb=max(1, limit // (1024 * 1024))), status=413
        )
    roots = verify.trust_roots(current_app.config.get("SIGNING_TRUST_ROOTS"))
    try:
        verdict = verify.check_pdf(data, roots)
    except Exception:  # the validator tripped on a file nobody foresaw: still an answer, not a 500
        log.exception("public file check failed")
        return _page(error=_messages()[verify.UNREADABLE], status=422)
    if verdict.refused:
        return _page(verdict, _messages()[verdict.status], 422)
    return _page(verdict)


def make_blueprint(limiter: Any) -> Blueprint:
    bp = Blueprint("public_verify_file", __name__, url_prefix="/public/verify")
    form_limit = limiter.limit(_configured("PUBLIC_FORM_RATE_LIMIT", FORM_RATE_LIMIT), methods=["POST"])
    bp.add_url_rule("/", "check_file", form_limit(check_file), methods=["GET", "POST"])
    bp.register_error_handler(429, too_many_requests)
    return bp


def register(appbuilder: Any) -> None:
    current_app.register_blueprint(make_blueprint(appbuilder.sm.limiter))
