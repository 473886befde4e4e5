"""The delegation screens: who may appoint and revoke, what a refused form says, the audit rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from models import AuditLog
from models.delegation import Delegation
from tests.conftest import count_rows, csrf_token
from tests.delegation.conftest import delegate, today
from tests.reading import menu_text, page_text


def _role_id(app, name: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_role(name).id


def _user_id(app, username: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


def _form(app, role: str, username: str, start: int = 0, end: int = 6, **overrides) -> dict:
    base = today(app)
    values = {
        "role": str(_role_id(app, role)),
        "user": str(_user_id(app, username)),
        "kind": "plt",
        "decree_no": "800/045/SK/2026",
        "start_date": (base + timedelta(days=start)).isoformat(),
        "end_date": (base + timedelta(days=end)).isoformat(),
    }
    values.update(overrides)
    return values


def test_the_head_appoints_and_revokes_and_both_are_audited(app, client, auth, make_user):
    head = make_user("Kepala Dinas", first_name="Kepala", last_name="Kantor")
    acting = make_user("Sekretaris", first_name="Rahmat", last_name="Pelaksana")
    auth.login(head)
    home = client.get("/")
    assert "Pejabat pelaksana (Plt./Plh.)" in menu_text(home.get_data(as_text=True))
    token = csrf_token(client, "/delegations/new")
    created = client.post("/delegations/new", data={**_form(app, "Kepala Dinas", acting), "csrf_token": token})
    assert created.status_code == 302, page_text(created)
    listing = client.get("/delegations/")
    text = page_text(listing)
    assert "Rahmat Pelaksana" in text and "Plt. Kepala Dinas" in text and "800/045/SK/2026" in text
    assert "Sedang berlaku" in text
    with app.app_context():
        row = db.session.scalar(select(Delegation))
        assert (row.role.name, row.kind, row.granted_by_id) == ("Kepala Dinas", "plt", _user_id(app, head))
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "delegation.create"))
        assert audit.username == head and audit.object_id == str(row.id)
        assert audit.after["decree_no"] == "800/045/SK/2026" and audit.after["role"] == "Kepala Dinas"
        delegation_id = row.id
    refused = client.post(f"/delegations/{delegation_id}/revoke", data={"reason": "", "csrf_token": token})
    assert refused.status_code == 302
    assert "Isi alasan pencabutan." in page_text(client.get("/delegations/"))
    revoked = client.post(
        f"/delegations/{delegation_id}/revoke", data={"reason": "Kepala Dinas kembali bertugas", "csrf_token": token}
    )
    assert revoked.status_code == 302
    text = page_text(client.get("/delegations/"))
    assert "Dicabut" in text and "Kepala Dinas kembali bertugas" in text
    with app.app_context():
        row = db.session.get(Delegation, delegation_id)
        assert row.revoked_at is not None and row.revoked_by_id == _user_id(app, head)
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "delegation.revoke"))
        assert audit.before["revoked_at"] is None and audit.after["revoke_reason"] == "Kepala Dinas kembali bertugas"
    # Revoked once: a second revocation changes nothing.
    again = client.post(f"/delegations/{delegation_id}/revoke", data={"reason": "lagi", "csrf_token": token})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditLog.action == "delegation.revoke")) == 1
    # The audit log names both actions in words.
    from app.core.audit import action_label

    with app.test_request_context():
        assert action_label("delegation.create", "id") == "Pejabat pelaksana (Plt./Plh.) ditunjuk"
        assert action_label("delegation.revoke", "id") == "Penunjukan pejabat pelaksana dicabut"


def test_admin_may_appoint_too(app, client, auth, make_user):
    acting = make_user("Sekretaris")
    auth.login(make_user("Admin"))
    token = csrf_token(client, "/delegations/new")
    rv = client.post("/delegations/new", data={**_form(app, "Kepala Dinas", acting), "csrf_token": token})
    assert rv.status_code == 302
    assert count_rows(app, Delegation) == 1


@pytest.mark.parametrize("role", ["Sekretaris", "Kepala Bidang", "Front Office", "Kepegawaian"])
def test_a_role_without_the_capability_gets_403_and_nothing_changes(app, client, auth, make_user, role):
    acting = make_user("Sekretaris")
    delegation_id = delegate(app, "Kepala Dinas", acting, start=0, end=3)
    auth.login(make_user(role))
    assert "Pejabat pelaksana" not in menu_text(client.get("/").get_data(as_text=True))
    assert client.get("/delegations/").status_code == 403
    assert client.get("/delegations/new").status_code == 403
    token = csrf_token(client, "/public/complaint")  # the session's token, valid for every form
    audits = count_rows(app, AuditLog)
    rv = client.post("/delegations/new", data={**_form(app, "Kepala Dinas", acting, start=4), "csrf_token": token})
    assert rv.status_code == 403
    rv = client.post(f"/delegations/{delegation_id}/revoke", data={"reason": "x", "csrf_token": token})
    assert rv.status_code == 403
    assert count_rows(app, Delegation) == 1 and count_rows(app, AuditLog) == audits
    with app.app_context():
        assert db.session.get(Delegation, delegation_id).revoked_at is None


def test_posts_without_csrf_token_change_nothing(app, client, auth, make_user):
    acting = make_user("Sekretaris")
    delegation_id = delegate(app, "Kepala Dinas", acting, start=0, end=3)
    auth.login(make_user("Kepala Dinas"))
    rv = client.post("/delegations/new", data=_form(app, "Kepala Dinas", acting, start=5))
    assert rv.status_code == 400
    rv = client.post(f"/delegations/{delegation_id}/revoke", data={"reason": "x"})
    assert rv.status_code == 400
    assert count_rows(app, Delegation) == 1
    with app.app_context():
        assert db.session.get(Delegation, delegation_id).revoked_at is None


def test_bad_input_is_explained_beside_each_field(app, client, auth, make_user):
    acting = make_user("Sekretaris")
    head = make_user("Kepala Dinas")
    inactive = make_user("Sekretaris")
    citizen = make_user("Pemohon")  # an applicant's account: never an acting official
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=inactive)
        user.active = False
        db.session.commit()
    delegate(app, "Kepala Dinas", acting, start=10, end=20)
    auth.login(head)
    token = csrf_token(client, "/delegations/new")
    page = client.get("/delegations/new").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)"', page.split('name="user"', 1)[1].split("</select>", 1)[0])
    assert str(_user_id(app, acting)) in offered and str(_user_id(app, citizen)) not in offered
    cases = [
        (
            {"end_date": (today(app) - timedelta(days=1)).isoformat()},
            "Hari terakhir tidak boleh sebelum hari pertama.",
        ),
        ({"decree_no": "  "}, "Nomor surat keputusan wajib diisi."),
        ({"decree_no": "8" * 101}, "Nomor surat keputusan paling panjang 100 karakter."),
        ({"start_date": (today(app) - timedelta(days=1)).isoformat()}, "tidak dapat dimulai sebelum hari ini"),
        ({"end_date": (today(app) + timedelta(days=200)).isoformat()}, "Pelimpahan paling lama 180 hari"),
        ({"start_date": "kemarin"}, "Isi hari pertama berupa tanggal."),
        ({"user": str(_user_id(app, inactive))}, "Akun ini tidak aktif"),
        ({"user": str(_user_id(app, citizen))}, "Hanya akun petugas yang dapat ditunjuk, bukan akun pemohon."),
        ({"user": str(_user_id(app, head))}, "sudah memegang peran Kepala Dinas"),
        ({"role": str(_role_id(app, "Admin"))}, "Pilih peran yang langkahnya dilimpahkan."),
        ({"role": str(_role_id(app, "Pemohon"))}, "Pilih peran yang langkahnya dilimpahkan."),
        ({"kind": "wakil"}, "Pilih Plt. atau Plh."),
        ({"role": "9" * 30, "user": "-1"}, "Pilih pejabat pelaksana."),
        (
            {
                "start_date": (today(app) + timedelta(days=15)).isoformat(),
                "end_date": (today(app) + timedelta(days=25)).isoformat(),
            },
            "sudah menjadi pelaksana peran ini pada sebagian periode tersebut",
        ),
    ]
    for overrides, message in cases:
        rv = client.post(
            "/delegations/new", data={**_form(app, "Kepala Dinas", acting), **overrides, "csrf_token": token}
        )
        assert rv.status_code == 422, overrides
        text = page_text(rv)
        assert message in text, (overrides, text[:400])
        assert "Pelimpahan berisi kesalahan" in text
    assert count_rows(app, Delegation) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditLog.action == "delegation.create")) == 0
    for missing in (99999, 9 * 10**20):
        rv = client.post(f"/delegations/{missing}/revoke", data={"reason": "x", "csrf_token": token})
        assert rv.status_code == 404
