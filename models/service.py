"""A public service as its standard defines it: components, requirements, form, SOP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, TimestampMixin

STEP_KINDS = ("intake", "verify", "inspect", "draft", "approve", "sign", "number", "handover", "task")
INSTITUTION_MODES = ("required", "optional", "none")
FIELD_TYPES = ("text", "integer", "decimal", "date", "email", "phone", "nik", "choice")
# The published components of a standard, in the order the document lists them.
COMPONENT_KEYS = (
    "legal_basis",
    "facilities",
    "competency",
    "internal_supervision",
    "personnel",
    "service_guarantee",
    "security_guarantee",
    "performance_evaluation",
    "complaint_handling",
)


class Service(TimestampMixin, Model):
    __tablename__ = "service"
    __console__ = {
        "label": "Services",
        "list": ["code", "name", "completion_working_days", "fee", "active"],
        "search": ["code", "name", "product"],
        "filters": ["active"],
        "capabilities": {"console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, info={"label": "Code"})
    name: Mapped[str] = mapped_column(String(200), info={"label": "Name"})
    product: Mapped[str] = mapped_column(String(300), info={"label": "Product"})
    fee: Mapped[int] = mapped_column(Integer, default=0, info={"label": "Fee (Rp)"})
    completion_working_days: Mapped[int] = mapped_column(Integer, info={"label": "Completion time (working days)"})
    number_format: Mapped[str] = mapped_column(
        String(200), info={"label": "Certificate number format", "help": "number_format"}
    )
    # Whether an application names an institution: required, optional or none.
    institution: Mapped[str] = mapped_column(
        String(10),
        default="required",
        server_default="required",
        info={"label": "Institution", "choices": INSTITUTION_MODES},
    )
    certificate_title: Mapped[str | None] = mapped_column(String(300), info={"label": "Certificate title"})
    certificate_body: Mapped[str | None] = mapped_column(Text, info={"label": "Certificate wording"})
    active: Mapped[bool] = mapped_column(Boolean, default=True, info={"label": "Active"})
    # SHA-256 of the last loaded definition: loading the same file again is a no-op.
    definition_hash: Mapped[str | None] = mapped_column(String(64))

    components: Mapped[list[ServiceComponent]] = relationship(
        back_populates="service",
        order_by="(ServiceComponent.key, ServiceComponent.position)",
        cascade="all, delete-orphan",
    )
    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="service", order_by="Requirement.position", cascade="all, delete-orphan"
    )
    form_fields: Mapped[list[FormField]] = relationship(
        back_populates="service", order_by="FormField.position", cascade="all, delete-orphan"
    )
    steps: Mapped[list[Step]] = relationship(back_populates="service", order_by="Step.no", cascade="all, delete-orphan")
    service_executors: Mapped[list[ServiceExecutor]] = relationship(
        back_populates="service", order_by="ServiceExecutor.position", cascade="all, delete-orphan"
    )

    @property
    def executors(self) -> list[Executor]:
        return [se.executor for se in self.service_executors]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ServiceComponent(Model):
    """One item of one published component (legal basis a., b., ...)."""

    __tablename__ = "service_component"
    __console__ = {
        "label": "Standard components",
        "list": ["service", "key", "position", "text"],
        "search": ["text"],
        "filters": ["service", "key"],
        "capabilities": {"console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40), info={"label": "Component"})
    position: Mapped[int] = mapped_column(Integer, default=0, info={"label": "Order"})
    text: Mapped[str] = mapped_column(Text, info={"label": "Text"})
    service: Mapped[Service] = relationship(back_populates="components")

    def __str__(self) -> str:
        return self.text[:60]


class Executor(Model):
    """An SOP executor column; it is also a FAB role of the same name."""

    __tablename__ = "executor"
    __console__ = {
        "label": "Executors",
        "list": ["code", "name", "applicant"],
        "search": ["code", "name"],
        "capabilities": {"console.read": ["list"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True, info={"label": "Code"})
    name: Mapped[str] = mapped_column(String(120), unique=True, info={"label": "Name"})
    applicant: Mapped[bool] = mapped_column(Boolean, default=False, info={"label": "Is the applicant"})

    def __str__(self) -> str:
        return self.name


class ServiceExecutor(Model):
    """An executor column of one service's SOP table, in table order."""

    __tablename__ = "service_executor"
    __table_args__ = (UniqueConstraint("service_id", "executor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    executor_id: Mapped[int] = mapped_column(ForeignKey("executor.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # What this service's standard asks of the column's officers (competency-gap report).
    education: Mapped[str | None] = mapped_column(String(10), info={"label": "Minimum education"})
    competency_note: Mapped[str | None] = mapped_column(Text, info={"label": "Competency"})
    service: Mapped[Service] = relationship(back_populates="service_executors")
    executor: Mapped[Executor] = relationship()


class Requirement(Model):
    __tablename__ = "requirement"
    __table_args__ = (UniqueConstraint("service_id", "code"),)
    __console__ = {
        "label": "Requirements",
        "list": ["service", "position", "code", "name", "required", "document"],
        "search": ["code", "name"],
        "filters": ["service", "required", "document"],
        "capabilities": {"console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60), info={"label": "Code"})
    name: Mapped[str] = mapped_column(Text, info={"label": "Name"})
    required: Mapped[bool] = mapped_column(Boolean, default=True, info={"label": "Required"})
    document: Mapped[bool] = mapped_column(Boolean, default=False, info={"label": "Needs a scan"})
    position: Mapped[int] = mapped_column(Integer, default=0, info={"label": "Order"})
    service: Mapped[Service] = relationship(back_populates="requirements")

    def __str__(self) -> str:
        return self.name


class FormField(Model):
    """A field of the service's application form."""

    __tablename__ = "form_field"
    __table_args__ = (UniqueConstraint("service_id", "name"),)
    __console__ = {
        "label": "Form fields",
        "list": ["service", "position", "name", "label", "type", "required"],
        "search": ["name", "label"],
        "filters": ["service", "type"],
        "capabilities": {"console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60), info={"label": "Field name"})
    label: Mapped[str] = mapped_column(String(200), info={"label": "Label"})
    type: Mapped[str] = mapped_column(String(20), info={"label": "Type", "choices": FIELD_TYPES})
    required: Mapped[bool] = mapped_column(Boolean, default=True, info={"label": "Required"})
    choices: Mapped[list | None] = mapped_column(JSON, info={"label": "Choices"})
    # Bounds as the definition gives them: numbers, or ISO dates for a date field.
    min_value: Mapped[Any | None] = mapped_column(JSON, info={"label": "Minimum"})
    max_value: Mapped[Any | None] = mapped_column(JSON, info={"label": "Maximum"})
    max_length: Mapped[int | None] = mapped_column(Integer, info={"label": "Maximum length"})
    position: Mapped[int] = mapped_column(Integer, default=0, info={"label": "Order"})
    service: Mapped[Service] = relationship(back_populates="form_fields")

    def __str__(self) -> str:
        return self.label


step_executor = Table(
    "step_executor",
    Model.metadata,
    Column("step_id", ForeignKey("step.id", ondelete="CASCADE"), primary_key=True),
    Column("executor_id", ForeignKey("executor.id"), primary_key=True),
)


def step_label(activity: str | None, short: str | None = None, words: int = 4, length: int = 40) -> str:
    """A step's name in a narrow place: its `short`, else its activity's first words (an ellipsis when cut).

    The full activity goes beside it in a title attribute (see `Step.label`'s users).
    """
    if short and short.strip():
        return short.strip()
    # Activities written as bullet lists ("- Pemohon meminta ...") read as one line.
    text = " ".join((activity or "").split()).removeprefix("- ")
    head = text.split(" ")[:words]
    while len(head) > 1 and len(" ".join(head)) > length:
        head.pop()
    label = " ".join(head)
    if len(label) > length:
        label = label[: length - 1].rstrip()
    return label if label == text else label.rstrip(".,;:") + "…"


class Step(Model):
    """One row of the SOP table."""

    __tablename__ = "step"
    __table_args__ = (UniqueConstraint("service_id", "no"),)
    __console__ = {
        "label": "SOP steps",
        "list": ["service", "no", "kind", "activity", "minutes", "hours", "working_days"],
        "search": ["activity"],
        "filters": ["service", "kind"],
        "capabilities": {"console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    no: Mapped[int] = mapped_column(Integer, info={"label": "No"})
    activity: Mapped[str] = mapped_column(Text, info={"label": "Activity"})
    short: Mapped[str | None] = mapped_column(String(60), info={"label": "Short name"})
    kind: Mapped[str] = mapped_column(String(20), info={"label": "Kind", "choices": STEP_KINDS})
    input: Mapped[str | None] = mapped_column(Text, info={"label": "Input (kelengkapan)"})
    output: Mapped[str | None] = mapped_column(Text, info={"label": "Output"})
    minutes: Mapped[int | None] = mapped_column(Integer, info={"label": "Minutes"})
    hours: Mapped[int | None] = mapped_column(Integer, info={"label": "Hours"})
    working_days: Mapped[int | None] = mapped_column(Integer, info={"label": "Working days"})
    # 'applicant' or the number of an earlier step; None where the step cannot be returned.
    returns_to: Mapped[str | None] = mapped_column(String(20), info={"label": "Returns to"})
    service: Mapped[Service] = relationship(back_populates="steps")
    executors: Mapped[list[Executor]] = relationship(secondary=step_executor, order_by=Executor.id)

    @property
    def permission_view(self) -> str:
        """The FAB view-menu name of this step's permission pair ('can_act' on it)."""
        return f"{self.service.code} step {self.no}"

    @property
    def label(self) -> str:
        """The step's name in narrow places (worklists, dashboard tables): `short`, else its activity's first words."""
        return step_label(self.activity, self.short)

    def __str__(self) -> str:
        return f"{self.no}. {self.activity[:60]}"
