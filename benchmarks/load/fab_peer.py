"""The peer: FAB's own generic ModelView list of the case table, inside our app.

`gunicorn 'benchmarks.load.fab_peer:create_app()'` runs the app as production
does, plus one view registered only here: `/peercaseview/list/`, a plain
`ModelView` on `Case` showing the worklist's columns, 25 rows a page, ordered
as the worklist is (most urgent due time first). It reads the whole table (no
worklist filter): what a generic CRUD list of the table would do.
"""

from __future__ import annotations

from flask import Flask
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app import create_app as create_our_app
from models import Case


class PeerCaseView(ModelView):
    datamodel = SQLAInterface(Case)
    list_columns = [
        "registration_no",
        "status",
        "current_step_no",
        "received_at",
        "step_due_at",
        "applicant.name",
        "institution.name",
    ]
    base_order = ("step_due_at", "asc")
    # FAB's default search form offers every column, relations as a <select> of every related
    # row: 20,000 applicants made the page 22 MB and 50 s. Plain columns only, as one would set.
    search_columns = ["registration_no", "status"]
    page_size = 25
    base_permissions = ["can_list"]


def create_app() -> Flask:
    app = create_our_app()
    with app.app_context():
        # FAB_UPDATE_PERMS is off: nothing is written here (`grant` did it once, before the instances start).
        app.appbuilder.add_view_no_menu(PeerCaseView())
    return app


def grant() -> None:
    """Give the administrator role the peer list's permission pair (`python -m benchmarks.load.fab_peer`)."""
    app = create_our_app()
    with app.app_context():
        sm = app.appbuilder.sm
        pair = sm.add_permission_view_menu("can_list", PeerCaseView.__name__)
        sm.add_permission_role(sm.find_role(app.config.get("AUTH_ROLE_ADMIN", "Admin")), pair)


if __name__ == "__main__":
    grant()
