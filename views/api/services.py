"""`GET /api/v1/services/`: the loaded services with their SOP, for integrations and screens."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_appbuilder.api import expose, protect, safe
from sqlalchemy import select

from app.core.extensions import db
from app.core.parsing import MAX_ID, bounded_int
from app.security.capabilities import ANY_LOGIN
from app.services.definition import TIME_KEYS
from models import Service, Step
from views.api.base import JsonApi


def _step(step: Step, order: dict[int, int]) -> dict:
    time_key = next(k for k in TIME_KEYS if getattr(step, k) is not None)
    returns_to = step.returns_to
    return {
        "no": step.no,
        "activity": step.activity,
        "short": step.short,
        "kind": step.kind,
        "executors": [e.code for e in sorted(step.executors, key=lambda e: order.get(e.id, 0))],
        "input": step.input,
        "output": step.output,
        "time": {"unit": time_key, "value": getattr(step, time_key)},
        "returns_to": returns_to if (step_no := bounded_int(returns_to, 0, MAX_ID)) is None else step_no,
        "permission": ["can_act", step.permission_view],
    }


def service_to_dict(service: Service) -> dict:
    """The API's view of one service (also what screens may render)."""
    order = {se.executor_id: se.position for se in service.service_executors}
    return {
        "code": service.code,
        "name": service.name,
        "product": service.product,
        "fee": service.fee,
        "completion_working_days": service.completion_working_days,
        "active": service.active,
        "institution": service.institution,
        "executors": [{"code": e.code, "name": e.name, "applicant": e.applicant} for e in service.executors],
        "requirements": [
            {"code": r.code, "name": r.name, "required": r.required, "document": r.document}
            for r in service.requirements
        ],
        "form": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "choices": f.choices,
                "min": f.min_value,
                "max": f.max_value,
                "max_length": f.max_length,
            }
            for f in service.form_fields
        ],
        "steps": [_step(s, order) for s in service.steps],
    }


class ServiceApi(JsonApi):
    """Loaded service definitions; any logged-in user may read them."""

    resource_name = "services"
    class_permission_name = "Services API"
    method_permission_name = {"get_list": "list"}
    capability_grants = {"can_list": [ANY_LOGIN]}

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """Every loaded service with executors, requirements, form and steps."""
        services = db.session.scalars(select(Service).order_by(Service.code)).all()
        return self.response(200, result=[service_to_dict(s) for s in services], count=len(services))


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_api(ServiceApi)
