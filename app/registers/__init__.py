"""Registers: named, filterable lists the office prints and exports (CSV, XLSX, PDF).

`REGISTERS[name]` holds a `Register` (columns with Indonesian headers, a Core
select with date/service/status filters, a row formatter); `csv_export`,
`xlsx_export` and `pdf_export` stream one to a file. Reading a register needs the permission
pair ("can_export", "Register <name>").
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.extensions import appbuilder
from app.registers.base import Column, Filters, Register, RegisterError
from app.registers.definitions import REGISTERS, register_capability

__all__ = [
    "REGISTERS",
    "Column",
    "Filters",
    "Register",
    "RegisterError",
    "get_register",
    "may_read",
    "register_capability",
]


def get_register(name: str) -> Register:
    """The register called `name`; RegisterError(404) when there is none."""
    register = REGISTERS.get(name)
    if register is None:
        raise RegisterError(_l("Unknown register."), status=404)
    return register


def may_read(register: Register) -> bool:
    """Whether the current user (session or JWT) holds the register's permission."""
    return appbuilder().sm.has_access("can_export", register.permission_view)
