"""The office definition, format 1: validate, load, export, and read the loaded office.

One YAML file describes the office that runs the services (DESIGN.md "Office
definition"): letterhead, contact lines, time zone, office hours, the head and
the office roles with their capabilities. The same rules as a service file:
every refusal names file, path and reason; nothing is written on bad input;
loading the same file twice changes nothing; `export` writes it back.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from datetime import time
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit
from app.core.extensions import db
from app.core.timezone import configured_zone
from app.core.timezone import forget as forget_zone
from app.security import capabilities
from app.services.definition import FORMAT_VERSION, DefinitionError
from app.services.schema import Checker, builtin_roles
from app.services.yaml_format import dump, read_file
from models import Office, OfficeHours, Service

OFFICES_DIR = Path(__file__).resolve().parent / "definitions"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TOP_KEYS = (
    "format",
    "code",
    "name",
    "short_name",
    "letterhead",
    "emblem",
    "address",
    "city",
    "phone",
    "fax",
    "email",
    "website",
    "timezone",
    "office_hours",
    "head",
    "document_numbers",
    "roles",
)
REQUIRED = (
    "format",
    "code",
    "name",
    "short_name",
    "address",
    "city",
    "phone",
    "timezone",
    "office_hours",
    "head",
    "roles",
)
OPTIONAL_TEXT = ("fax", "email", "website")
HEAD_KEYS = ("title", "role", "signature")
# An emblem is a small logo; a bigger file is a mistake (and would bloat every PDF).
EMBLEM_MAX_BYTES = 1024 * 1024
HOURS_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")

__all__ = ["DefinitionError", "current_office", "export", "load", "load_file", "validate"]


def validate(data: Any, filename: str) -> dict:
    """Check a parsed office document; return its canonical form or raise DefinitionError."""
    c = Checker(filename)
    data = c.mapping(data, "", TOP_KEYS, REQUIRED)
    code = c.format_and_code(data, Office.code)
    doc: dict[str, Any] = {"format": FORMAT_VERSION, "code": code}
    for key in ("name", "short_name"):
        doc[key] = c.text(data[key], key, getattr(Office, key))
    lines = c.sequence(data.get("letterhead", []), "letterhead", allow_empty=True)
    if lines:
        doc["letterhead"] = [c.text(line, f"letterhead[{i}]") for i, line in enumerate(lines)]
    if "emblem" in data:
        doc["emblem"] = _check_emblem(c, data["emblem"])
    for key in ("address", "city", "phone"):
        doc[key] = c.text(data[key], key, getattr(Office, key))
    for key in OPTIONAL_TEXT:
        if key in data:
            doc[key] = c.text(data[key], key, getattr(Office, key, None))
    doc["timezone"] = _check_timezone(c, data["timezone"])
    doc["office_hours"] = _check_hours(c, data["office_hours"])
    roles = _check_roles(c, data["roles"])
    head = c.mapping(data["head"], "head", HEAD_KEYS, ("title", "role"))
    doc["head"] = {
        "title": c.text(head["title"], "head.title", Office.head_title),
        "role": c.text(head["role"], "head.role", Office.head_role),
    }
    if doc["head"]["role"] not in roles:
        raise c.fail("head.role", _("'%(value)s' is not one of the office's roles", value=doc["head"]["role"]))
    if "signature" in head:
        doc["head"]["signature"] = c.text(head["signature"], "head.signature", Office.head_signature)
    if "document_numbers" in data:
        doc["document_numbers"] = _check_document_numbers(c, data["document_numbers"])
    doc["roles"] = roles
    return doc


def _check_document_numbers(c: Checker, value: Any) -> dict[str, str]:
    """{document kind: number format}; a kind not given keeps its default (app.cases.numbering)."""
    from app.cases.numbering import DOCUMENT_KINDS, NUMBER_PLACEHOLDERS

    if not isinstance(value, dict) or not value:
        raise c.fail("document_numbers", _("must be a mapping"))
    result = {}
    for kind, text in value.items():
        path = f"document_numbers.{kind}"
        if kind not in DOCUMENT_KINDS:
            raise c.fail(path, _("unknown key '%(key)s'", key=kind))
        text = c.text(text, path, Service.number_format)
        seen = set()
        try:
            for _literal, name, spec, conversion in string.Formatter().parse(text):
                if name is None:
                    continue
                if name not in NUMBER_PLACEHOLDERS:
                    raise c.fail(
                        path,
                        _(
                            "unknown placeholder '%(name)s'; allowed: %(allowed)s",
                            name=f"{{{name}}}",
                            allowed=", ".join(NUMBER_PLACEHOLDERS),
                        ),
                    )
                if conversion or (spec and name != "seq"):
                    raise c.fail(path, _("placeholder '%(name)s' takes no format", name=f"{{{name}}}"))
                seen.add(name)
            text.format(seq=1, year=2026, month="01", month_roman="I", code="X")
        except ValueError as exc:
            if isinstance(exc, DefinitionError):
                raise
            raise c.fail(path, _("invalid format: %(error)s", error=exc)) from None
        # Each service counts its own sequence, so the service code keeps numbers apart.
        for needed in ("seq", "code"):
            if needed not in seen:
                raise c.fail(path, _("must contain '%(name)s' so every number is unique", name=f"{{{needed}}}"))
        result[kind] = text
    return result


def emblem_path(value: str) -> Path:
    """Where an `emblem:` value points: an absolute path, or one relative to the definitions folder."""
    path = Path(value)
    return path if path.is_absolute() else OFFICES_DIR / path


def emblem_kind(data: bytes) -> str | None:
    """'png' or 'jpeg' from the file's signature (not its name), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def _check_emblem(c: Checker, value: Any) -> str:
    # Checked at load so a letterhead never silently prints without its emblem
    # because of a typo; the documents read the file again when they render.
    value = c.text(value, "emblem", Office.emblem)
    path = emblem_path(value)
    try:
        with path.open("rb") as fh:
            data = fh.read(EMBLEM_MAX_BYTES + 1)
    except OSError:
        raise c.fail("emblem", _("no image file at '%(value)s'", value=str(path))) from None
    if len(data) > EMBLEM_MAX_BYTES:
        raise c.fail("emblem", _("the image must be at most %(n)d KB", n=EMBLEM_MAX_BYTES // 1024))
    if emblem_kind(data) is None:
        raise c.fail("emblem", _("must be a PNG or JPEG image"))
    return value


def _check_timezone(c: Checker, value: Any) -> str:
    value = c.text(value, "timezone")
    # Every clock of the system (SLA, numbering year, registers) runs in the
    # configured zone; an office file that says otherwise would be silently wrong.
    configured = configured_zone()
    if value != configured:
        raise c.fail(
            "timezone", _("this installation runs in %(zone)s; found '%(value)s'", zone=configured, value=value)
        )
    return value


def _check_hours(c: Checker, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise c.fail("office_hours", _("must be a mapping"))
    if not value:
        raise c.fail("office_hours", _("must not be empty"))
    result = {}
    for day in value:
        if day not in WEEKDAYS:
            raise c.fail(
                f"office_hours.{day}",
                _("unknown day '%(key)s'; allowed: %(allowed)s", key=day, allowed=", ".join(WEEKDAYS)),
            )
    for day in WEEKDAYS:
        if day not in value:
            continue
        text = value[day]
        match = HOURS_RE.match(text) if isinstance(text, str) else None
        if match is None:
            raise c.fail(f"office_hours.{day}", _("must be 'HH:MM-HH:MM', e.g. '07:30-16:00'"))
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        if (h2, m2) <= (h1, m1):
            raise c.fail(f"office_hours.{day}", _("the office must close after it opens"))
        result[day] = text
    return result


def _check_roles(c: Checker, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not value:
        raise c.fail("roles", _("must be a mapping of role names to capabilities"))
    result = {}
    for role, caps in value.items():
        path = f"roles.{role}"
        role = c.text(role, path)
        if len(role) > 64:
            raise c.fail(path, _("must be at most %(n)d characters", n=64))
        if role in builtin_roles():
            raise c.fail(path, _("'%(value)s' is a built-in role", value=role))
        caps = c.sequence(caps, path)
        for i, cap in enumerate(caps):
            if not isinstance(cap, str) or cap not in capabilities.CAPABILITIES:
                raise c.fail(
                    f"{path}[{i}]",
                    _(
                        "unknown capability '%(value)s'; known: %(known)s",
                        value=cap,
                        known=", ".join(capabilities.CAPABILITIES),
                    ),
                )
        if len(set(caps)) != len(caps):
            raise c.fail(path, _("a capability is named twice"))
        result[role] = list(caps)
    return result


def _hash(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def load_file(path: str | Path, replace: bool = False) -> Office:
    """Read, validate and load one office file."""
    return load(*read_file(Path(path)), replace=replace)


def load(data: Any, filename: str, replace: bool = False) -> Office:
    """Validate and store the office; its hours and role grants in the same transaction.

    An installation runs one office: a file with another code replaces the
    loaded one only when asked to (`replace`), never by surprise.
    """
    from app.security.roles import revoke_capabilities, sync_in_transaction

    doc = validate(data, filename)
    try:
        office = loaded_office()
        if office is not None and office.code != doc["code"]:
            if not replace:
                raise DefinitionError(
                    filename,
                    "code",
                    _(
                        "this installation runs the office '%(loaded)s'; to replace it by '%(code)s' load the file "
                        "with --replace",
                        loaded=office.code,
                        code=doc["code"],
                    ),
                )
            office.code = doc["code"]
        if office is not None and _hash(document(office)) == _hash(doc):
            return office
        before = document(office) if office is not None else None
        old_roles = dict(office.roles) if office is not None else {}
        if office is None:
            office = Office(code=doc["code"])
            db.session.add(office)
        _apply(office, doc)
        db.session.flush()
        sync_in_transaction()
        revoke_capabilities(old_roles, doc["roles"])
        audit.record("office.load", "Office", office.id, before=before, after=doc)
        db.session.commit()
        _forget()
        return office
    except Exception:
        db.session.rollback()
        raise


def _apply(office: Office, doc: dict) -> None:
    for key in ("name", "short_name", "address", "city", "phone", "timezone"):
        setattr(office, key, doc[key])
    for key in OPTIONAL_TEXT:
        setattr(office, key, doc.get(key))
    office.letterhead = list(doc.get("letterhead", []))
    office.emblem = doc.get("emblem")
    office.head_title = doc["head"]["title"]
    office.head_role = doc["head"]["role"]
    office.head_signature = doc["head"].get("signature") or doc["head"]["title"]
    office.roles = {role: list(caps) for role, caps in doc["roles"].items()}
    office.document_numbers = dict(doc.get("document_numbers", {}))
    office.definition_hash = _hash(doc)
    wanted = {WEEKDAYS.index(day): _hours(text) for day, text in doc["office_hours"].items()}
    rows = {row.weekday: row for row in db.session.scalars(select(OfficeHours))}
    for weekday, row in rows.items():
        if weekday not in wanted:
            db.session.delete(row)
    for weekday, (opens, closes) in wanted.items():
        row = rows.get(weekday) or OfficeHours(weekday=weekday)
        row.opens, row.closes = opens, closes
        db.session.add(row)


def _hours(text: str) -> tuple[time, time]:
    opens, closes = text.split("-")
    return time.fromisoformat(opens), time.fromisoformat(closes)


def document(office: Office) -> dict:
    """The canonical document of the stored office (office hours as the calendar holds them now)."""
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "code": office.code,
        "name": office.name,
        "short_name": office.short_name,
    }
    if office.letterhead:
        doc["letterhead"] = list(office.letterhead)
    if office.emblem:
        doc["emblem"] = office.emblem
    doc.update({"address": office.address, "city": office.city, "phone": office.phone})
    for key in OPTIONAL_TEXT:
        if getattr(office, key):
            doc[key] = getattr(office, key)
    doc["timezone"] = office.timezone
    hours = {row.weekday: row for row in db.session.scalars(select(OfficeHours).order_by(OfficeHours.weekday))}
    doc["office_hours"] = {WEEKDAYS[d]: f"{r.opens:%H:%M}-{r.closes:%H:%M}" for d, r in sorted(hours.items())}
    doc["head"] = {"title": office.head_title, "role": office.head_role}
    if office.head_signature and office.head_signature != office.head_title:
        doc["head"]["signature"] = office.head_signature
    if office.document_numbers:
        doc["document_numbers"] = dict(office.document_numbers)
    doc["roles"] = {role: list(caps) for role, caps in (office.roles or {}).items()}
    return doc


def export() -> str:
    """The loaded office as a format-1 YAML document."""
    office = loaded_office()
    if office is None:
        raise LookupError(_("No office is loaded; run `flask bootstrap` or `flask office load FILE`."))
    return dump(document(office))


def loaded_office() -> Office | None:
    """The installation's one office row, or None before one is loaded."""
    return db.session.scalar(select(Office).order_by(Office.id).limit(1))


def office_roles() -> dict[str, list[str]]:
    """{role name: capabilities} of the loaded office; empty before one is loaded."""
    office = loaded_office()
    return dict(office.roles or {}) if office is not None else {}


class OfficeInfo(dict):
    """What pages and documents print of the office; attribute access for templates."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def fallback_office() -> OfficeInfo:
    """Before `flask bootstrap` pages still render: a neutral name, no contact lines."""
    name = current_app.config.get("APP_NAME", "SP-Backoffice")
    return OfficeInfo(
        code="",
        name=name,
        short_name=name,
        letterhead=[],
        emblem=None,
        address="",
        city="",
        phone="",
        fax=None,
        email=None,
        website=None,
        head_title="",
        head_signature="",
        head_role="",
        document_numbers={},
    )


def _info(office: Office | None) -> OfficeInfo:
    if office is None:
        return fallback_office()
    return OfficeInfo(
        code=office.code,
        name=office.name,
        short_name=office.short_name,
        letterhead=list(office.letterhead or []),
        emblem=office.emblem,
        address=office.address,
        city=office.city,
        phone=office.phone,
        fax=office.fax,
        email=office.email,
        website=office.website,
        head_title=office.head_title,
        head_signature=office.head_signature,
        head_role=office.head_role,
        document_numbers=dict(office.document_numbers or {}),
    )


def current_office() -> OfficeInfo:
    """The loaded office, read once per request."""
    if has_request_context() and "sp_office" in g:
        return g.sp_office
    info = _info(loaded_office())
    if has_request_context():
        g.sp_office = info
    return info


def _forget() -> None:
    forget_zone()
    if has_request_context():
        g.pop("sp_office", None)
