"""The case page: everything about one case, and the actions on it.

Every route checks the FAB permission first and then asks the engine
(`can_view`, `allowed_actions`, `act`), which is the real gate: the page
only offers what the engine would accept anyway.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app import documents
from app.applicants.cases import case_context as applicant_case_context
from app.calendar.working_days import Calendar
from app.cases import control_card, uploads, workflow
from app.cases.access import checklist_open
from app.cases.step_kinds import TICK, UPLOAD, checklist_rights, step_kind, step_showing
from app.core.extensions import db
from app.core.parsing import MAX_ID, bounded_int
from app.core.urls import public_base_url
from app.documents.qr import qr_data_uri
from app.security import capabilities as cap
from app.security.capabilities import has_capability
from app.security.roles import acting_views
from app.setup.errors import handle_http_error
from models import Case, CaseRequirement, CaseStatus, Requirement, RequirementScan, Step, SurveyInvitation
from views.cases import forms as case_forms
from views.cases.display import (
    case_or_abort,
    current_officer,
    flash_refusal,
    late_by,
    outcome_label,
    record_identity_decision,
    status_label,
    steps_for,
    time_left,
)
from views.cases.forms import PRINT_KEY, RECEIPT_KEY


def _version() -> int | None:
    return bounded_int(request.form.get("version", ""), 0, MAX_ID)


# The two checklist posts: the whole checklist in one form, and one line (older pages, tests).
CHECKLIST_ENDPOINTS = ("checklist", "requirement")


def _ids(values: list[str]) -> list[int]:
    """Posted ids that are whole numbers in range (anything else is ignored, never a query)."""
    return [n for n in (bounded_int(v, 1, MAX_ID) for v in values) if n is not None]


def _checklist_body_limit(endpoint: str | None, values: dict | None) -> None:
    """Before CSRF or anything reads the body: a checklist post may carry one file per document line.

    The cap leaves room over the per-file limit, so an oversize scan is read and
    refused by its line on the case page (uploads.check_file) instead of a bare 413.
    """
    if not endpoint or endpoint.rpartition(".")[2] not in CHECKLIST_ENDPOINTS or not values:
        return
    documents = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CaseRequirement)
        .join(Requirement, Requirement.id == CaseRequirement.requirement_id)
        .where(CaseRequirement.case_id == values.get("case_id"), Requirement.document.is_(True))
    )
    request.max_content_length = uploads.checklist_body_limit(int(documents or 0))


class CaseView(BaseView):
    """One application: read it and act on it."""

    route_base = "/cases"
    class_permission_name = "Cases"
    method_permission_name = {
        "show": "show",
        "scan": "show",
        # Not "act": that name is the SOP step permission ("can_act" on "<CODE> step <no>").
        "act": "handle",
        "requirement": "handle",
        "checklist": "handle",
        "confirm_identity": "handle",
    }
    capability_grants = {
        "can_show": [cap.CASES_WORK, cap.CASES_READ_ALL],
        "can_handle": [cap.CASES_WORK],
    }

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        """FAB's blueprint, plus the checklist's body cap and its own answer to a too-large body."""
        blueprint = super().create_blueprint(appbuilder, endpoint=endpoint, static_folder=static_folder)
        # URL value preprocessors run before every before_request hook (CSRF reads the form there).
        blueprint.url_value_preprocessor(_checklist_body_limit)
        blueprint.register_error_handler(RequestEntityTooLarge, self._too_large)
        return blueprint

    def _too_large(self, error: RequestEntityTooLarge):
        """A checklist post over even the form's cap: the case page (413), saying the limit; else the usual page.

        Raised before `has_access` ran, so the same checks are made here first.
        """
        endpoint = (request.endpoint or "").rpartition(".")[2]
        case_id = (request.view_args or {}).get("case_id")
        case = db.session.get(Case, case_id) if isinstance(case_id, int) else None
        allowed = (
            endpoint in CHECKLIST_ENDPOINTS
            and case is not None
            and getattr(current_user, "is_authenticated", False)
            and self.appbuilder.sm.has_access("can_handle", self.class_permission_name)
            and workflow.can_view(case, current_officer())
        )
        if case is None or not allowed:
            return handle_http_error(error)
        flash(
            _(
                "The files sent together are too large; nothing was saved. Each file may be at most %(max)s: "
                "choose the files again and tick the lines again.",
                max=uploads.size_label(),
            ),
            "danger",
        )
        return self._page(case, None, 413)

    @expose("/<int:case_id>")
    @has_access
    def show(self, case_id: int):
        """Everything about one case and the actions this user may take now."""
        return self._page(case_or_abort(case_id))

    def _page(self, case: Case, posted: dict | None = None, status: int = 200):
        """The case page; `posted` is a refused action's form ({"action", "values", "errors"}) to show again."""
        user = current_officer()
        counter = has_capability(user, cap.CASES_REGISTER)
        actions = workflow.allowed_actions(case, user)
        step = steps_for([case]).get((case.service_id, case.current_step_no))
        stored = session.get(RECEIPT_KEY)
        receipt = case_forms.receipt_for(case, stored)
        if receipt is not None:
            # The tracking key is shown once; afterwards only the print view may use it, once (still sealed).
            session.pop(RECEIPT_KEY)
            session[PRINT_KEY] = stored
        applicant_user = workflow.is_applicant_user(user)
        return self.render_template(
            # An applicant account reads its own page: the card without the officers' data (app.applicants.cases).
            "applicants/case.html" if applicant_user else "cases/show.html",
            **(applicant_case_context(case, user) if applicant_user else {}),
            case=case,
            step=step,
            step_kind=step_kind(step) if step else None,
            actions=actions,
            applicant_view=workflow.is_applicant_user(user),  # the applicant's own words for a submit
            checklist=self._checklist_rights(case, step, user),
            form_labels={f.name: f.label for f in case.service.form_fields},
            form_types={f.name: f.type for f in case.service.form_fields},
            card=case.control_card,
            card_standard=control_card.standard_times(case),
            report=case.inspection_reports[-1] if case.inspection_reports else None,
            return_target=self._return_target(case, step),
            receipt=receipt,
            status_label=status_label,
            outcome_label=outcome_label,
            recommendations=case_forms.BAP_RECOMMENDATIONS,
            inspect_step_no=getattr(step_showing(case.service.steps, "assignment-letter"), "no", None),
            draft_certificate=documents.draft_available(case) and not workflow.is_applicant_user(user),
            survey_link=(link := self._survey_link(case)),
            survey_qr=qr_data_uri(link) if link else None,
            applicant_shown=workflow.sees_applicant_details(case, user),
            reveal_nik=(reveal := workflow.reveals_nik(user, case)),
            show_id=(lambda value: value if reveal else workflow.mask_nik(value)),
            identity_warnings=workflow.identity_warnings(case) if counter else [],
            may_confirm_identity=counter and workflow.pending_claim(case.applicant) is not None,
            # How late (a badge) or how much time is left, in working time: the worklist's own words.
            late_by=late_by(case, (cal := Calendar.from_db())),
            time_left=time_left(case, cal),
            posted=posted,
        ), status

    @staticmethod
    def _survey_link(case: Case) -> str | None:
        """The applicant's unused one-time survey link, once the product is handed over."""
        if case.status != CaseStatus.HANDED_OVER:
            return None
        invitation = db.session.scalar(sa.select(SurveyInvitation).where(SurveyInvitation.case_id == case.id))
        if invitation is None or invitation.used_at is not None:
            return None
        return public_base_url() + url_for("public.survey", token=invitation.token)

    @staticmethod
    def _checklist_rights(case: Case, step: Step | None, user: User) -> dict[str, Any]:
        """What the user may do to the checklist now (the engine's own rule, app.cases.access), and the file limits."""
        open_ = checklist_open(case)
        held = acting_views(user) if open_ else frozenset()
        rights = checklist_rights(s for s in case.service.steps if s.permission_view in held)
        return {
            "upload": UPLOAD in rights,
            "check": TICK in rights,
            "open": UPLOAD in rights or TICK in rights,
            "accept": uploads.ACCEPT,
            "types": uploads.ACCEPTED_LABEL,
            "max": uploads.size_label(),
        }

    @staticmethod
    def _return_target(case: Case, step: Step | None) -> str:
        if step is None or not step.returns_to:
            return ""
        if step.returns_to == "applicant":
            return _("the applicant")
        target = db.session.scalar(
            sa.select(Step).where(Step.service_id == case.service_id, Step.no == int(step.returns_to))
        )
        return _("step %(no)s", no=step.returns_to) + (
            f" ({target.executors[0].name})" if target and target.executors else ""
        )

    @expose("/<int:case_id>/act", methods=["POST"])
    @has_access
    def act(self, case_id: int):
        """Forward, return or reject through the engine; its refusal is flashed.

        A refusal naming fields (an incomplete BAP or receipt, a missing reason)
        shows the page again (422) with what was typed and each field's message.
        """
        case = case_or_abort(case_id)
        action = request.form.get("action", "")
        version = _version()
        if version is None:
            flash(_("The form is incomplete; reload the page."), "danger")
            return redirect(url_for(".show", case_id=case.id))
        step = steps_for([case]).get((case.service_id, case.current_step_no))
        data = case_forms.action_data(step_kind(step) if step else None, action, request.form)
        try:
            workflow.act(case, current_officer(), action, version, note=request.form.get("note") or None, data=data)
        except workflow.WorkflowError as error:
            flash_refusal(error)
            if error.fields and error.status == 422:
                posted = {"action": action, "values": request.form, "errors": error.fields}
                return self._page(case_or_abort(case_id), posted, 422)
        else:
            flash(_("Saved: %(outcome)s.", outcome=outcome_label(action)), "success")
        return redirect(url_for(".show", case_id=case_id))

    @expose("/<int:case_id>/confirm-identity", methods=["POST"])
    @has_access
    def confirm_identity(self, case_id: int):
        """The counter checked the identity card: link (or refuse) the online account that claimed the NIK."""
        case = case_or_abort(case_id)
        record_identity_decision(lambda confirm: workflow.confirm_identity(case, current_officer(), confirm))
        return redirect(url_for(".show", case_id=case_id))

    @expose("/<int:case_id>/requirements", methods=["POST"])
    @has_access
    def checklist(self, case_id: int):
        """The whole checklist in one form: every line's scan, removals and tick, saved together or not at all."""
        case = case_or_abort(case_id)
        form = request.form
        shown = set(_ids(form.getlist("line")))
        ticks = form.get("tick") == "1"
        changes = [
            uploads.LineChange(
                line=line,
                file=self._posted_file(f"file-{line.id}"),
                checked=(form.get(f"checked-{line.id}") == "1") if ticks else None,
                remove=_ids(form.getlist(f"remove-{line.id}")),
            )
            for line in case.requirements
            if line.id in shown
        ]
        return self._save_checklist(case, changes, _("Requirements saved."))

    @expose("/<int:case_id>/requirements/<int:line_id>", methods=["POST"])
    @has_access
    def requirement(self, case_id: int, line_id: int):
        """One line of the checklist (the API's page twin): the same save as the whole form."""
        case = case_or_abort(case_id)
        line = db.session.get(CaseRequirement, line_id)
        if line is None or line.case_id != case.id:
            abort(404)
        change = uploads.LineChange(
            line=line,
            file=self._posted_file("file"),
            checked=(request.form.get("checked") == "1") if request.form.get("tick") == "1" else None,
            note=request.form.get("note") or None,
            remove=_ids(request.form.getlist("remove")),
        )
        return self._save_checklist(case, [change], _("Requirement saved: %(name)s", name=line.requirement.name))

    @staticmethod
    def _posted_file(name: str) -> Any:
        upload = request.files.get(name)
        return upload if upload is not None and upload.filename else None

    def _save_checklist(self, case: Case, changes: list[uploads.LineChange], saved: str):
        """Save through `uploads.save_checklist`; a refusal shows the case page again with its status.

        What was ticked is shown again as typed (files must be chosen again: a browser
        never refills a file input), and the refused line carries the message.
        """
        try:
            uploads.save_checklist(case, current_officer(), changes)
        except workflow.WorkflowError as error:
            flash_refusal(error)
            if any(change.file is not None for change in changes) and error.status == 422:
                flash(_("Nothing was saved: choose the files again and save once more."), "warning")
            posted = {"action": "checklist", "values": request.form, "errors": error.fields}
            return self._page(case_or_abort(case.id), posted, error.status)
        flash(saved, "success")
        return redirect(url_for(".show", case_id=case.id) + "#requirements")

    @expose("/<int:case_id>/scans/<int:scan_id>")
    @has_access
    def scan(self, case_id: int, scan_id: int):
        """An uploaded scan, for whoever may see the case."""
        case = case_or_abort(case_id)
        scan = db.session.get(RequirementScan, scan_id)
        if scan is None or scan.case_requirement.case_id != case.id:
            abort(404)
        try:
            stream = uploads.open_scan(scan)
        except workflow.WorkflowError:
            abort(404)
        # The scan never changes under its id: its hash is a strong ETag whichever storage holds it.
        return send_file(stream, mimetype=scan.mime_type, download_name=scan.original_name, etag=scan.sha256)
