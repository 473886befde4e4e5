"""Service definition format 1: validate a parsed document (pure, no database).

Every refusal names the file, the path inside it and the reason, e.g.
`td-bkk.yaml: steps[2].executors[0]: unknown executor 'tim_teknik'`. Nothing in
a file is silently dropped: an unknown key is an error like a missing one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.cases import step_kinds
from app.services.definition import (
    EDUCATION_MINIMUMS,
    FORMAT_VERSION,
    INSTITUTION_MODES,
    TIME_KEYS,
    DefinitionError,
    ExecutorDef,
    FieldDef,
    RequirementDef,
    ServiceDefinition,
    StepDef,
)
from models.service import (
    COMPONENT_KEYS,
    FIELD_TYPES,
    Executor,
    FormField,
    Requirement,
    Service,
    Step,
)

# The longest text a form field may be given a max_length of (what a Text column holds sensibly).
MAX_TEXT_LENGTH = 10_000

SERVICE_CODE_RE = re.compile(r"^[A-Z0-9-]+$")
# Executor and requirement codes and field names end up in URLs and form keys.
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER_PLACEHOLDERS = ("seq", "year", "month", "month_roman")

REQUIRED_TOP_KEYS = (
    "format",
    "code",
    "name",
    "product",
    "fee",
    "completion_working_days",
    "number_format",
    "standard",
    "executors",
    "requirements",
    "form",
    "steps",
)
TOP_KEYS = (*REQUIRED_TOP_KEYS, "institution", "certificate")
CERTIFICATE_KEYS = ("title", "body")
EXECUTOR_KEYS = ("code", "name", "applicant", "competency")
COMPETENCY_KEYS = ("education", "note")
REQUIREMENT_KEYS = ("code", "name", "required", "document")
FIELD_KEYS = ("name", "label", "type", "required", "choices", "min", "max", "max_length")
STEP_KEYS = ("no", "activity", "kind", "short", "executors", "input", *TIME_KEYS, "output", "returns_to")
SHORT_MAX = 60


class Checker:
    """Walks the document, keeping the file name for every refusal."""

    def __init__(self, filename: str):
        self.filename = filename

    def fail(self, path: str, reason: str) -> DefinitionError:
        return DefinitionError(self.filename, path, reason)

    def mapping(self, value: Any, path: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, _("must be a mapping"))
        for key in value:
            if key not in keys:
                raise self.fail(_join(path, str(key)), _("unknown key '%(key)s'", key=key))
        for key in required:
            if key not in value:
                raise self.fail(path, _("missing key '%(key)s'", key=key))
        return value

    def text(self, value: Any, path: str, column: Any = None) -> str:
        """Non-empty text; with a model column, no longer than the column holds."""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, _("must be non-empty text"))
        limit = getattr(getattr(column, "type", None), "length", None)
        if limit and len(value) > limit:
            raise self.fail(path, _("must be at most %(n)d characters", n=limit))
        return value

    def format_and_code(self, data: dict, column: Any) -> str:
        """The `format` (this loader's version) and `code` ([A-Z0-9-]+) every definition file starts with."""
        if data["format"] != FORMAT_VERSION or isinstance(data["format"], bool):
            raise self.fail(
                "format",
                _(
                    "unsupported format %(found)r; this loader reads format %(version)d",
                    found=data["format"],
                    version=FORMAT_VERSION,
                ),
            )
        code = self.text(data["code"], "code", column)
        if not SERVICE_CODE_RE.match(code):
            raise self.fail("code", _("'%(value)s' must match %(pattern)s", value=code, pattern="[A-Z0-9-]+"))
        return code

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, _("must be true or false"))
        return value

    def integer(self, value: Any, path: str, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, _("must be a whole number"))
        if value < minimum:
            raise self.fail(path, _("must be at least %(minimum)d", minimum=minimum))
        return value

    def sequence(self, value: Any, path: str, allow_empty: bool = False) -> list:
        if not isinstance(value, list):
            raise self.fail(path, _("must be a list"))
        if not value and not allow_empty:
            raise self.fail(path, _("must not be empty"))
        return value

    def name(self, value: Any, path: str, column: Any = None) -> str:
        value = self.text(value, path, column)
        if not NAME_RE.match(value):
            raise self.fail(path, _("'%(value)s' must match %(pattern)s", value=value, pattern="[a-z][a-z0-9_]*"))
        return value


def builtin_roles() -> tuple[str, str]:
    """FAB's administrator and anonymous roles: no definition may name them."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return ("Admin", "Public")
    return (current_app.config.get("AUTH_ROLE_ADMIN", "Admin"), current_app.config.get("AUTH_ROLE_PUBLIC", "Public"))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_number_format(c: Checker, value: Any) -> str:
    value = c.text(value, "number_format", Service.number_format)
    seen = set()
    try:
        for _literal, name, spec, conversion in string.Formatter().parse(value):
            if name is None:
                continue
            if name not in NUMBER_PLACEHOLDERS:
                raise c.fail(
                    "number_format",
                    _(
                        "unknown placeholder '%(name)s'; allowed: %(allowed)s",
                        name=f"{{{name}}}",
                        allowed=", ".join(NUMBER_PLACEHOLDERS),
                    ),
                )
            if conversion or (spec and name != "seq"):
                raise c.fail("number_format", _("placeholder '%(name)s' takes no format", name=f"{{{name}}}"))
            seen.add(name)
        value.format(seq=1, year=2026, month=1, month_roman="I")
    except ValueError as exc:
        if isinstance(exc, DefinitionError):
            raise
        raise c.fail("number_format", _("invalid format: %(error)s", error=exc)) from None
    if "seq" not in seen:
        raise c.fail("number_format", _("must contain '{seq}' so every number is unique"))
    return value


def _check_standard(c: Checker, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise c.fail("standard", _("must be a mapping"))
    result = {}
    for key, items in value.items():
        if key not in COMPONENT_KEYS:
            raise c.fail(
                f"standard.{key}",
                _("unknown component '%(key)s'; allowed: %(allowed)s", key=key, allowed=", ".join(COMPONENT_KEYS)),
            )
        items = c.sequence(items, f"standard.{key}")
        result[key] = tuple(c.text(item, f"standard.{key}[{i}]") for i, item in enumerate(items))
    return result


def _unique(c: Checker, path: str, message: Callable[[str], str], values: list[str]) -> None:
    seen: set = set()
    for i, v in enumerate(values):
        if v in seen:
            raise c.fail(f"{path}[{i}]", message(v))
        seen.add(v)


def _check_executors(c: Checker, value: Any) -> tuple[ExecutorDef, ...]:
    result = []
    for i, item in enumerate(c.sequence(value, "executors")):
        path = f"executors[{i}]"
        item = c.mapping(item, path, EXECUTOR_KEYS, ("code", "name"))
        education = note = None
        if "competency" in item:
            competency = c.mapping(item["competency"], f"{path}.competency", COMPETENCY_KEYS, ())
            if "education" in competency:
                education = c.text(competency["education"], f"{path}.competency.education")
                if education not in EDUCATION_MINIMUMS:
                    raise c.fail(
                        f"{path}.competency.education",
                        _(
                            "unknown education level '%(value)s'; allowed: %(allowed)s",
                            value=education,
                            allowed=", ".join(EDUCATION_MINIMUMS),
                        ),
                    )
            if "note" in competency:
                note = c.text(competency["note"], f"{path}.competency.note")
        name = c.text(item["name"], f"{path}.name", Executor.name)
        if name in builtin_roles():
            # FAB treats what Public holds as open to anonymous callers: never an executor.
            raise c.fail(f"{path}.name", _("'%(value)s' is a built-in role", value=name))
        result.append(
            ExecutorDef(
                code=c.name(item["code"], f"{path}.code", Executor.code),
                name=name,
                applicant=c.boolean(item.get("applicant", False), f"{path}.applicant"),
                education=education,
                competency_note=note,
            )
        )
    _unique(c, "executors", lambda v: _("duplicate executor code '%(value)s'", value=v), [e.code for e in result])
    _unique(c, "executors", lambda v: _("duplicate executor name '%(value)s'", value=v), [e.name for e in result])
    return tuple(result)


def _check_requirements(c: Checker, value: Any) -> tuple[RequirementDef, ...]:
    result = []
    for i, item in enumerate(c.sequence(value, "requirements", allow_empty=True)):
        path = f"requirements[{i}]"
        item = c.mapping(item, path, REQUIREMENT_KEYS, REQUIREMENT_KEYS)
        result.append(
            RequirementDef(
                code=c.name(item["code"], f"{path}.code", Requirement.code),
                name=c.text(item["name"], f"{path}.name"),
                required=c.boolean(item["required"], f"{path}.required"),
                document=c.boolean(item["document"], f"{path}.document"),
            )
        )
    _unique(c, "requirements", lambda v: _("duplicate requirement code '%(value)s'", value=v), [r.code for r in result])
    return tuple(result)


def _check_form(c: Checker, value: Any) -> tuple[FieldDef, ...]:
    result = []
    for i, item in enumerate(c.sequence(value, "form", allow_empty=True)):
        path = f"form[{i}]"
        item = c.mapping(item, path, FIELD_KEYS, ("name", "label", "type", "required"))
        ftype = c.text(item["type"], f"{path}.type")
        if ftype not in FIELD_TYPES:
            raise c.fail(
                f"{path}.type",
                _("unknown field type '%(type)s'; allowed: %(allowed)s", type=ftype, allowed=", ".join(FIELD_TYPES)),
            )
        choices = None
        if ftype == "choice":
            if "choices" not in item:
                raise c.fail(path, _("a choice field needs 'choices'"))
            raw = c.sequence(item["choices"], f"{path}.choices")
            choices = tuple(c.text(v, f"{path}.choices[{j}]") for j, v in enumerate(raw))
            _unique(c, f"{path}.choices", lambda v: _("duplicate choice '%(value)s'", value=v), list(choices))
        elif "choices" in item:
            raise c.fail(f"{path}.choices", _("only a choice field has choices, not a %(type)s field", type=ftype))
        result.append(
            FieldDef(
                name=c.name(item["name"], f"{path}.name", FormField.name),
                label=c.text(item["label"], f"{path}.label", FormField.label),
                type=ftype,
                required=c.boolean(item["required"], f"{path}.required"),
                choices=choices,
                **_check_bounds(c, item, path, ftype),
            )
        )
    _unique(c, "form", lambda v: _("duplicate field name '%(value)s'", value=v), [f.name for f in result])
    return tuple(result)


def _bound(c: Checker, value: Any, path: str, ftype: str) -> Any:
    if ftype == "date":
        try:
            return date.fromisoformat(value).isoformat() if isinstance(value, str) else _bad_date(c, path)
        except ValueError:
            return _bad_date(c, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) > 1e15:
        raise c.fail(path, _("must be a number"))
    if ftype == "integer" and value != int(value):
        raise c.fail(path, _("must be a whole number"))
    return value


def _bad_date(c: Checker, path: str) -> Any:
    raise c.fail(path, _("must be a date written YYYY-MM-DD"))


def _check_bounds(c: Checker, item: dict, path: str, ftype: str) -> dict:
    """min/max for integer, decimal and date fields; max_length for the text kinds."""
    bounds: dict[str, Any] = {}
    for key in ("min", "max"):
        if key in item:
            if ftype not in ("integer", "decimal", "date"):
                raise c.fail(
                    f"{path}.{key}",
                    _(
                        "only integer, decimal and date fields take '%(key)s', not a %(type)s field",
                        key=key,
                        type=ftype,
                    ),
                )
            bounds[key] = _bound(c, item[key], f"{path}.{key}", ftype)
    if "min" in bounds and "max" in bounds and bounds["max"] < bounds["min"]:
        raise c.fail(f"{path}.max", _("must not be below min"))
    if "max_length" in item:
        if ftype not in ("text", "email"):
            raise c.fail(
                f"{path}.max_length",
                _("only text and email fields take 'max_length', not a %(type)s field", type=ftype),
            )
        bounds["max_length"] = c.integer(item["max_length"], f"{path}.max_length", 1)
        if bounds["max_length"] > MAX_TEXT_LENGTH:
            raise c.fail(f"{path}.max_length", _("must be at most %(n)d", n=MAX_TEXT_LENGTH))
    return bounds


def _check_step(c: Checker, i: int, item: Any, executor_codes: dict[str, int]) -> StepDef:
    path = f"steps[{i}]"
    item = c.mapping(item, path, STEP_KEYS, ("no", "activity", "kind", "executors"))
    no = c.integer(item["no"], f"{path}.no", 1)
    kind = c.text(item["kind"], f"{path}.kind")
    if kind not in step_kinds.names():
        raise c.fail(
            f"{path}.kind",
            _("unknown step kind '%(kind)s'; allowed: %(allowed)s", kind=kind, allowed=", ".join(step_kinds.names())),
        )
    if not isinstance(item["executors"], list) or not item["executors"]:
        raise c.fail(f"{path}.executors", _("a step needs at least one executor"))
    codes = []
    for j, code in enumerate(item["executors"]):
        if code not in executor_codes:
            raise c.fail(f"{path}.executors[{j}]", _("unknown executor '%(code)s'", code=code))
        codes.append(code)
    _unique(c, f"{path}.executors", lambda v: _("executor '%(value)s' named twice", value=v), codes)
    # The database keeps a step's executors as a set; table order is the canonical order.
    codes.sort(key=executor_codes.__getitem__)
    times = [k for k in TIME_KEYS if k in item]
    if len(times) != 1:
        raise c.fail(
            path,
            _("needs exactly one of minutes, hours, working_days (found: %(found)s)", found=", ".join(times) or "-"),
        )
    time_key = times[0]
    returns_to = item.get("returns_to")
    if returns_to is not None:
        if returns_to == "applicant":
            pass
        elif isinstance(returns_to, bool) or not isinstance(returns_to, int):
            raise c.fail(f"{path}.returns_to", _("must be 'applicant' or the number of an earlier step"))
        elif not 1 <= returns_to < no:
            raise c.fail(
                f"{path}.returns_to",
                _("step %(no)d can only return to an earlier step, not %(to)d", no=no, to=returns_to),
            )
        returns_to = str(returns_to)
    optional_text = {k: c.text(item[k], f"{path}.{k}") if k in item else None for k in ("input", "output")}
    short = c.text(item["short"], f"{path}.short", Step.short) if "short" in item else None
    return StepDef(
        no=no,
        activity=c.text(item["activity"], f"{path}.activity"),
        kind=kind,
        executors=tuple(codes),
        time_key=time_key,
        time_value=c.integer(item[time_key], f"{path}.{time_key}", 1),
        returns_to=returns_to,
        short=short,
        **optional_text,
    )


def _check_steps(c: Checker, value: Any, executor_codes: dict[str, int]) -> tuple[StepDef, ...]:
    steps = [_check_step(c, i, item, executor_codes) for i, item in enumerate(c.sequence(value, "steps"))]
    _unique(c, "steps", lambda v: _("duplicate step number %(value)s", value=v), [str(s.no) for s in steps])
    for i, s in enumerate(steps):
        if s.no != i + 1:
            raise c.fail(
                f"steps[{i}].no", _("steps must be numbered 1..%(n)d in order; found %(no)d", n=len(steps), no=s.no)
            )
    return tuple(steps)


def validate(data: Any, filename: str) -> ServiceDefinition:
    """Check a parsed document; return the definition or raise DefinitionError."""
    c = Checker(filename)
    data = c.mapping(data, "", TOP_KEYS, REQUIRED_TOP_KEYS)
    code = c.format_and_code(data, Service.code)
    executors = _check_executors(c, data["executors"])
    return ServiceDefinition(
        code=code,
        name=c.text(data["name"], "name", Service.name),
        product=c.text(data["product"], "product", Service.product),
        fee=c.integer(data["fee"], "fee", 0),
        completion_working_days=c.integer(data["completion_working_days"], "completion_working_days", 1),
        number_format=_check_number_format(c, data["number_format"]),
        standard=_check_standard(c, data["standard"]),
        executors=executors,
        requirements=_check_requirements(c, data["requirements"]),
        form=_check_form(c, data["form"]),
        steps=_check_steps(c, data["steps"], {e.code: i for i, e in enumerate(executors)}),
        institution=_check_institution(c, data.get("institution", "required")),
        **_check_certificate(c, data.get("certificate")),
        filename=filename,
    )


def _check_institution(c: Checker, value: Any) -> str:
    if value not in INSTITUTION_MODES:
        raise c.fail("institution", _("must be one of %(allowed)s", allowed=", ".join(INSTITUTION_MODES)))
    return value


def _check_certificate(c: Checker, value: Any) -> dict:
    if value is None:
        return {}
    value = c.mapping(value, "certificate", CERTIFICATE_KEYS, ())
    return {
        "certificate_title": c.text(value["title"], "certificate.title", Service.certificate_title)
        if "title" in value
        else None,
        "certificate_body": c.text(value["body"], "certificate.body", Service.certificate_body)
        if "body" in value
        else None,
    }
