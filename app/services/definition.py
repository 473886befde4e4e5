"""Service definition format 1 as data: the parsed, checked definition and its canonical form."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from models.service import COMPONENT_KEYS, INSTITUTION_MODES  # noqa: F401  (re-exported)

FORMAT_VERSION = 1
TIME_KEYS = ("minutes", "hours", "working_days")
EDUCATION_MINIMUMS = ("SMA", "D3", "S1", "S2")


class DefinitionError(ValueError):
    """A service definition that cannot be loaded; the message says where and why."""

    def __init__(self, filename: str, path: str, reason: str):
        self.filename, self.path, self.reason = filename, path, reason
        where = f"{filename}: {path}: " if path else f"{filename}: "
        super().__init__(where + reason)


@dataclass(frozen=True)
class ExecutorDef:
    code: str
    name: str
    applicant: bool = False
    # The minimum the standard asks of this executor's officers (competency-gap report).
    education: str | None = None
    competency_note: str | None = None


@dataclass(frozen=True)
class RequirementDef:
    code: str
    name: str
    required: bool
    document: bool


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: str
    required: bool
    choices: tuple[str, ...] | None = None
    # Bounds: numbers for integer/decimal, ISO dates for date fields; max_length for text.
    min: Any | None = None
    max: Any | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class StepDef:
    no: int
    activity: str
    kind: str
    executors: tuple[str, ...]
    time_key: str
    time_value: int
    input: str | None = None
    output: str | None = None
    returns_to: str | None = None  # 'applicant' or the number of an earlier step, as text
    short: str | None = None


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    name: str
    product: str
    fee: int
    completion_working_days: int
    number_format: str
    standard: dict[str, tuple[str, ...]]
    executors: tuple[ExecutorDef, ...]
    requirements: tuple[RequirementDef, ...]
    form: tuple[FieldDef, ...]
    steps: tuple[StepDef, ...]
    institution: str = "required"
    certificate_title: str | None = None
    certificate_body: str | None = None
    filename: str = field(default="", compare=False)

    def to_document(self) -> dict:
        """The canonical document: what `export` writes and what the hash covers."""
        return canonical_document(self)

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical document: comments and layout do not count."""
        text = json.dumps(self.to_document(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_document(d: ServiceDefinition) -> dict:
    """Keys in the order of the DESIGN example; optional keys only where they say something."""
    steps = []
    for s in d.steps:
        step: dict[str, Any] = {"no": s.no, "activity": s.activity, "kind": s.kind, "executors": list(s.executors)}
        if s.short is not None:
            step["short"] = s.short
        if s.input is not None:
            step["input"] = s.input
        step[s.time_key] = s.time_value
        if s.output is not None:
            step["output"] = s.output
        if s.returns_to is not None:
            step["returns_to"] = s.returns_to if s.returns_to == "applicant" else int(s.returns_to)
        steps.append(step)
    form = []
    for f in d.form:
        item: dict[str, Any] = {"name": f.name, "label": f.label, "type": f.type, "required": f.required}
        if f.choices is not None:
            item["choices"] = list(f.choices)
        item.update({k: getattr(f, k) for k in ("min", "max", "max_length") if getattr(f, k) is not None})
        form.append(item)
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "code": d.code,
        "name": d.name,
        "product": d.product,
        "fee": d.fee,
        "completion_working_days": d.completion_working_days,
        "number_format": d.number_format,
        **({"institution": d.institution} if d.institution != "required" else {}),
        **(
            {"certificate": {k: v for k, v in (("title", d.certificate_title), ("body", d.certificate_body)) if v}}
            if d.certificate_title or d.certificate_body
            else {}
        ),
        "standard": {k: list(d.standard[k]) for k in COMPONENT_KEYS if k in d.standard},
        "executors": [_executor_document(e) for e in d.executors],
        "requirements": [
            {"code": r.code, "name": r.name, "required": r.required, "document": r.document} for r in d.requirements
        ],
        "form": form,
        "steps": steps,
    }
    return doc


def _executor_document(e: ExecutorDef) -> dict[str, Any]:
    item: dict[str, Any] = {"code": e.code, "name": e.name}
    if e.applicant:
        item["applicant"] = True
    if e.education or e.competency_note:
        item["competency"] = {k: v for k, v in (("education", e.education), ("note", e.competency_note)) if v}
    return item
