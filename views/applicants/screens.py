"""Screens of the applicant self-service: the applicant's own profile page, and the counter's NIK search.

- /applicant/: the account's applicant record (read only: the counter keeps it),
  whether the identity is confirmed, its institution profiles (add, edit), the
  services it may apply for online, all its cases, the messages sent to it.
  Capability `cases.apply`; every record read is the account's own (else 404).
- /applicants/search: the counter (`cases.register`) finds a returning applicant
  by exact NIK (POST only: a NIK never travels in a URL), sees the record, its
  institutions and cases, confirms a waiting online account's identity, and
  starts a new application prefilled for that applicant.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.applicants import cases as applicant_cases
from app.applicants import lookup, profiles
from app.cases import workflow
from app.cases.access import mask_nik
from app.core.errors import DomainError, flash_error
from app.core.extensions import db
from app.core.parsing import bounded_id
from app.security import capabilities as cap
from models import Applicant
from views.cases.display import current_officer, record_identity_decision, status_label, steps_for


class ApplicantProfileView(BaseView):
    """The applicant's own page: record, institutions, services, cases, messages."""

    route_base = "/applicant"
    class_permission_name = "Applicant profile"
    method_permission_name = {"index": "show", "institution": "edit", "add_institution": "edit"}
    default_view = "index"
    capability_grants = {"can_show": [cap.CASES_APPLY], "can_edit": [cap.CASES_APPLY]}

    def _page(self, form=None, errors=None, editing=None, status: int = 200):
        user = current_officer()
        record = profiles.own_record(user)
        confirmed = profiles.identity_confirmed(user)
        cases = applicant_cases.own_cases(user)
        return self.render_template(
            "applicants/profile.html",
            record=record,
            nik_shown=(record.nik if confirmed else mask_nik(record.nik)) if record is not None else "",
            confirmed=confirmed,
            institutions=profiles.institution_profiles(user),
            services=lookup.counter_services(user),
            cases=cases,
            steps=steps_for(cases),
            status_label=status_label,
            messages=applicant_cases.account_notifications(user),
            form=form or {},
            errors=errors or {},
            editing=editing,
        ), status

    @expose("/")
    @has_access
    def index(self):
        """The applicant's own page."""
        return self._page()

    @expose("/institutions", methods=["POST"])
    @has_access
    def add_institution(self):
        """Add an institution profile."""
        try:
            profiles.save_institution(current_officer(), request.form)
        except DomainError as refused:
            flash_error(refused)
            return self._page(request.form, refused.fields, None, 422)
        flash(_("Institution saved."), "success")
        return redirect(url_for(".index") + "#institutions")

    @expose("/institutions/<int:profile_id>", methods=["GET", "POST"])
    @has_access
    def institution(self, profile_id: int):
        """Edit one of the account's institution profiles (another account's: 404)."""
        profile = profiles.own_profile(current_officer(), profile_id)
        if profile is None:
            abort(404)
        if request.method == "GET":
            form = {"name": profile.name, "address": profile.address or "", "license_no": profile.license_no or ""}
            return self._page(form, None, profile)
        try:
            profiles.save_institution(current_officer(), request.form, profile)
        except DomainError as refused:
            flash_error(refused)
            profile = profiles.own_profile(current_officer(), profile_id)
            return self._page(request.form, refused.fields, profile, 422)
        flash(_("Institution saved."), "success")
        return redirect(url_for(".index") + "#institutions")


class ApplicantSearchView(BaseView):
    """The counter's search for a returning applicant by NIK."""

    route_base = "/applicants"
    class_permission_name = "Applicant search"
    method_permission_name = {"search": "search", "confirm_identity": "search"}
    default_view = "search"
    capability_grants = {"can_search": [cap.CASES_REGISTER]}

    def _answer(self, nik: str = "", error: str | None = None, found=None, status: int = 200):
        return self.render_template(
            "applicants/search.html",
            nik=nik,
            error=error,
            found=found,
            services=lookup.counter_services(current_officer()),
            status_label=status_label,
            mask_nik=mask_nik,
        ), status

    @expose("/search", methods=["GET", "POST"])
    @has_access
    def search(self):
        """GET: the form. POST: the applicant with exactly this NIK, if any."""
        if request.method == "GET":
            return self._answer()
        nik, problem = lookup.check_nik(request.form.get("nik"))
        if problem:
            return self._answer(nik[:16], problem, None, 422)
        return self._answer(nik, None, lookup.search(nik, current_officer()))

    @expose("/<int:applicant_id>/confirm-identity", methods=["POST"])
    @has_access
    def confirm_identity(self, applicant_id: int):
        """The counter checked the identity card: link (or refuse) the online account waiting on this record."""
        applicant = db.session.get(Applicant, bounded_id(applicant_id) or 0)
        if applicant is None:
            abort(404)
        record_identity_decision(
            lambda confirm: workflow.confirm_applicant_identity(applicant, current_officer(), confirm)
        )
        # The answer again, without the NIK in the URL: the search page is shown from the record.
        return self._answer(applicant.nik, None, lookup.search(applicant.nik, current_officer()))


def add_menu_entries(appbuilder, category: dict) -> None:
    """Called by views.cases.lists, which fixes the order of the whole "Cases" menu."""
    appbuilder.add_view(
        ApplicantSearchView, "Applicant search", label=_l("Find an applicant by NIK"), icon="fa-id-card", **category
    )
    appbuilder.add_view(ApplicantProfileView, "Applicant profile", label=_l("My profile"), icon="fa-user", **category)
