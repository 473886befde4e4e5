"""Downloads of the printed documents, and the Admin's revocation of a certificate.

A case's documents need the FAB pair ("can_download", "Documents"), which every
logged-in role holds, and then the engine's `can_view(case, user)`: the data
gate, so an applicant gets only their own case's papers. The certificate exists
only once the case is numbered. The service standard is a public document.
A complaint's reply letter is served by the complaint screens (views/complaints.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import documents
from app.core import audit
from app.core.extensions import db
from app.security.capabilities import ANY_LOGIN
from models import Case, Certificate, Service

REASON_MAX = 1000

# URL name -> (document function, file name prefix)
CASE_DOCUMENTS: dict[str, tuple[Callable[[Case], bytes], str]] = {
    "certificate": (documents.certificate_pdf, "sertifikat"),
    "control-card": (documents.control_card_pdf, "kartu-kendali"),
    "bap": (documents.bap_pdf, "bap"),
    "assignment-letter": (documents.assignment_letter_pdf, "surat-tugas"),
    "reminder-letter": (documents.reminder_letter_pdf, "surat-pemberitahuan"),
}


def _pdf(data: bytes, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "dokumen"
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{safe}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def case_document_response(case: Case, kind: str, user) -> Response:
    """The PDF `kind` of a case `user` may view; 404 (with the reason) when it does not exist yet.

    The KONSEP of the certificate is the office's working paper: officers only.
    """
    from app.cases.access import is_applicant_user

    if kind not in CASE_DOCUMENTS:
        abort(404)
    if is_applicant_user(user):
        from app.applicants.cases import may_download

        # The office's papers print officers' names and NIPs; the certificate is the applicant's once handed over.
        if not may_download(case, kind):
            abort(404, description=_("This document is not available to the applicant at this stage."))
    if (
        kind == "certificate"
        and case.certificate is None
        and (not documents.draft_available(case) or is_applicant_user(user))
    ):
        abort(
            404,
            description=_(
                "The certificate does not exist yet: it is drafted at the draft step and numbered at the numbering step."
            ),
        )
    func, prefix = CASE_DOCUMENTS[kind]
    try:
        data = func(case)
    except documents.DocumentTooLarge:
        abort(422, description=_("This document is too long to print; shorten the texts of the case first."))
    except documents.DocumentError:
        abort(404, description=_("This document does not exist for the case yet."))
    return _pdf(data, f"{prefix}-{case.registration_no}")


def _user():
    return current_user._get_current_object()


class DocumentsView(BaseView):
    """Printable PDFs of cases and services."""

    route_base = "/documents"
    class_permission_name = "Documents"
    method_permission_name = {
        "case_document": "download",
        "revoke": "revoke",
    }
    # Revocation is Admin's alone (Admin holds every pair).
    capability_grants = {"can_download": [ANY_LOGIN]}

    @expose("/case/<int:case_id>/<string:kind>.pdf")
    @has_access
    def case_document(self, case_id: int, kind: str):
        """One document of a case, for users who may see the case."""
        from app.cases.workflow import can_view

        case = db.session.get(Case, case_id)
        if case is None or not can_view(case, _user()):
            abort(404)  # the same answer as for a case that does not exist
        return case_document_response(case, kind, _user())

    @expose("/standard/<string:code>.pdf")
    def standard(self, code: str):
        """The published service standard, regenerated from data (public)."""
        service = db.session.scalar(select(Service).where(Service.code == code, Service.active.is_(True)))
        if service is None:
            abort(404)
        return _pdf(documents.standard_pdf(service), f"standar-pelayanan-{service.code}")

    @expose("/certificate/<int:cert_id>/revoke", methods=["GET", "POST"])
    @has_access
    def revoke(self, cert_id: int):
        """Revoke a certificate with a reason; the public check then says so."""
        cert = db.session.get(Certificate, cert_id)
        if cert is None:
            abort(404)
        if request.method == "POST":
            reason = (request.form.get("reason") or "").strip()
            if cert.revoked_at is not None:
                flash(_("This certificate is already revoked."), "warning")
            elif not reason:
                flash(_("Write the reason for the revocation."), "danger")
            elif len(reason) > REASON_MAX:
                flash(_("The reason is too long (at most %(n)d characters).", n=REASON_MAX), "danger")
            else:
                before = audit.snapshot(cert)
                cert.revoked_at = datetime.now(UTC)
                cert.revoked_reason = reason
                cert.revoked_by_id = _user().id
                audit.record("certificate.revoke", "Certificate", cert.id, before=before, after=audit.snapshot(cert))
                db.session.commit()
                flash(_("Certificate %(no)s is revoked.", no=cert.number), "success")
                return redirect(url_for("DocumentsView.revoke", cert_id=cert.id))
        return self.render_template(
            "documents/pages/revoke.html",
            cert=cert,
            verify_link=url_for("PublicVerifyView.verify", token=cert.verify_token),
            reason_max=REASON_MAX,
        )


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(DocumentsView())
