"""The Registers menu: one page per register with filters, the first rows and exports.

Each register is its own FAB view so that its permission pair
("can_export", "Register <name>") and its menu entry are declared here, next to
the screen, and synced by `flask roles sync` like every other grant.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.core.extensions import db
from app.core.formatting import format_datetime
from app.registers import REGISTERS, Filters, Register, RegisterError, jobs, register_capability
from app.registers.csv_export import csv_delimiter, csv_response
from app.registers.pdf_export import pdf_response
from app.registers.xlsx_export import xlsx_response

PREVIEW_ROWS = 50
FORMATS = ("csv", "xlsx", "pdf")


def _services() -> list[Any]:
    from models import Service

    return db.session.execute(select(Service.code, Service.name).order_by(Service.code)).all()


def _status_choices(register: Register) -> dict[str, str]:
    if register.status_column is None or not register.status_labels:
        return {}
    keys = register.statuses or tuple(register.status_labels)
    return {k: str(register.status_labels.get(k, k)) for k in keys}


class RegisterView(BaseView):
    """Shared page and export routes; one subclass per register (see `view_class`)."""

    register_name = ""
    default_view = "index"
    base_permissions = ["can_export"]
    method_permission_name = {"index": "export", "export": "export", "job": "export", "job_download": "export"}

    @property
    def register(self) -> Register:
        return REGISTERS[self.register_name]

    def _page(self, filters: Filters | None, error: str | None = None, status: int = 200):
        register = self.register
        rows, total = [], None
        if filters is not None:
            with db.engine.connect() as conn:
                total = conn.execute(register.count(filters)).scalar_one()
                fmt = register.formatter("pdf")
                rows = [fmt(r) for r in conn.execute(register.select(filters).limit(PREVIEW_ROWS))]
        return self.render_template(
            "registers/index.html",
            register=register,
            headers=register.headers(),
            rows=rows,
            total=total,
            preview=PREVIEW_ROWS,
            error=error,
            args=filters.as_args() if filters else {},
            raw_args=request.args,
            services=_services() if register.service_column is not None else [],
            statuses=_status_choices(register),
        ), status

    @expose("/")
    @has_access
    def index(self):
        """The register's first rows under the filters in the query string."""
        try:
            filters = self.register.parse_filters(request.args)
        except RegisterError as exc:
            return self._page(None, exc.message, 400)
        return self._page(filters)

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt: str):
        """The whole filtered register as CSV (streamed; `sep=semicolon` for Indonesian Excel), XLSX or PDF."""
        if fmt not in FORMATS:
            abort(404)
        try:
            filters = self.register.parse_filters(request.args)
            if fmt == "csv":
                return csv_response(self.register, filters, csv_delimiter(request.args))
            if fmt == "xlsx":
                return xlsx_response(self.register, filters)
            if self._long(filters):
                # Rendered by the worker: this web worker answers at once (see app.registers.jobs).
                job = jobs.request_export(self.register_name, fmt, request.args, current_user)
                return redirect(url_for(".job", job_id=job.id), code=303)
            return pdf_response(self.register, filters, printed_by=current_user.username)
        except RegisterError as exc:
            return self._page(None, exc.message, exc.status)

    def _long(self, filters: Filters) -> bool:
        """More rows than EXPORT_BACKGROUND_ROWS: too long to print inside a request."""
        with db.engine.connect() as conn:
            return conn.execute(self.register.count(filters)).scalar_one() > jobs.background_rows()

    @expose("/jobs/<int:job_id>")
    @has_access
    def job(self, job_id: int):
        """A background export's status for the user who asked for it (anyone else: 404)."""
        job = jobs.job_for(job_id, self.register_name, current_user)
        if job is None:
            abort(404)
        pending = job.status in jobs.PENDING
        page = self.render_template(
            "registers/job.html",
            register=self.register,
            job=job,
            pending=pending,
            requested=format_datetime(job.created_at),
            finished=format_datetime(job.finished_at) if job.finished_at else "",
            back=url_for(".index", **(job.params or {})),
        )
        return page, 200, {"Cache-Control": "no-store"}

    @expose("/jobs/<int:job_id>/download")
    @has_access
    def job_download(self, job_id: int):
        """The finished file of a background export, for the user who asked for it."""
        job = jobs.job_for(job_id, self.register_name, current_user)
        stream = jobs.open_result(job) if job is not None else None
        if job is None or stream is None:
            abort(404)
        response = send_file(
            stream, mimetype="application/pdf", as_attachment=True, download_name=job.filename or "register.pdf"
        )
        response.headers["Cache-Control"] = "no-store"
        return response


def view_class(name: str) -> type[RegisterView]:
    """`RegisterCasesView` for `cases`: its own endpoint, route, permission and grants."""
    return type(
        f"Register{name.capitalize()}View",
        (RegisterView,),
        {
            "register_name": name,
            "route_base": f"/registers/{name}",
            "class_permission_name": f"Register {name}",
            "capability_grants": {"can_export": [register_capability(name)]},
        },
    )


class RegistersMenu(BaseView):
    """Opens the "Registers" menu category to every role that reads a register."""

    route_base = "/registers"
    class_permission_name = "Registers"
    base_permissions = ["can_index"]
    method_permission_name = {"index": "index"}
    capability_grants = {"can_index": [register_capability(name) for name in REGISTERS]}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """The registers this user may read, one link each."""
        sm = self.appbuilder.sm
        readable = [r for r in REGISTERS.values() if sm.has_access("can_export", r.permission_view)]
        return self.render_template("registers/menu.html", registers=readable)


def register(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(RegistersMenu)
    for name, reg in REGISTERS.items():
        appbuilder.add_view(
            view_class(name),
            f"Register {name}",
            label=reg.title,
            icon="fa-table",
            category="Registers",
            category_label=_l("Registers"),
        )
