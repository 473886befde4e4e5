"""The kinds of SOP step, one class each, registered by the name a service definition uses.

A kind says in one place what a step of it NEEDS before the case may go
forward, what it RECORDS, what it SHOWS on the case page and which
capability it gives its executors. The engine, the case page, the documents,
the capability rules and the definition schema ask the registry
(`step_kind(step)`) instead of comparing names; a definition naming a kind
that is not registered here is refused when it is loaded.

The registry lives beside the engine, not under app/services: what a kind
does is case behaviour (it reads and writes cases), while a service
definition only names it. The models keep the names as the column's choices
(models may not import the app); `_check_names` refuses to start when the
two lists differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.cases.numbering import NumberingError, issue_certificate
from app.cases.step_needs import WorkflowError, clean_handover, clean_report, missing_requirements
from app.core.extensions import db
from app.security.capabilities import CASES_APPLY, CASES_REGISTER
from app.survey.ikm import create_invitation
from models import Case, InspectionReport
from models.service import STEP_KINDS as MODEL_STEP_KINDS

# Checklist rights a step gives its holders while the case sits at it (or is returned).
UPLOAD, TICK = "upload", "tick"


class StepKind:
    """The default kind: nothing needed, nothing recorded, a plain forward button."""

    name: ClassVar[str]
    # SHOWS: the forward button's label, the hint above it, the partial with the forward form's fields.
    forward_label: ClassVar[Any] = _l("Forward")
    forward_help: ClassVar[Any] = None
    # An applicant account forwards only steps of a kind with this label (its own words for it);
    # None: forwarding is the office's (app.cases.workflow.allowed_actions and _authorise).
    applicant_forward_label: ClassVar[Any] = None
    form_template: ClassVar[str | None] = None
    # Its forward panel links the certificate draft (KONSEP): its executors read what they initial or sign.
    reads_draft: ClassVar[bool] = False
    # Case documents (CASE_DOCUMENTS names; "certificate-draft" is the KONSEP) this step brings.
    documents: ClassVar[tuple[str, ...]] = ()
    # NEEDS before forward, by name: "checklist", "bap", "receipt", "confirm".
    needs: ClassVar[tuple[str, ...]] = ()
    # RECORDS on forward: the case fields or rows it writes.
    records: ClassVar[tuple[str, ...]] = ()
    # While the case sits here, holders of the step may change the checklist (UPLOAD scans, TICK lines).
    checklist_rights: ClassVar[frozenset[str]] = frozenset()
    # Forwarding from it completes the case (numbered, ready for pick-up) / ends it (handed over).
    completes_case: ClassVar[bool] = False
    ends_case: ClassVar[bool] = False

    def check_forward(self, case: Case, data: dict) -> dict:
        """Refuse (422) what forwarding lacks; return the cleaned step data."""
        return {}

    def check_return(self, data: dict) -> dict:
        """The step data a return carries (cleaned); the reason is checked by the engine."""
        return {}

    def record(self, case: Case, cleaned: dict, user: User, now: datetime) -> None:
        """The step's own record, written before the case moves on (forward, or a return with data)."""

    def on_forward(self, case: Case, now: datetime) -> Any:
        """What the office issues when the case leaves the step; the certificate, if any."""
        return None

    def read_form(self, form: Mapping[str, str]) -> dict | None:
        """`act`'s data from the fields of `form_template` on the case page."""
        return None

    def capabilities_for(self, executor: Any) -> set[str]:
        """Capabilities an executor of a step of this kind holds for the service."""
        return set()


REGISTRY: dict[str, StepKind] = {}


def register(cls: type[StepKind]) -> type[StepKind]:
    if cls.name in REGISTRY:
        raise ValueError(f"step kind {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls()
    return cls


def names() -> tuple[str, ...]:
    """The kinds a service definition may use, in registration (SOP) order."""
    return tuple(REGISTRY)


def step_kind(step_or_name: Any) -> StepKind:
    """The kind of a step (a Step, a StepDef or a kind name); KeyError for an unregistered one."""
    name = step_or_name if isinstance(step_or_name, str) else step_or_name.kind
    return REGISTRY[name]


def step_showing(steps: Iterable[Any], document: str) -> Any | None:
    """The first step whose kind brings `document` (e.g. the inspect step for the assignment letter)."""
    return next((s for s in steps if document in step_kind(s).documents), None)


def step_recording(steps: Iterable[Any], field: str) -> Any | None:
    """The first step whose kind records `field` (e.g. the sign step for the signer)."""
    return next((s for s in steps if field in step_kind(s).records), None)


def checklist_rights(steps: Iterable[Any]) -> frozenset[str]:
    """The checklist rights the given steps give together."""
    return frozenset().union(*(step_kind(s).checklist_rights for s in steps))


@register
class Intake(StepKind):
    name = "intake"
    forward_label = _l("Accept the file and forward")
    applicant_forward_label = _l("Submit the application")
    checklist_rights = frozenset({UPLOAD})

    def capabilities_for(self, executor: Any) -> set[str]:
        # The intake step's executors register cases: officers at the counter, the applicant online.
        return {CASES_APPLY if executor.applicant else CASES_REGISTER}


@register
class Verify(StepKind):
    name = "verify"
    forward_label = _l("Requirements complete: forward")
    forward_help = _l(
        "All required requirements must be ticked (a scan is needed where the requirement is a document)."
    )
    needs = ("checklist",)
    checklist_rights = frozenset({UPLOAD, TICK})

    def check_forward(self, case: Case, data: dict) -> dict:
        missing = missing_requirements(case)
        if missing:
            raise WorkflowError(
                422,
                _("Required requirements are not checked yet: %(names)s.", names="; ".join(missing)),
                {"requirements": "; ".join(missing)},
            )
        return {}


@register
class Inspect(StepKind):
    name = "inspect"
    forward_label = _l("Save the BAP and forward")
    forward_help = _l("The inspection report (BAP) with the recommendation 'meets the requirements' is needed.")
    form_template = "cases/step_forms/_inspect.html"
    documents = ("assignment-letter", "bap")
    needs = ("bap",)
    records = ("inspection_report",)

    def check_forward(self, case: Case, data: dict) -> dict:
        report = clean_report(data)
        if report["recommendation"] != "memenuhi":
            raise WorkflowError(
                422,
                _("The inspection report does not recommend approval: return the case instead."),
                {"report.recommendation": _("Forwarding needs the recommendation 'memenuhi'.")},
            )
        return {"report": report}

    def check_return(self, data: dict) -> dict:
        # A team that found the premises wanting returns the case with its BAP.
        return {"report": clean_report(data)}

    def record(self, case: Case, cleaned: dict, user: User, now: datetime) -> None:
        db.session.add(InspectionReport(case_id=case.id, created_by_id=user.id, **cleaned["report"]))

    def read_form(self, form: Mapping[str, str]) -> dict | None:
        team = [line.strip() for line in (form.get("team") or "").splitlines() if line.strip()]
        return {
            "report": {
                "date": (form.get("date") or "").strip(),
                "findings": (form.get("findings") or "").strip(),
                "recommendation": (form.get("recommendation") or "").strip(),
                "team": team,
            }
        }


@register
class Draft(StepKind):
    name = "draft"
    forward_label = _l("Draft done: forward")
    documents = ("certificate-draft",)


@register
class Approve(StepKind):
    name = "approve"
    forward_label = _l("Initial (paraf) and forward")
    reads_draft = True


@register
class Sign(StepKind):
    name = "sign"
    forward_label = _l("Sign")
    forward_help = _l("You are recorded as the signer.")
    form_template = "cases/step_forms/_sign.html"
    reads_draft = True
    needs = ("confirm",)
    records = ("signed_by", "signed_at")

    def check_forward(self, case: Case, data: dict) -> dict:
        # Signing is confirmed on the server, not only in the browser: the signer says they read the KONSEP.
        if (data if isinstance(data, dict) else {}).get("confirm") is not True:
            raise WorkflowError(
                422,
                _("Signing needs your confirmation that you read the draft."),
                {"confirm": _("Tick to confirm that you have read the draft and sign it.")},
            )
        return {}

    def read_form(self, form: Mapping[str, str]) -> dict | None:
        return {"confirm": form.get("confirm") in ("1", "on", "true", "yes")}

    def record(self, case: Case, cleaned: dict, user: User, now: datetime) -> None:
        case.signed_by_id = user.id
        case.signed_at = now


@register
class Number(StepKind):
    name = "number"
    forward_label = _l("Number and stamp")
    forward_help = _l("The next certificate number is drawn.")
    documents = ("certificate",)
    records = ("certificate",)
    completes_case = True

    def on_forward(self, case: Case, now: datetime) -> Any:
        try:
            return issue_certificate(case, now)
        except NumberingError:
            # Another instance numbered the case after this one read it: the stale-version 409, not a 500.
            raise WorkflowError(409, _("The case was changed by someone else; reload it and try again.")) from None


@register
class Handover(StepKind):
    name = "handover"
    forward_label = _l("Hand over to the applicant")
    forward_help = _l("Record who received the product.")
    form_template = "cases/step_forms/_handover.html"
    needs = ("receipt",)
    records = ("received_by", "received_id_no", "handed_over_at")
    ends_case = True

    def check_forward(self, case: Case, data: dict) -> dict:
        return clean_handover(data)

    def record(self, case: Case, cleaned: dict, user: User, now: datetime) -> None:
        case.received_by = cleaned["received_by"]
        case.received_id_no = cleaned["id_no"]
        case.handed_over_at = now

    def on_forward(self, case: Case, now: datetime) -> Any:
        # The standard's performance evaluation asks the applicant who used the
        # service: the one-time survey link is handed over with the product.
        create_invitation(case)
        return None

    def read_form(self, form: Mapping[str, str]) -> dict | None:
        return {"received_by": (form.get("received_by") or "").strip(), "id_no": (form.get("id_no") or "").strip()}


@register
class Task(StepKind):
    name = "task"
    forward_label = _l("Done: forward")


def _check_names() -> None:
    if names() != tuple(MODEL_STEP_KINDS):
        raise RuntimeError(f"step kinds registered {names()} differ from models.service.STEP_KINDS {MODEL_STEP_KINDS}")


_check_names()
