"""JSON API of the registers: `GET /api/v1/registers/<name>/export?format=csv|xlsx|pdf&from=&to=&service=&status=`.

The answer is the file itself (CSV streamed, `sep=semicolon` for Indonesian Excel; XLSX; or PDF); errors are JSON
`{"message": ...}`: 401 without a valid token, 404 for an unknown register,
403 when the caller's roles lack ("can_export", "Register <name>"), 400 for a
bad format or filter. The permission is the register's own pair (declared on
its screen in views/reports/registers.py), so the API and the screen always agree.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_appbuilder.api import expose
from flask_babel import gettext as _
from flask_jwt_extended import verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user
from jwt.exceptions import PyJWTError

from app.registers import RegisterError, get_register, may_read
from app.registers.csv_export import csv_delimiter, csv_response
from app.registers.pdf_export import pdf_response
from app.registers.xlsx_export import xlsx_response
from views.api.base import JsonApi, safe

FORMATS = ("csv", "xlsx", "pdf")


def _caller() -> Any:
    """The session user when logged in through the browser, else the bearer token's user."""
    if current_user.is_authenticated:
        return current_user
    verify_jwt_in_request()
    return getattr(g, "user", None)


class RegistersApi(JsonApi):
    """Export a register as a file."""

    resource_name = "registers"
    class_permission_name = "Registers API"
    # No pair of its own: each register's pair decides (checked in `export`).
    base_permissions: list[str] = []

    @expose("/<name>/export", methods=["GET"])
    @safe
    def export(self, name: str):
        """The register `name` under the filters, as `format` (csv, xlsx or pdf)."""
        try:
            user = _caller()
        except (JWTExtendedException, PyJWTError):
            return self.response_401()
        register = get_register(name)
        if not may_read(register):
            return self.response(403, message=_("You may not read this register."))
        fmt = request.args.get("format", "csv")
        if fmt not in FORMATS:
            raise RegisterError(_("The format must be csv, xlsx or pdf."))
        filters = register.parse_filters(request.args)
        if fmt == "csv":
            return csv_response(register, filters, csv_delimiter(request.args))
        if fmt == "xlsx":
            return xlsx_response(register, filters)
        return pdf_response(register, filters, printed_by=getattr(user, "username", None))


def register(appbuilder: Any) -> None:
    appbuilder.add_api(RegistersApi)
