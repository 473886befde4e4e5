"""The console's permission matrix (NetBox ViewTestCases style): every role x model x action.

Allowed actions answer 200; every other one answers 403 on GET and on POST (with
a valid CSRF token, so only the permission check can refuse) and the table is
unchanged. Every console model has a row to act on (`sample_rows`: the records
are made by the case engine, the complaint book and the survey forms). What
works when allowed is shown in test_console_crud.py and test_console_records.py.
"""

from __future__ import annotations

import pytest

from app.security.roles import console_actions, role_capabilities
from tests.conftest import count_rows, csrf_token
from views.console import console_models

ROLES = (
    "Admin",
    "Front Office",
    "Back Office",
    "Tim Teknis",
    "JF Analis Kebijakan Ahli Muda",
    "JF Analis Kebijakan Ahli Madya",
    "Sekretaris",
    "Kepala Dinas",
    "Pemohon",
    "Petugas Pengaduan",
    "Kepala Bidang",
    "Kepegawaian",
    "Seksi Survei",
    "Seksi Perizinan",
)


def granted(role: str, model: type) -> set[str]:
    """What the role may do: the actions its capabilities open, within what the console offers."""
    offered = set(console_actions(model))
    if role == "Admin":
        return offered
    held = role_capabilities().get(role, set())
    return offered & {
        action
        for capability, actions in model.__console__.get("capabilities", {}).items()
        if capability in held
        for action in actions
    }


def urls(endpoint: str, row_id: int) -> dict[str, tuple[str, str]]:
    """action -> (GET url, POST url) of the Flask-Admin view."""
    base = f"/admin/{endpoint}"
    return {
        "list": (f"{base}/", f"{base}/action/"),
        "add": (f"{base}/new/", f"{base}/new/"),
        "edit": (f"{base}/edit/?id={row_id}", f"{base}/edit/?id={row_id}"),
        "delete": (f"{base}/", f"{base}/delete/"),
        "export": (f"{base}/export/csv/", f"{base}/export/csv/"),
    }


def test_the_declared_grants_match_the_office(app):
    """The grants the office asked for: Kepegawaian keeps personnel, Kepala Bidang reads."""
    # A context of its own: one left pushed would outlive the test and hand its app to the
    # next test that relies on current_app (tests/test_migrations.py ran `db upgrade` on it).
    with app.app_context():
        by_name = {m.__name__: m for m in console_models()}
        assert granted("Kepegawaian", by_name["Personnel"]) == {"list", "add", "edit", "delete", "export"}
        assert granted("Kepegawaian", by_name["Holiday"]) == set()
        assert "list" in granted("Kepala Bidang", by_name["Holiday"])
        assert "add" not in granted("Kepala Bidang", by_name["Holiday"])
        assert granted("Pemohon", by_name["Service"]) == set()
        # The audit log and the outbox are records: Admin reads them, nobody edits them here.
        assert granted("Admin", by_name["AuditLog"]) == {"list", "export"}
        assert granted("Kepala Bidang", by_name["AuditLog"]) == set()
        assert granted("Admin", by_name["OutboxMessage"]) == {"list", "export"}
        # The records the procedures write: console.records reads and exports them, nobody edits them here.
        for name in (
            "Case",
            "ControlCardEntry",
            "Certificate",
            "InspectionReport",
            "Complaint",
            "ComplaintEvent",
            "SurveyResponse",
            "SurveyFollowUp",
        ):
            assert granted("Admin", by_name[name]) == {"list", "export"}, name
            assert granted("Kepala Bidang", by_name[name]) == {"list", "export"}, name
            for role in ("Front Office", "Seksi Survei", "Petugas Pengaduan", "Kepala Dinas", "Pemohon"):
                assert granted(role, by_name[name]) == set(), (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_console_matrix(app, client, auth, make_user, sample_rows, role):
    username = make_user(role)
    # The session's CSRF token is valid on every form: refusals below are permission refusals.
    token = csrf_token(client, "/login/")
    auth.login(username)
    models = console_models()
    # The tables the office keeps in the console: an empty list here would check nothing.
    assert {
        "Holiday",
        "Personnel",
        "Service",
        "Step",
        "AuditLog",
        "OutboxMessage",
        "Case",
        "ControlCardEntry",
        "Complaint",
        "ComplaintEvent",
        "SurveyResponse",
    } <= {m.__name__ for m in models}
    for model in models:
        endpoint = f"console_{model.__name__.lower()}"
        with app.app_context():
            allowed = granted(role, model)
        row_id = sample_rows[model.__name__]
        before = count_rows(app, model)
        for action, (get_url, post_url) in urls(endpoint, row_id).items():
            get = client.get(get_url)
            if action in allowed:
                assert get.status_code == 200, (role, model.__name__, action, get.status_code)
                continue
            if action == "delete" and "list" in allowed:
                # Deleting is a POST from the list page, which this role may see.
                assert post_url not in get.get_data(as_text=True), (role, model.__name__)
            elif action != "delete":
                assert get.status_code == 403, (role, model.__name__, action, get.status_code)
            post = client.post(
                post_url, data={"csrf_token": token, "id": row_id, "name": "X", "action": "delete", "rowid": row_id}
            )
            # Export has no POST route at all (405); everything else is refused by permission.
            expected = 405 if action == "export" else 403
            assert post.status_code == expected, (role, model.__name__, action, post.status_code)
        assert count_rows(app, model) == before, (role, model.__name__)
