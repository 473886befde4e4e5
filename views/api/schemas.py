"""What every `/api/v1` call takes and answers, as OpenAPI 3.0 schemas (DESIGN.md "JSON API").

views/api/openapi.py turns this table and the app's url_map into the OpenAPI document:
the paths, methods and path parameters come from the routes themselves, the summary from
each view's docstring, and what is declared here adds bodies, query parameters, status
codes and who may call. A route under /api/v1 missing from `CALLS` is listed by
`openapi.undescribed()` and fails the spec test, so a new call cannot ship undescribed.

Answers are strict (every field required, no other field allowed): the test that validates
real answers against the document then fails as soon as a view and its description drift.
Vocabularies (statuses, document kinds, step kinds) are read from the code, never copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
# Datetimes are written by `isoformat()`: stored UTC values may carry no offset, so no `format`.
DATETIME: Schema = {"type": "string", "description": "ISO 8601 date and time"}
DATE: Schema = {"type": "string", "format": "date"}
BINARY: Schema = {"type": "string", "format": "binary"}
ANY_OBJECT: Schema = {"type": "object", "additionalProperties": True}


def nullable(schema: Schema) -> Schema:
    """`schema` or null (OpenAPI 3.0 spelling)."""
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def answer(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An answer object: every field but `optional` always present, nothing else allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
        "additionalProperties": False,
    }


def body(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    """A request object: the engine refuses unknown or bad values itself (422), so extra keys are allowed."""
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": True}
    if required:
        schema["required"] = list(required)
    return schema


def _vocabulary(enum_class: Any) -> Schema:
    return {"type": "string", "enum": [str(member.value) for member in enum_class]}


def components() -> dict[str, Schema]:
    """The named schemas of the document (built on call: vocabularies come from loaded modules)."""
    from app.cases import step_kinds
    from app.survey.ikm import ELEMENTS
    from models.case import CaseOutcome, CaseStatus
    from models.complaint import ComplaintChannel, ComplaintStatus

    case_status = _vocabulary(CaseStatus)
    person = {"nik": STRING, "name": STRING, "phone": nullable(STRING), "email": nullable(STRING)}
    summary = {
        "id": INTEGER,
        "registration_no": STRING,
        "service": STRING,
        "status": case_status,
        "status_label": STRING,
        "step": nullable(INTEGER),
        "due_at": nullable(DATETIME),
        "step_due_at": nullable(DATETIME),
        "version": INTEGER,
        "applicant": {**nullable(STRING), "description": "null when the caller may not see the applicant"},
        "institution": nullable(STRING),
    }
    scan = answer(
        {
            "id": INTEGER,
            "name": STRING,
            "size": INTEGER,
            "mime_type": {"type": "string", "enum": ["application/pdf", "image/jpeg", "image/png"]},
            "sha256": STRING,
        }
    )
    detail = {
        **summary,
        "applicant_details": nullable(answer({**person, "address": nullable(STRING)})),
        "identity_warnings": array(STRING),
        "identity_pending": BOOLEAN,
        "received_at": nullable(DATETIME),
        "certificate_no": nullable(STRING),
        "allowed_actions": array(STRING),
        "form": {**ANY_OBJECT, "description": "the application form; NIK fields masked but for the counter"},
        "requirements": array(
            answer(
                {
                    "code": STRING,
                    "name": STRING,
                    "required": BOOLEAN,
                    "document": BOOLEAN,
                    "checked": BOOLEAN,
                    "note": nullable(STRING),
                    "scans": array(answer({**scan["properties"], "name": STRING, "uploaded_at": nullable(DATETIME)})),
                }
            )
        ),
        "control_card": array(
            answer(
                {
                    "seq": INTEGER,
                    "step": INTEGER,
                    "kind": {"type": "string", "enum": list(step_kinds.names())},
                    "role": STRING,
                    "officer": nullable(STRING),
                    "initial": nullable(STRING),
                    "acting_as": nullable(STRING),
                    "received_at": nullable(DATETIME),
                    "acted_at": nullable(DATETIME),
                    "outcome": nullable(_vocabulary(CaseOutcome)),
                    "note": nullable(STRING),
                    "standard_minutes": nullable(INTEGER),
                    "spent_minutes": nullable(INTEGER),
                    "late": nullable(BOOLEAN),
                }
            )
        ),
    }
    # Only the counter (cases.register) reads the identity fields.
    counter_only = ("identity_warnings", "identity_pending")
    complaint = answer(
        {
            "id": INTEGER,
            "number": nullable(STRING),
            "channel": _vocabulary(ComplaintChannel),
            "status": _vocabulary(ComplaintStatus),
            "weight": nullable(STRING),
            "channel_label": STRING,
            "status_label": STRING,
            "weight_label": STRING,
            "complainant": answer(
                {
                    "name": nullable(STRING),
                    "phone": nullable(STRING),
                    "email": nullable(STRING),
                    "address": nullable(STRING),
                }
            ),
            "subject": nullable(STRING),
            "description": STRING,
            "case": {**nullable(STRING), "description": "registration number of the case complained about"},
            "received_at": nullable(DATETIME),
            "due_at": nullable(DATETIME),
            "late": BOOLEAN,
            "reply": nullable(STRING),
            "replied_at": nullable(DATETIME),
            "closed_at": nullable(DATETIME),
            "allowed_actions": array(STRING),
            "events": array(
                answer(
                    {"action": STRING, "actor": nullable(STRING), "at": nullable(DATETIME), "note": nullable(STRING)}
                )
            ),
        }
    )
    scores = answer({u: {"type": "integer", "minimum": 1, "maximum": 4} for u in ELEMENTS})
    index = {
        "respondents": INTEGER,
        "ikm": nullable(NUMBER),
        "grade": nullable(STRING),
    }
    return {
        "Error": {
            "type": "object",
            "description": "Every refusal: a message in the caller's language; 400/422 may name fields.",
            "properties": {
                "message": {
                    "oneOf": [STRING, ANY_OBJECT],
                    "description": "FAB's login answers a bad body with {field: [messages]}",
                },
                "errors": {"type": "object", "additionalProperties": STRING},
            },
            "required": ["message"],
            "additionalProperties": False,
        },
        "Login": body(
            {
                "username": STRING,
                "password": {"type": "string", "format": "password"},
                "provider": {"type": "string", "enum": ["db"]},
                "refresh": BOOLEAN,
            },
            required=("username", "password", "provider"),
        ),
        "Tokens": answer({"access_token": STRING, "refresh_token": STRING}, optional=("refresh_token",)),
        "AccessToken": answer({"access_token": STRING}),
        "Menu": answer({"result": array(ANY_OBJECT)}),
        "Service": answer(
            {
                "code": STRING,
                "name": STRING,
                "product": STRING,
                "fee": nullable(NUMBER),
                "completion_working_days": INTEGER,
                "active": BOOLEAN,
                "institution": {"type": "string", "enum": ["required", "optional", "none"]},
                "executors": array(answer({"code": STRING, "name": STRING, "applicant": BOOLEAN})),
                "requirements": array(
                    answer({"code": STRING, "name": STRING, "required": BOOLEAN, "document": BOOLEAN})
                ),
                "form": array(
                    answer(
                        {
                            "name": STRING,
                            "label": STRING,
                            "type": STRING,
                            "required": BOOLEAN,
                            "choices": nullable(array(STRING)),
                            "min": nullable({}),
                            "max": nullable({}),
                            "max_length": nullable(INTEGER),
                        }
                    )
                ),
                "steps": array(
                    answer(
                        {
                            "no": INTEGER,
                            "activity": STRING,
                            "short": nullable(STRING),
                            "kind": {"type": "string", "enum": list(step_kinds.names())},
                            "executors": array(STRING),
                            "input": nullable(STRING),
                            "output": nullable(STRING),
                            "time": answer(
                                {
                                    "unit": {"type": "string", "enum": ["minutes", "hours", "working_days"]},
                                    "value": NUMBER,
                                }
                            ),
                            "returns_to": {
                                "oneOf": [nullable(INTEGER), STRING],
                                "description": "a step number, `applicant`, or null",
                            },
                            "permission": {**array(STRING), "minItems": 2, "maxItems": 2},
                        }
                    )
                ),
            }
        ),
        "ServiceList": answer({"count": INTEGER, "result": array(ref("Service"))}),
        "NewCase": body(
            {
                "service": STRING,
                "applicant": body({**person, "address": STRING}, required=("nik", "name")),
                "institution": nullable(body({"name": STRING, "address": STRING, "license_no": STRING})),
                "form": ANY_OBJECT,
            },
            required=("service", "applicant"),
        ),
        "CaseSummary": answer(summary),
        "Worklist": answer({"count": INTEGER, "result": array(ref("CaseSummary"))}),
        "Case": answer(detail, optional=counter_only),
        "CreatedCase": answer(
            {
                **detail,
                "tracking_key": {**STRING, "description": "shown once; only its hash is stored"},
                "warnings": array(STRING),
            },
            optional=counter_only,
        ),
        "Check": body({"checked": BOOLEAN, "note": nullable(STRING)}, required=("checked",)),
        "Checked": answer({"requirement": STRING, "checked": BOOLEAN, "note": nullable(STRING)}),
        "Upload": {
            "type": "object",
            "properties": {"file": {**BINARY, "description": "PDF, JPEG or PNG, checked by content"}},
            "required": ["file"],
        },
        "Scan": scan,
        "Act": body(
            {
                "action": {"type": "string", "enum": ["forward", "return", "reject", "cancel"]},
                "version": {**INTEGER, "description": "the case's `version` as read; 409 when stale"},
                "note": nullable(STRING),
                "data": {**nullable(ANY_OBJECT), "description": "by the current step's kind (DESIGN.md)"},
            },
            required=("action", "version"),
        ),
        "ConfirmIdentity": body({"confirm": BOOLEAN}),
        "NewComplaint": body(
            {
                "channel": _vocabulary(ComplaintChannel),
                "complainant": ANY_OBJECT,
                "subject": STRING,
                "description": STRING,
                "case": nullable(STRING),
            },
            required=("description",),
        ),
        "Complaint": complaint,
        "ComplaintAct": body({"action": STRING, "data": nullable(ANY_OBJECT)}, required=("action",)),
        "SurveyAnswer": body(
            {
                "service": STRING,
                "date": DATE,
                "scores": body({u: {"type": "integer", "minimum": 1, "maximum": 4} for u in ELEMENTS}),
                "respondent": nullable(ANY_OBJECT),
                "suggestion": nullable(STRING),
            },
            required=("service", "scores"),
        ),
        "SurveyRecorded": answer({"id": INTEGER, "service": STRING, "date": STRING, "scores": scores}),
        "Ikm": answer(
            {
                **index,
                "weight": NUMBER,
                "nrr": {"type": "object", "additionalProperties": NUMBER},
                "elements": array(
                    answer(
                        {
                            "element": STRING,
                            "name": STRING,
                            "sum": INTEGER,
                            "nrr": NUMBER,
                            "score": NUMBER,
                            "grade": STRING,
                            "label": STRING,
                            "needs_follow_up": BOOLEAN,
                        }
                    )
                ),
                "label": nullable(STRING),
                "sources": array(STRING),
                "from": nullable(DATE),
                "to": nullable(DATE),
                "open_form": answer({**index, "counted_in_ikm": {"type": "boolean", "enum": [False]}, "note": STRING}),
            }
        ),
    }


@dataclass(frozen=True)
class Param:
    """A query parameter."""

    name: str
    schema: Schema
    description: str = ""


@dataclass(frozen=True)
class Call:
    """What one route takes and answers; its path, method and path parameters come from the route.

    `answers` maps a status to a schema name (JSON), or to {media type: schema} for files.
    `errors` are the refusals it may answer, each with the Error body.
    `auth`: "bearer" (a token from the login), "bearer_or_session" (also a browser's
    session, for links in pages), "refresh" (a refresh token) or "none".
    `path` gives a path parameter a schema read from the code when the document is built.
    """

    tag: str
    answers: dict[int, str | dict[str, Schema]]
    errors: tuple[int, ...] = (401, 403)
    request: dict[str, str] = field(default_factory=dict)
    query: tuple[Param, ...] = ()
    auth: str = "bearer"
    description: str = ""
    path: dict[str, Callable[[], Schema]] = field(default_factory=dict)


PDF = {"application/pdf": BINARY}


def _document_kinds() -> Schema:
    from views.cases.documents import CASE_DOCUMENTS

    return {"type": "string", "enum": sorted(CASE_DOCUMENTS)}


def _register_names() -> Schema:
    from app.registers import REGISTERS

    return {"type": "string", "enum": sorted(REGISTERS)}


_period = (
    Param("from", DATE, "first day (inclusive)"),
    Param("to", DATE, "last day (inclusive)"),
)

# Keyed by Flask endpoint (the API class name, a dot, the view method).
CALLS: dict[str, Call] = {
    "SecurityApi.login": Call(
        "Security",
        {200: "Tokens"},
        errors=(400, 401, 429),
        request={"application/json": "Login"},
        auth="none",
        description="A bearer token for every other call; 429 after too many failed attempts.",
    ),
    "SecurityApi.refresh": Call("Security", {200: "AccessToken"}, errors=(401,), auth="refresh"),
    "MenuApi.get_menu_data": Call("Security", {200: "Menu"}, errors=(401, 403), auth="bearer_or_session"),
    "OpenApiView.document": Call("Documentation", {200: {"application/json": ANY_OBJECT}}, auth="bearer_or_session"),
    "ServiceApi.get_list": Call("Services", {200: "ServiceList"}),
    "CaseApi.create": Call(
        "Cases",
        {201: "CreatedCase"},
        errors=(400, 401, 403, 422),
        request={"application/json": "NewCase"},
    ),
    "CaseApi.worklist": Call(
        "Cases",
        {200: "Worklist"},
        errors=(400, 401, 403),
        query=(Param("status", STRING, "a case status"), Param("service", STRING, "a service code")),
    ),
    "CaseApi.show": Call("Cases", {200: "Case"}, errors=(401, 403, 404)),
    "CaseApi.requirement": Call(
        "Cases",
        {200: "Checked", 201: "Scan"},
        errors=(400, 401, 403, 404, 409, 413, 422),
        request={"application/json": "Check", "multipart/form-data": "Upload"},
        description="JSON ticks the checklist line (200); multipart stores its scan (201).",
    ),
    "CaseApi.confirm_identity": Call(
        "Cases",
        {200: "Case"},
        errors=(400, 401, 403, 404, 409, 422),
        request={"application/json": "ConfirmIdentity"},
    ),
    "CaseApi.act": Call(
        "Cases",
        {200: "Case"},
        errors=(400, 401, 403, 404, 409, 422),
        request={"application/json": "Act"},
        description="403 when the caller's roles do not hold the current step, 409 on a stale version, "
        "422 when the step's needs are unmet.",
    ),
    "CaseApi.document": Call(
        "Cases",
        {200: PDF},
        errors=(401, 403, 404, 422),
        auth="bearer_or_session",
        description="`certificate` is the KONSEP draft from the draft step until numbering, then the certificate.",
        path={"kind": _document_kinds},
    ),
    "CaseApi.scan": Call(
        "Cases",
        {200: {"application/pdf": BINARY, "image/jpeg": BINARY, "image/png": BINARY}},
        errors=(401, 403, 404),
        auth="bearer_or_session",
    ),
    "ComplaintApi.post": Call(
        "Complaints", {201: "Complaint"}, errors=(400, 401, 403, 422), request={"application/json": "NewComplaint"}
    ),
    "ComplaintApi.get": Call("Complaints", {200: "Complaint"}, errors=(401, 403, 404)),
    "ComplaintApi.act": Call(
        "Complaints",
        {200: "Complaint"},
        errors=(400, 401, 403, 404, 409, 422),
        request={"application/json": "ComplaintAct"},
    ),
    "RegistersApi.export": Call(
        "Registers",
        {
            200: {
                "text/csv": BINARY,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": BINARY,
                "application/pdf": BINARY,
            }
        },
        errors=(400, 401, 403, 404),
        query=(
            Param("format", {"type": "string", "enum": ["csv", "xlsx", "pdf"], "default": "csv"}),
            *_period,
            Param("service", STRING, "a service code"),
            Param("status", STRING),
            Param("sep", {"type": "string", "enum": ["comma", "semicolon", ",", ";"]}, "CSV separator"),
        ),
        auth="bearer_or_session",
        path={"name": _register_names},
    ),
    "SurveyApi.post": Call(
        "Surveys", {201: "SurveyRecorded"}, errors=(400, 401, 403, 422), request={"application/json": "SurveyAnswer"}
    ),
    "SurveyApi.ikm": Call(
        "Surveys",
        {200: "Ikm"},
        errors=(401, 403, 422),
        query=(Param("service", STRING, "a service code"), *_period),
    ),
}
