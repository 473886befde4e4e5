"""JSON API of the complaint book: record, read, act (`/api/v1/complaints/`).

The FAB pair (`can_add`/`can_show`/`can_act` on "Complaints") opens the door;
the engine (app.complaints.book) checks the action's own permission and the status.
The action permissions are declared here too, as this API's capability_grants.
A refusal (ComplaintError) reaches the API's DomainError handler (views/api/base.py).
"""

from __future__ import annotations

from flask import g, request
from flask_appbuilder.api import expose, protect
from flask_babel import gettext as _
from flask_login import current_user

from app.complaints import book as complaints
from app.core.extensions import db
from app.security import capabilities as cap
from models import Complaint
from views.api.base import JsonApi, safe


def _user():
    """The JWT user (FAB sets g.user when it loads the token), else the session's."""
    user = getattr(g, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return current_user._get_current_object()


class ComplaintApi(JsonApi):
    """Record a complaint, read one, act on one."""

    resource_name = "complaints"
    class_permission_name = complaints.PERMISSION_VIEW
    method_permission_name = {"post": "add", "get": "show", "act": "act"}
    capability_grants = {
        "can_add": [cap.COMPLAINTS_RECORD],
        "can_show": [cap.COMPLAINTS_READ],
        "can_act": [cap.COMPLAINTS_READ],
        **complaints.PERMISSIONS,
    }

    def _body(self):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise complaints.ComplaintError(400, _("The request body must be a JSON object."))
        return body

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def post(self):
        """Record a complaint received by an officer (any channel but the web form)."""
        c = complaints.create_complaint(self._body(), _user(), source="officer")
        return self.response(201, **complaints.to_dict(c, _user()))

    @expose("/<int:complaint_id>", methods=["GET"])
    @protect()
    @safe
    def get(self, complaint_id: int):
        """One complaint with its book entry and handling record."""
        c = db.session.get(Complaint, complaint_id)
        if c is None:
            return self.response_404()
        return self.response(200, **complaints.to_dict(c, _user()))

    @expose("/<int:complaint_id>/act", methods=["POST"])
    @protect()
    @safe
    def act(self, complaint_id: int):
        """Sort, coordinate, reply, approve, return or correct: {"action", "data"}."""
        c = db.session.get(Complaint, complaint_id)
        if c is None:
            return self.response_404()
        body = self._body()
        complaints.act(c, _user(), str(body.get("action") or ""), body.get("data"))
        return self.response(200, **complaints.to_dict(c, _user()))


def register(appbuilder) -> None:
    appbuilder.add_api(ComplaintApi)
