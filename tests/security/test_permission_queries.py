"""An officer's page reads the roles' grants once, not once per check (the load test's
finding: 33 of the worklist's 58 statements were FAB permission checks), and a grant
changed during a request is seen by the checks after it."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import appbuilder, db
from tests.conftest import AuthActions
from tests.factories import new_case


def _statements(app, client, url: str) -> tuple[int, int]:
    """(all statements, permission-check statements) of one GET."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    checks = [s for s in seen if "ab_permission_view_role" in s and "ab_view_menu" in s]
    return len(seen), len(checks)


def test_worklist_reads_the_grants_once(app, client, make_user):
    new_case(app)
    AuthActions(client).login(make_user("Front Office"))
    total, checks = _statements(app, client, "/cases/worklist/")
    # Ours once, FAB's menu (two) and the capability check's role.permissions: 4, whatever the menus hold.
    assert checks <= 4, f"{checks} permission queries of {total} statements"
    assert total < 35, total  # 58 before (the load test's profile of the worklist)


def test_a_grant_added_within_a_request_is_seen_by_the_next_check(app):
    with app.test_request_context("/"):
        sm = appbuilder().sm
        role = sm.add_role("Uji Cache Peran")
        db.session.commit()
        assert not sm.exist_permission_on_roles("Uji Layar", "can_show", [role.id])
        pv = sm.add_permission_view_menu("can_show", "Uji Layar")
        sm.add_permission_role(role, pv)
        assert sm.exist_permission_on_roles("Uji Layar", "can_show", [role.id])
        sm.del_permission_role(role, pv)
        assert not sm.exist_permission_on_roles("Uji Layar", "can_show", [role.id])
