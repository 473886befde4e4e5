"""Roles from the SOP executor columns, step permissions, and the idempotent sync."""

from __future__ import annotations

from sqlalchemy import select

from app.core.extensions import db
from app.security.roles import sync_roles, user_can_act
from app.services.loader import load_file
from models import Service

SECOND_SERVICE = """\
format: 1
code: IZIN-LPK
name: Izin Lembaga Pelatihan Kerja
product: Surat Izin Lembaga Pelatihan Kerja
fee: 0
completion_working_days: 5
number_format: "{seq:04d}/LPK/{month}/{year}"
standard:
  legal_basis: [Undang-Undang Nomor 25 tahun 2009 tentang Pelayanan Publik]
executors:
  - {code: pemohon, name: Pemohon, applicant: true}
  - {code: front_office, name: Front Office}
  - {code: verifikator_lpk, name: Verifikator LPK}
requirements:
  - {code: akta, name: Akta pendirian lembaga, required: true, document: true}
form:
  - {name: jenis_pelatihan, label: Jenis pelatihan, type: choice, required: true, choices: [Menjahit, Otomotif]}
steps:
  - {no: 1, activity: Pemohon menyerahkan berkas, kind: intake, executors: [pemohon, front_office], minutes: 5}
  - {no: 2, activity: Verifikator memeriksa lembaga, kind: inspect, executors: [verifikator_lpk], hours: 6,
     returns_to: applicant}
  - {no: 3, activity: Pemohon menerima surat izin, kind: handover, executors: [front_office, pemohon], minutes: 2}
"""


def _role_grants(sm, role_name: str) -> set[tuple[str, str]]:
    return {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role(role_name).permissions}


def _step(code: str, no: int):
    service = db.session.scalar(select(Service).where(Service.code == code))
    return next(s for s in service.steps if s.no == no)


def test_every_executor_and_extra_role_exists_with_its_steps(app):
    sm = app.appbuilder.sm
    with app.app_context():
        # Admin and Public are FAB's; the others come from the service and office definitions.
        for name in (
            "Admin",
            "Public",
            "Petugas Pengaduan",
            "Kepala Bidang",
            "Kepegawaian",
            "Pemohon",
            "Tim Teknis",
            "Kepala Dinas",
            "Seksi Survei",
        ):
            assert sm.find_role(name) is not None, name
        assert ("can_act", "TD-BKK step 3") in _role_grants(sm, "Tim Teknis")
        assert ("can_act", "TD-BKK step 4") not in _role_grants(sm, "Tim Teknis")
        front = _role_grants(sm, "Front Office")
        assert {("can_act", f"TD-BKK step {n}") for n in (1, 2, 10)} <= front
        assert {("can_act", f"TD-BKK step {n}") for n in range(1, 11)} <= _role_grants(sm, "Admin")


def test_user_can_act_only_on_their_roles_steps(app, make_user):
    teknis = make_user("Tim Teknis")
    kadis = make_user("Kepala Dinas")
    both = make_user("Front Office", "Back Office")
    sm = app.appbuilder.sm
    with app.app_context():
        assert user_can_act(sm.find_user(teknis), _step("TD-BKK", 3))
        assert not user_can_act(sm.find_user(teknis), _step("TD-BKK", 8))
        assert user_can_act(sm.find_user(kadis), _step("TD-BKK", 8))
        assert user_can_act(sm.find_user(both), _step("TD-BKK", 2))
        assert user_can_act(sm.find_user(both), _step("TD-BKK", 9))
        assert not user_can_act(sm.find_user(both), _step("TD-BKK", 5))


def test_a_second_service_gets_roles_and_step_permissions_without_code(app, write_yaml, make_user, auth, client):
    with app.app_context():
        load_file(write_yaml(SECOND_SERVICE, "izin-lpk.yaml"))
    sm = app.appbuilder.sm
    verifikator = make_user("Verifikator LPK")
    with app.app_context():
        assert ("can_act", "IZIN-LPK step 2") in _role_grants(sm, "Verifikator LPK")
        assert ("can_act", "IZIN-LPK step 1") in _role_grants(sm, "Front Office")
        assert ("can_act", "IZIN-LPK step 3") in _role_grants(sm, "Pemohon")
        assert ("can_act", "IZIN-LPK step 2") in _role_grants(sm, "Admin")
        assert user_can_act(sm.find_user(verifikator), _step("IZIN-LPK", 2))
        assert not user_can_act(sm.find_user(verifikator), _step("TD-BKK", 2))
    # The new role reads the services API like every other role.
    rv = client.get("/api/v1/services/", headers=auth.token(verifikator))
    assert rv.status_code == 200
    assert [s["code"] for s in rv.json["result"]] == ["IPDH", "IZIN-LPK", "TD-BKK"]


def test_sync_is_idempotent_and_keeps_a_hand_added_grant(app, dump_tables, td_bkk_doc, write_yaml):
    sm = app.appbuilder.sm
    with app.app_context():
        # A delegation: the Sekretaris signs while the Kepala Dinas is away.
        sm.add_permission_role(sm.find_role("Sekretaris"), sm.find_permission_view_menu("can_act", "TD-BKK step 8"))
        sync_roles()
    before = dump_tables()
    with app.app_context():
        sync_roles()
    assert dump_tables() == before
    td_bkk_doc["steps"][7]["working_days"] = 2
    with app.app_context():
        load_file(write_yaml(td_bkk_doc))
        sync_roles()
        assert ("can_act", "TD-BKK step 8") in _role_grants(sm, "Sekretaris")


def test_cli_roles_sync_creates_view_permissions_and_declared_grants(app, runner):
    sm = app.appbuilder.sm
    with app.app_context():
        pemohon = sm.find_role("Pemohon")
        pemohon.permissions = []
        db.session.commit()
    rv = runner.invoke(args=["roles", "sync"])
    assert rv.exit_code == 0, rv.output
    with app.app_context():
        grants = _role_grants(sm, "Pemohon")
        assert ("can_list", "Services API") in grants  # declared with role_grants on the API
        assert ("can_act", "TD-BKK step 1") in grants
        assert ("can_list", "Services API") not in _role_grants(sm, "Public")


def test_a_step_handed_to_another_executor_leaves_the_old_role(app, td_bkk_doc, write_yaml, make_user):
    sm = app.appbuilder.sm
    with app.app_context():
        sm.add_permission_role(sm.find_role("Sekretaris"), sm.find_permission_view_menu("can_act", "TD-BKK step 8"))
    teknis = make_user("Tim Teknis")
    td_bkk_doc["steps"][2]["executors"] = ["back_office"]
    with app.app_context():
        load_file(write_yaml(td_bkk_doc))
        assert ("can_act", "TD-BKK step 3") not in _role_grants(sm, "Tim Teknis")
        assert ("can_act", "TD-BKK step 3") in _role_grants(sm, "Back Office")
        assert ("can_act", "TD-BKK step 3") in _role_grants(sm, "Admin")
        assert not user_can_act(sm.find_user(teknis), _step("TD-BKK", 3))
        # The hand-added delegation is not the definition's to take away.
        assert ("can_act", "TD-BKK step 8") in _role_grants(sm, "Sekretaris")
