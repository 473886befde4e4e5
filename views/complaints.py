"""The complaint book for officers: list, intake from every channel, complaint page, monthly report.

A FAB pair opens each route (one permission view per menu entry); the engine
(app.complaints.book) decides which actions the user may take, so the page offers only those.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.complaints import book as complaints
from app.complaints.report import monthly, to_csv, to_pdf
from app.core.errors import flash_error
from app.core.extensions import db
from app.core.parsing import bounded_id, bounded_int
from app.core.timezone import office_tz
from app.security import capabilities as cap
from models import Complaint
from models.complaint import CHANNELS, UNSORTED_LABEL, ComplaintChannel, ComplaintStatus, ComplaintWeight
from views.api.complaints import _user

PAGE_SIZE = 50
ACTION_LABELS = {
    "sort": _l("Sort (set the weight)"),
    "coordinate_head": _l("Record coordination (Kepala Bidang)"),
    "coordinate_kadis": _l("Record coordination (Kepala Dinas)"),
    "coordinate_mayor": _l("Record coordination with the mayor's office"),
    "reply": _l("Send the reply"),
    "approve": _l("Approve"),
    "return": _l("Return for correction"),
    "correct": _l("Submit the correction"),
}
EVENT_LABELS = {
    "recorded": _l("Recorded in the complaint book"),
    "sort": _l("Sorted"),
    "coordinate_head": _l("Coordinated by the Kepala Bidang"),
    "coordinate_kadis": _l("Coordinated by the Kepala Dinas"),
    "coordinate_mayor": _l("Coordinated with the mayor's office"),
    "reply": _l("Replied"),
    "approve": _l("Approved by the Sekretaris"),
    "return": _l("Returned for correction"),
    "correct": _l("Corrected"),
}


def _weight_labels() -> dict:
    """Weight -> label, `None` (not sorted yet) included, for filters and the sorting form."""
    return {**ComplaintWeight.labels(), None: UNSORTED_LABEL}


def _month(raw: str) -> tuple[int, int]:
    """`YYYY-MM` of the query string, else the current month (office time zone)."""
    year_text, _sep, month_text = (raw or "").partition("-")
    year, month = bounded_int(year_text, 1900, 2199), bounded_int(month_text, 1, 12)
    if year is None or month is None:
        today = datetime.now(office_tz()).date()
        return today.year, today.month
    return year, month


def _form_data(form) -> dict[str, Any]:
    """The intake form as the engine's dict (the same shape as the JSON API)."""
    return {
        "channel": form.get("channel", ""),
        "weight": form.get("weight") or None,
        "received_at": form.get("received_at") or None,
        "complainant": {k: form.get(k, "") for k in ("name", "phone", "email", "address")},
        "subject": form.get("subject", ""),
        "description": form.get("description", ""),
        "case": form.get("case") or None,
    }


def _action_data(action: str, form) -> dict[str, Any]:
    keys = {
        "sort": ("weight", "note"),
        "coordinate_mayor": ("with", "note"),
        "reply": ("text", "via"),
        "correct": ("note", "subject", "description"),
    }.get(action, ("note",))
    return {k: form[k] for k in keys if form.get(k, "") != ""}


class ComplaintBookView(BaseView):
    """The complaint book (Buku Pengaduan), newest first."""

    route_base = "/complaints"
    class_permission_name = "Complaint book"
    method_permission_name = {"index": "list"}
    default_view = "index"
    capability_grants = {"can_list": [cap.COMPLAINTS_READ]}

    @expose("/")
    @has_access
    def index(self):
        """The book, filtered by status, weight, channel and lateness."""
        args = {k: request.args.get(k, "") for k in ("status", "weight", "channel", "late", "q")}
        query = sa.select(Complaint)
        if args["status"] in complaints.STATUSES:
            query = query.where(Complaint.status == args["status"])
        if args["weight"] in complaints.WEIGHTS:
            query = query.where(Complaint.weight == args["weight"])
        if args["channel"] in CHANNELS:
            query = query.where(Complaint.channel == args["channel"])
        if args["late"] == "1":
            query = query.where(
                Complaint.due_at < datetime.now(UTC),
                sa.or_(Complaint.replied_at.is_(None), Complaint.replied_at > Complaint.due_at),
            )
        if args["q"].strip():
            pattern = f"%{args['q'].strip().lower()}%"
            query = query.where(
                sa.or_(
                    sa.func.lower(Complaint.number).like(pattern),
                    sa.func.lower(Complaint.complainant_name).like(pattern),
                    sa.func.lower(Complaint.subject).like(pattern),
                )
            )
        before = bounded_id(request.args.get("before", ""))
        if before is not None:
            query = query.where(Complaint.id < before)
        rows = list(db.session.scalars(query.order_by(Complaint.id.desc()).limit(PAGE_SIZE + 1)))
        next_before = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
        return self.render_template(
            "complaints/list.html",
            rows=rows[:PAGE_SIZE],
            args=args,
            next_before=next_before,
            is_late=complaints.is_late,
            statuses=ComplaintStatus.labels(),
            weights=_weight_labels(),
            channels=ComplaintChannel.labels(),
            can_add=complaints.holds(_user(), "can_add", ComplaintIntakeView.class_permission_name),
        )


class ComplaintIntakeView(BaseView):
    """Intake by the complaint officer (Petugas Pengaduan)."""

    route_base = "/complaints"
    class_permission_name = "Record a complaint"
    method_permission_name = {"new": "add"}
    default_view = "new"
    capability_grants = {"can_add": [cap.COMPLAINTS_RECORD]}

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        """Record a complaint received by letter, box, email, website, telephone, fax, SMS or in person."""
        form = request.form if request.method == "POST" else {}
        errors = {}
        status = 200
        if request.method == "POST":
            try:
                c = complaints.create_complaint(_form_data(request.form), _user(), source="officer")
            except complaints.ComplaintError as error:
                flash_error(error)
                errors, status = error.fields, error.status
            else:
                flash(_("Complaint %(number)s recorded.", number=c.number), "success")
                return redirect(url_for("ComplaintView.show", complaint_id=c.id))
        return self.render_template(
            "complaints/new.html",
            form=form,
            channels={k: ComplaintChannel(k).label for k in complaints.OFFICER_CHANNELS},
            weights=ComplaintWeight.labels(),
            today=datetime.now(office_tz()).date().isoformat(),
            errors=errors,
        ), status


class ComplaintView(BaseView):
    """One complaint: its book entry, handling record and actions (no menu entry of its own)."""

    route_base = "/complaints"
    class_permission_name = complaints.PERMISSION_VIEW
    method_permission_name = {"show": "show", "act": "act", "reply_letter": "show"}
    capability_grants = {"can_show": [cap.COMPLAINTS_READ], "can_act": [cap.COMPLAINTS_READ]}

    def _complaint(self, complaint_id: int) -> Complaint:
        c = db.session.get(Complaint, complaint_id)
        if c is None:
            abort(404)
        return c

    @expose("/<int:complaint_id>")
    @has_access
    def show(self, complaint_id: int):
        """One entry of the book, its deadline, its handling record and the actions open to this user."""
        c = self._complaint(complaint_id)
        user = _user()
        return self.render_template(
            "complaints/show.html",
            c=c,
            actions=complaints.allowed_actions(c, user),
            action_labels=ACTION_LABELS,
            event_labels=EVENT_LABELS,
            late=complaints.is_late(c),
            routes=complaints.reply_routes(c.channel, c),
            channels={
                **ComplaintChannel.labels(),
                complaints.NO_REPLY_ROUTE: _("No reply possible (no contact given)"),
            },
            statuses=ComplaintStatus.labels(),
            weights=_weight_labels(),
            mayor_office=complaints.MAYOR_OFFICE,
            letter_sent=any(e.action == "reply" and e.note == "via letter" for e in c.events),
        )

    @expose("/<int:complaint_id>/act", methods=["POST"])
    @has_access
    def act(self, complaint_id: int):
        """Apply one action through the engine; its refusal is shown and nothing changes."""
        c = self._complaint(complaint_id)
        action = request.form.get("action", "")
        try:
            complaints.act(c, _user(), action, _action_data(action, request.form))
        except complaints.ComplaintError as error:
            if error.status == 403:
                db.session.rollback()
                abort(403)
            flash_error(error)
        else:
            flash(_("Saved: %(action)s.", action=ACTION_LABELS.get(action, action)), "success")
        return redirect(url_for(".show", complaint_id=complaint_id))

    @expose("/<int:complaint_id>/reply-letter.pdf")
    @has_access
    def reply_letter(self, complaint_id: int):
        """The reply letter (point f) of a complaint answered by letter."""
        from app.documents import complaint_reply_letter_pdf

        c = self._complaint(complaint_id)
        if c.reply is None:
            abort(404)
        return Response(
            complaint_reply_letter_pdf(c),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'inline; filename="jawaban-{c.number}.pdf"'},
        )


class ComplaintReportView(BaseView):
    """The monthly Laporan Pengaduan Pelayanan Publik for the Kepala Dinas (point k)."""

    route_base = "/complaints"
    class_permission_name = "Monthly complaint report"
    method_permission_name = {"report": "report", "report_file": "report"}
    default_view = "report"
    capability_grants = {"can_report": [cap.COMPLAINTS_REPORT]}

    @expose("/report")
    @has_access
    def report(self):
        """The monthly Laporan Pengaduan Pelayanan Publik on screen, with its PDF and CSV."""
        year, month = _month(request.args.get("month", ""))
        return self.render_template(
            "complaints/report.html", report=monthly(year, month), month=f"{year:04d}-{month:02d}"
        )

    @expose("/report.<fmt>")
    @has_access
    def report_file(self, fmt: str):
        """The monthly report as `pdf` or `csv`."""
        year, month = _month(request.args.get("month", ""))
        name = f"laporan-pengaduan-{year:04d}-{month:02d}"
        if fmt == "csv":
            return Response(
                to_csv(monthly(year, month)),
                mimetype="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
            )
        if fmt == "pdf":
            return Response(
                to_pdf(monthly(year, month)),
                mimetype="application/pdf",
                headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
            )
        abort(404)


def register(appbuilder) -> None:
    # Menu entries are opened by app.security.roles from the grants on their views.
    category = {"category": "Complaints", "category_label": _l("Complaints"), "category_icon": "fa-comments"}
    appbuilder.add_view(ComplaintBookView, "Complaint book", label=_l("Complaint book"), icon="fa-book", **category)
    appbuilder.add_view(
        ComplaintIntakeView, "Record a complaint", label=_l("Record a complaint"), icon="fa-plus", **category
    )
    appbuilder.add_view(
        ComplaintReportView,
        "Monthly complaint report",
        label=_l("Monthly complaint report"),
        icon="fa-file-text-o",
        **category,
    )
    appbuilder.add_view_no_menu(ComplaintView)
