"""The counter's new application: a form generated from the service definition.

The applicant and institution blocks are the same for every service; the rest
comes from the service's FormField rows, so a new service's form needs no code.
Validation returns values ready for `app.cases.workflow.create_case` plus one
Indonesian message per bad input, shown next to that input. The tracking key
is never stored in plain text: the database keeps its hash, and the session
carries it sealed (`seal_key`) once to the case page and once to the
printable receipt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.applicants import profiles as applicant_profiles
from app.cases import input as case_input
from app.cases import workflow
from app.cases.step_kinds import StepKind
from app.core.extensions import db
from app.core.urls import public_base_url
from app.security import capabilities as cap
from models import Case, Service
from views.cases.display import case_or_abort, current_officer, flash_refusal

RECEIPT_KEY = "case_receipt"  # shown once on the case page
PRINT_KEY = "case_receipt_print"  # then printable once
RECEIPT_TTL_SECONDS = 30 * 60  # a receipt not printed within half an hour is gone

# The session cookie is signed, not encrypted: anyone holding it (a shared
# counter PC, a proxy log, a browser extension) could read a plain key there.
# We cannot re-issue a fresh key at print time (the officer has already read
# the first one out) nor keep it server-side without a table for a value that
# lives minutes, so the key travels encrypted with a key derived from
# SECRET_KEY and bound to the case and the moment it was sealed. No
# cryptography library ships with the app, so the cipher is HMAC-SHA256 as a
# pseudo-random function in counter mode under a fresh random nonce (a
# standard PRF-CTR stream cipher); the session's own signature already
# protects the value against tampering, and the seal also expires.


def _receipt_subkey() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"sp-backoffice receipt tracking key v1", hashlib.sha256).digest()


def _keystream(nonce: bytes, context: bytes, length: int) -> bytes:
    key, out, block = _receipt_subkey(), b"", 0
    while len(out) < length:
        out += hmac.new(key, nonce + context + block.to_bytes(4, "big"), hashlib.sha256).digest()
        block += 1
    return out[:length]


def seal_key(case_id: int, key: str) -> str:
    """The tracking key encrypted for the session, valid RECEIPT_TTL_SECONDS."""
    nonce = secrets.token_bytes(16)
    plain = json.dumps({"k": key, "t": int(time.time())}).encode()
    stream = _keystream(nonce, str(case_id).encode(), len(plain))
    return base64.urlsafe_b64encode(nonce + bytes(a ^ b for a, b in zip(plain, stream, strict=False))).decode()


def open_key(case_id: int, sealed: Any) -> str | None:
    """The plain key back from `seal_key` for the same case; None when expired or not ours."""
    try:
        raw = base64.urlsafe_b64decode(str(sealed).encode())
        nonce, body = raw[:16], raw[16:]
        stream = _keystream(nonce, str(case_id).encode(), len(body))
        data = json.loads(bytes(a ^ b for a, b in zip(body, stream, strict=False)))
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or time.time() - int(data.get("t", 0)) > RECEIPT_TTL_SECONDS:
        return None
    return str(data.get("k") or "") or None


def receipt_for(case: Case, stored: Any) -> dict | None:
    """The receipt to show from a session entry: case, number and the unsealed key; None otherwise."""
    if not isinstance(stored, dict) or stored.get("case_id") != case.id:
        return None
    key = open_key(case.id, stored.get("sealed"))
    if key is None:
        return None
    return {"case_id": case.id, "registration_no": stored.get("registration_no"), "key": key}


@dataclass
class Field:
    """One input of the form, as the template renders it."""

    name: str  # the HTML name: "<group>.<key>"
    label: str
    type: str = "text"
    required: bool = True
    choices: list = field(default_factory=list)
    help: str = ""

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def input_type(self) -> str:
        return {"date": "date", "email": "email", "phone": "tel", "integer": "number"}.get(self.type, "text")


def applicant_fields() -> list[Field]:
    return [
        Field("applicant.nik", _("NIK (16 digits)"), "nik"),
        Field("applicant.name", _("Applicant name")),
        Field("applicant.phone", _("Mobile number"), "phone", help=_("For the SMS when the product is ready")),
        Field("applicant.email", _("Email"), "email", required=False),
        Field("applicant.address", _("Address"), "textarea"),
    ]


def institution_fields(mode: str = "required") -> list[Field]:
    """The institution block as the service asks for it; none for `institution: none`."""
    if mode == "none":
        return []
    return [
        Field("institution.name", _("Institution / school name"), required=mode == "required"),
        Field("institution.address", _("Institution address"), "textarea", required=False),
        Field("institution.license_no", _("Operating licence no."), required=False),
    ]


def service_fields(form_fields: Iterable[Any]) -> list[Field]:
    """Fields from FormField rows; labels come from the definition (Indonesian)."""
    return [Field(f"form.{f.name}", f.label, f.type, bool(f.required), list(f.choices or [])) for f in form_fields]


def validate(service: Any, data: Mapping[str, str]) -> tuple[dict, dict]:
    """(values as {"applicant", "institution", "form"}, errors by input name).

    The rules are the engine's (app.cases.input), so the counter and the API
    accept and refuse exactly the same applications.
    """

    def group(prefix: str) -> dict:
        return {k.split(".", 1)[1]: v for k, v in data.items() if k.startswith(prefix + ".")}

    applicant, errors = case_input.validate_applicant(group("applicant"))
    institution, inst_errors = case_input.validate_institution(group("institution"), service.institution)
    form, form_errors = case_input.validate_form(service.form_fields, group("form"))
    errors.update(inst_errors)
    errors.update({f"form.{name}": message for name, message in form_errors.items()})
    return {"applicant": applicant, "institution": institution, "form": form}, errors


BAP_RECOMMENDATIONS = (
    ("memenuhi", _l("Meets the requirements")),
    ("tidak_memenuhi", _l("Does not meet the requirements")),
)


def action_data(kind: StepKind | None, action: str, data: Mapping[str, str]) -> dict | None:
    """What `act` needs beside the action: the current step's kind reads its own form fields."""
    if action != "forward" or kind is None:
        return None
    return kind.read_form(data)


class NewApplicationView(BaseView):
    """Registering an application at the counter."""

    route_base = "/cases"
    # Named like its menu entry so the same grant opens the menu item.
    class_permission_name = "New application"
    method_permission_name = {"index": "add", "new": "add", "receipt": "add"}
    default_view = "index"
    capability_grants = {"can_add": [cap.CASES_REGISTER, cap.CASES_APPLY]}

    @expose("/new/")
    @has_access
    def index(self):
        """The services an application can be received for."""
        services = db.session.scalars(sa.select(Service).where(Service.active).order_by(Service.code)).all()
        return self.render_template("cases/choose_service.html", services=services)

    @expose("/new/<code>", methods=["GET", "POST"])
    @has_access
    def new(self, code: str):
        """The generated application form; valid input opens the case at step 1."""
        service = db.session.scalar(sa.select(Service).where(Service.code == code, Service.active))
        if service is None:
            abort(404)
        fields = {
            "applicant": applicant_fields(),
            "institution": institution_fields(service.institution),
            "form": service_fields(service.form_fields),
        }
        errors: dict[str, str] = {}
        if request.method == "POST":
            values, errors = validate(service, request.form)
            if not errors:
                try:
                    case = workflow.create_case(
                        service, values["applicant"], values["institution"], values["form"], current_officer()
                    )
                except workflow.WorkflowError as error:
                    flash_refusal(error)
                    errors = dict(error.errors)
                else:
                    if workflow.is_applicant_user(current_officer()):
                        # Reused on the next application (app.applicants.profiles).
                        applicant_profiles.remember_institution(current_officer(), values["institution"])
                    self._remember_receipt(case)
                    return redirect(url_for("CaseView.show", case_id=case.id))
            else:
                flash(_("The application was not saved: correct the marked fields."), "danger")
        # A GET starts from the applicant's record and institution (own data, or the counter's NIK search).
        start = applicant_profiles.prefill(current_officer(), request.args, service) if request.method == "GET" else {}
        return self.render_template(
            "cases/new.html",
            service=service,
            fields=fields,
            errors=errors,
            data=start.get("data", {}) if request.method == "GET" else request.form,
            institution_choices=start.get("choices") or [],
            institution_chosen=start.get("chosen"),
            institution_param=start.get("param"),
        )

    @staticmethod
    def _remember_receipt(case: Case) -> None:
        # `case.tracking_key` exists in plain text only now; the database keeps its hash.
        session[RECEIPT_KEY] = {
            "case_id": case.id,
            "registration_no": case.registration_no,
            "sealed": seal_key(case.id, case.tracking_key),
        }
        flash(_("Application %(no)s registered.", no=case.registration_no), "success")
        for warning in getattr(case, "identity_warnings", None) or ():
            flash(warning, "warning")

    @expose("/<int:case_id>/receipt")
    @has_access
    def receipt(self, case_id: int):
        """The printable receipt with the tracking key, only right after registration."""
        case = case_or_abort(case_id)
        receipt = receipt_for(case, session.get(PRINT_KEY))
        if receipt is None:
            flash(_("The receipt with the tracking key can only be printed right after registration."), "warning")
            return redirect(url_for("CaseView.show", case_id=case.id))
        session.pop(PRINT_KEY)
        return self.render_template("cases/receipt.html", case=case, receipt=receipt, public_base_url=public_base_url())
