"""Acting officials (Plt./Plh.): the list (active, future, ended), the appointment form, early revocation.

Opened by the capability `delegations.manage` (the office definition gives it
to the head's role; Admin holds everything). Every route is checked by FAB's
`has_access` and again by app.delegation.service.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.extensions import db
from app.delegation import effective
from app.delegation import service as delegations
from app.security import capabilities as cap
from models.delegation import DECREE_NO_MAX, REASON_MAX, Delegation, DelegationKind

STATE_LABELS = {
    "active": _l("Active"),
    "future": _l("Not started yet"),
    "ended": _l("Ended"),
    "revoked": _l("Revoked"),
}


def _user() -> Any:
    from views.cases.display import current_officer

    return current_officer()


class DelegationView(BaseView):
    """Who acts for whom, and until when."""

    route_base = "/delegations"
    class_permission_name = "Acting officials"
    method_permission_name = {"index": "list", "new": "add", "revoke": "edit"}
    default_view = "index"
    capability_grants = {
        "can_list": [cap.DELEGATIONS_MANAGE],
        "can_add": [cap.DELEGATIONS_MANAGE],
        "can_edit": [cap.DELEGATIONS_MANAGE],
    }

    @expose("/")
    @has_access
    def index(self):
        """Active, future and ended delegations, with the revoke form beside those that have not ended."""
        if not delegations.may_manage(_user()):
            abort(403)
        today = effective.office_today()
        return self.render_template(
            "delegation/list.html",
            groups=delegations.listing(today),
            today=today,
            state_labels=STATE_LABELS,
            kind_label=DelegationKind.label_of,
            user_label=delegations.user_label,
            title_of=lambda row: effective.acting_title(row.kind, row.role.name),
            reason_max=REASON_MAX,
        )

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        """Appoint an acting official; a refused form comes back with each field's message (422)."""
        user = _user()
        if not delegations.may_manage(user):
            abort(403)
        form: dict[str, Any] = {}
        errors: dict[str, str] = {}
        status = 200
        if request.method == "POST":
            form = request.form.to_dict()
            try:
                row = delegations.create(form, user)
            except delegations.DelegationError as error:
                db.session.rollback()
                if error.status != 422:
                    abort(error.status)
                flash(error.message, "danger")
                errors, status = error.fields, 422
            else:
                flash(
                    _(
                        "%(name)s acts as %(title)s from %(start)s to %(end)s.",
                        name=delegations.user_label(row.acting_user),
                        title=effective.acting_title(row.kind, row.role.name),
                        start=_date(row.start_date),
                        end=_date(row.end_date),
                    ),
                    "success",
                )
                return redirect(url_for(".index"))
        else:
            start, end = delegations.default_period()
            form = {"start_date": start.isoformat(), "end_date": end.isoformat(), "kind": DelegationKind.PLT.value}
        return (
            self.render_template(
                "delegation/new.html",
                form=form,
                errors=errors,
                roles=delegations.delegable_roles(),
                users=delegations.candidate_users(),
                kinds=DelegationKind.labels(),
                user_label=delegations.user_label,
                decree_max=DECREE_NO_MAX,
                max_days=delegations.max_days(),
            ),
            status,
        )

    @expose("/<int:delegation_id>/revoke", methods=["POST"])
    @has_access
    def revoke(self, delegation_id: int):
        """End a delegation early, with the reason."""
        user = _user()
        if not delegations.may_manage(user):
            abort(403)
        try:
            row = delegations.revoke(delegation_id, request.form.get("reason"), user)
        except delegations.DelegationError as error:
            db.session.rollback()
            if error.status in (403, 404):
                abort(error.status)
            flash(error.message, "danger")
        else:
            flash(_("The delegation of %(name)s was revoked.", name=delegations.user_label(row.acting_user)), "success")
        return redirect(url_for(".index"))


def _date(value: Any) -> str:
    from app.core.formatting import format_date

    return format_date(value)


def register(appbuilder) -> None:
    # Menu entries are opened by app.security.roles from the grants on their views.
    appbuilder.add_view(
        DelegationView,
        "Acting officials",
        label=_l("Acting officials (Plt./Plh.)"),
        icon="fa-user-secret",
        category="Cases",
        category_label=_l("Cases"),
        category_icon="fa-folder-open",
    )


__all__ = ["Delegation", "DelegationView", "register"]
