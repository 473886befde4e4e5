"""The counter's application form: fields generated from the service definition.

The applicant and institution blocks are the same for every service; the rest
comes from the service's FormField rows, so a new service's form needs no code.
Validation returns values ready for `app.workflow.create_case` plus one
Indonesian message per bad input, shown next to that input.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import case_input


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


def institution_fields() -> list[Field]:
    return [
        Field("institution.name", _("Institution / school name")),
        Field("institution.address", _("Institution address"), "textarea", required=False),
        Field("institution.license_no", _("Operating licence no."), required=False),
    ]


def service_fields(form_fields: Iterable[Any]) -> list[Field]:
    """Fields from FormField rows; labels come from the definition (Indonesian)."""
    return [
        Field(f"form.{f.name}", f.label, f.type, bool(f.required), list(f.choices or []))
        for f in form_fields
    ]


def validate(service: Any, data: Mapping[str, str]) -> tuple[dict, dict]:
    """(values as {"applicant", "institution", "form"}, errors by input name).

    The rules are the engine's (app.case_input), so the counter and the API
    accept and refuse exactly the same applications.
    """
    def group(prefix: str) -> dict:
        return {k.split(".", 1)[1]: v for k, v in data.items() if k.startswith(prefix + ".")}

    applicant, errors = case_input.validate_applicant(group("applicant"))
    institution, inst_errors = case_input.validate_institution(group("institution"))
    form, form_errors = case_input.validate_form(service.form_fields, group("form"))
    errors.update(inst_errors)
    errors.update({f"form.{name}": message for name, message in form_errors.items()})
    return {"applicant": applicant, "institution": institution, "form": form}, errors


BAP_RECOMMENDATIONS = (("memenuhi", _l("Meets the requirements")),
                       ("tidak_memenuhi", _l("Does not meet the requirements")))


def bap_data(data: Mapping[str, str]) -> dict:
    """The inspect step's `data` from the BAP form; the engine judges completeness."""
    team = [line.strip() for line in (data.get("team") or "").splitlines() if line.strip()]
    return {"report": {
        "date": (data.get("date") or "").strip(),
        "findings": (data.get("findings") or "").strip(),
        "recommendation": (data.get("recommendation") or "").strip(),
        "team": team,
    }}


def handover_data(data: Mapping[str, str]) -> dict:
    return {"received_by": (data.get("received_by") or "").strip(),
            "id_no": (data.get("id_no") or "").strip()}


def action_data(kind: Optional[str], action: str, data: Mapping[str, str]) -> Optional[dict]:
    """What `act` needs beside the action, by the kind of the current step."""
    if action != "forward":
        return None
    if kind == "inspect":
        return bap_data(data)
    if kind == "handover":
        return handover_data(data)
    return None
