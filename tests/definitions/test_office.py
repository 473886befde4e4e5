"""The office definition: validation with file:path:reason, idempotent load, round trip, grants, bootstrap."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.office.definition import OFFICES_DIR, current_office
from app.services.yaml_format import parse
from models import Office, OfficeHours
from tests.cases.conftest import api  # noqa: F401  (the JSON client fixture)
from tests.reading import pdf_text

SHIPPED = next(iter(sorted(OFFICES_DIR.glob("*.yaml"))))


@pytest.fixture
def office_doc() -> dict:
    return copy.deepcopy(parse(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name))


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda d: d["roles"]["Kepala Dinas"].append("cases.delete_everything"), "roles.Kepala Dinas[9]"),
        (lambda d: d["office_hours"].update(mon="16:00-07:30"), "office_hours.mon"),
        (lambda d: d["office_hours"].update(fri="7.30 to 4"), "office_hours.fri"),
        (lambda d: d["office_hours"].update(someday="07:30-16:00"), "office_hours.someday"),
        (lambda d: d.update(timezone="Asia/Jayapura"), "timezone"),
        (lambda d: d.pop("head"), ""),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d["roles"].update(Admin=["dashboard"]), "roles.Admin"),
    ],
)
def test_bad_office_file_names_file_path_reason_and_writes_nothing(
    app, runner, write_yaml, dump_tables, office_doc, change, where
):
    with app.app_context():
        before = dump_tables()
    change(office_doc)
    result = runner.invoke(args=["office", "load", str(write_yaml(office_doc, "office.yaml"))])
    assert result.exit_code != 0
    assert f"office.yaml: {where + ': ' if where else ''}" in result.output
    with app.app_context():
        assert dump_tables() == before


def test_loading_the_shipped_office_again_changes_nothing_and_export_round_trips(app, runner, dump_tables, tmp_path):
    with app.app_context():
        before = dump_tables()
    assert runner.invoke(args=["office", "load", str(SHIPPED)]).exit_code == 0
    with app.app_context():
        assert dump_tables() == before
    out = tmp_path / "exported.yaml"
    assert runner.invoke(args=["office", "export", "-o", str(out)]).exit_code == 0
    assert parse(out.read_text(encoding="utf-8"), "x") == parse(SHIPPED.read_text(encoding="utf-8"), "y")


def test_changed_office_updates_hours_letterhead_and_role_grants(
    app, runner, write_yaml, office_doc, make_user, client, auth
):
    office_doc["name"] = "Dinas Uji Coba Terpadu"
    office_doc["head"]["signature"] = "Kepala Dinas Uji Coba Terpadu"
    office_doc["office_hours"] = {"mon": "08:00-15:00", "sat": "08:00-12:00"}
    office_doc["roles"]["Petugas Arsip Lambda"] = ["registers.cases"]
    office_doc["roles"]["Kepala Bidang"].remove("dashboard")
    result = runner.invoke(args=["office", "load", str(write_yaml(office_doc, "office.yaml"))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        hours = {
            r.weekday: (r.opens.isoformat("minutes"), r.closes.isoformat("minutes"))
            for r in db.session.scalars(sa.select(OfficeHours))
        }
        assert hours == {0: ("08:00", "15:00"), 5: ("08:00", "12:00")}
        assert current_office().name == "Dinas Uji Coba Terpadu"
    # A role named only in the office file opens what its capability gives, and nothing more.
    archivist = make_user("Petugas Arsip Lambda")
    auth.login(archivist)
    assert client.get("/registers/cases/").status_code == 200
    assert client.get("/registers/complaints/").status_code == 403
    assert client.get("/dashboard/leaders/").status_code == 403
    # A capability taken out of the office file is taken from the role.
    auth.logout()
    auth.login(make_user("Kepala Bidang"))
    assert client.get("/dashboard/leaders/").status_code == 403
    assert client.get("/registers/cases/").status_code == 200


def test_documents_print_the_office_of_the_definition(app, runner, write_yaml, office_doc):
    office_doc["letterhead"] = ["PEMERINTAH KABUPATEN UJI"]
    office_doc["name"] = "Dinas Perizinan Kabupaten Uji"
    office_doc["head"]["signature"] = "Kepala Dinas Perizinan Kabupaten Uji"
    assert runner.invoke(args=["office", "load", str(write_yaml(office_doc, "office.yaml"))]).exit_code == 0
    from app import documents
    from models import Service

    with app.test_request_context():
        service = db.session.scalar(sa.select(Service).where(Service.code == "TD-BKK"))
        text = pdf_text(documents.standard_pdf(service))
    assert "PEMERINTAH KABUPATEN UJI" in text and "DINAS PERIZINAN KABUPATEN UJI" in text


def test_a_second_office_code_replaces_the_office_only_when_asked(app, runner, write_yaml, office_doc):
    office_doc["code"] = "DPMPTSP-LAIN"
    office_doc["short_name"] = "DPMPTSP Kabupaten Lain"
    path = str(write_yaml(office_doc, "office.yaml"))
    result = runner.invoke(args=["office", "load", path])
    assert result.exit_code != 0 and "office.yaml: code:" in result.output and "--replace" in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(Office.code)).all() == ["DPMPTSP-PKU"]
    assert runner.invoke(args=["office", "load", "--replace", path]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(sa.select(Office.short_name)).all() == ["DPMPTSP Kabupaten Lain"]


def test_bootstrap_never_reverts_an_offices_own_definitions(app, runner, write_yaml, office_doc, td_bkk_doc):
    """An upgrade's `flask bootstrap` adds what is missing; a loaded office or service stays as loaded."""
    office_doc["code"] = "DPMPTSP-LAIN"
    office_doc["office_hours"]["fri"] = "08:00-11:30"
    assert (
        runner.invoke(args=["office", "load", "--replace", str(write_yaml(office_doc, "office.yaml"))]).exit_code == 0
    )
    td_bkk_doc["completion_working_days"] = 9
    assert runner.invoke(args=["service", "load", str(write_yaml(td_bkk_doc, "td.yaml"))]).exit_code == 0
    assert runner.invoke(args=["bootstrap"]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(sa.select(Office.code)).all() == ["DPMPTSP-LAIN"]
        friday = db.session.scalar(sa.select(OfficeHours).where(OfficeHours.weekday == 4))
        assert friday.closes.isoformat("minutes") == "11:30"
        from models import Service

        assert db.session.scalar(sa.select(Service.completion_working_days).where(Service.code == "TD-BKK")) == 9


def test_the_heads_role_must_be_an_office_role(runner, write_yaml, office_doc):
    office_doc["head"]["role"] = "Bupati Entah"
    result = runner.invoke(args=["office", "load", str(write_yaml(office_doc, "office.yaml"))])
    assert result.exit_code != 0 and "office.yaml: head.role:" in result.output


def test_without_office_hours_a_new_case_is_a_clear_503_not_a_crash(app, api, make_user):
    with app.app_context():
        db.session.execute(sa.delete(OfficeHours))
        db.session.commit()
    clerk = make_user("Front Office")
    from tests.factories import sample_applicant, sample_institution

    answer = api.post(
        clerk,
        "/api/v1/cases/",
        json={
            "service": "TD-BKK",
            "applicant": sample_applicant(),
            "institution": sample_institution(),
            "form": {"luas_ruangan_m2": "48.5", "rencana_penempatan": "25"},
        },
    )
    assert answer.status_code == 503
    assert "flask bootstrap" in answer.json["message"]
