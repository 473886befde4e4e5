"""Loading, updating and exporting service definitions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.services.definition import DefinitionError
from app.services.loader import export, load, load_file
from app.services.yaml_format import parse
from models import Applicant, Case, Service, Step
from tests.definitions.conftest import TD_BKK


def test_load_export_reload_gives_the_same_document(app, write_yaml, dump_tables):
    original = parse(TD_BKK.read_text(encoding="utf-8"), TD_BKK.name)
    with app.app_context():
        text = export("TD-BKK")
    assert parse(text, "export.yaml") == original
    before = dump_tables()
    with app.app_context():
        load_file(write_yaml(text, "export.yaml"))
        assert export("TD-BKK") == text
    assert dump_tables() == before


def test_loading_the_same_file_twice_changes_nothing(app, dump_tables):
    before = dump_tables()
    with app.app_context():
        load_file(TD_BKK)
        load_file(TD_BKK)
    assert dump_tables() == before


def test_update_in_place_keeps_ids_and_changes_values(app, td_bkk_doc, write_yaml):
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        service_id, step_ids = service.id, [s.id for s in service.steps]
    td_bkk_doc["steps"][2]["working_days"] = 5
    td_bkk_doc["requirements"][3]["name"] = "Foto Copy KTP elektronik penanggungjawab BKK"
    td_bkk_doc["form"].append({"name": "jumlah_alumni", "label": "Jumlah alumni", "type": "integer", "required": False})
    with app.app_context():
        load_file(write_yaml(td_bkk_doc))
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        assert service.id == service_id
        assert [s.id for s in service.steps] == step_ids
        assert service.steps[2].working_days == 5
        assert service.requirements[3].name == "Foto Copy KTP elektronik penanggungjawab BKK"
        assert [f.name for f in service.form_fields][-1] == "jumlah_alumni"
        assert parse(export("TD-BKK"), "x") == td_bkk_doc


def _running_case(service_code: str, step_no: int, status: str = "in_progress") -> None:
    service = db.session.scalar(select(Service).where(Service.code == service_code))
    applicant = Applicant(nik="1471010101900001", name="Siti Aminah")
    db.session.add(applicant)
    db.session.flush()
    db.session.add(
        Case(
            registration_no=f"UJI-{step_no}-{status}",
            service_id=service.id,
            applicant_id=applicant.id,
            status=status,
            current_step_no=step_no,
            form_data={},
        )
    )
    db.session.commit()


def test_a_step_a_running_case_sits_on_is_not_deleted(app, td_bkk_doc, write_yaml, dump_tables):
    with app.app_context():
        _running_case("TD-BKK", 10, status="returned")
    before = dump_tables()
    del td_bkk_doc["steps"][9]
    path = write_yaml(td_bkk_doc, "td-bkk.yaml")
    with app.app_context(), pytest.raises(DefinitionError) as err:
        load_file(path)
    assert "td-bkk.yaml: steps:" in str(err.value) and "10" in str(err.value)
    assert dump_tables() == before


def test_a_step_no_running_case_sits_on_may_go(app, td_bkk_doc, write_yaml):
    with app.app_context():
        _running_case("TD-BKK", 10, status="handed_over")
    del td_bkk_doc["steps"][9]
    with app.app_context():
        service = load_file(write_yaml(td_bkk_doc))
        assert [s.no for s in service.steps] == list(range(1, 10))
        assert db.session.scalar(select(Step).where(Step.service_id == service.id, Step.no == 10)) is None


def test_an_error_after_writes_began_leaves_nothing(app, dump_tables):
    """A new executor is added before the clash on the second one is found: all rolled back."""
    before = dump_tables()
    doc = {
        "format": 1,
        "code": "UJI-1",
        "name": "Uji",
        "product": "Surat Uji",
        "fee": 0,
        "completion_working_days": 1,
        "number_format": "{seq}/UJI/{year}",
        "standard": {},
        "executors": [
            {"code": "petugas_baru", "name": "Petugas Baru"},
            {"code": "front_office", "name": "Loket Depan"},
        ],
        "requirements": [],
        "form": [],
        "steps": [{"no": 1, "activity": "Uji", "kind": "task", "executors": ["petugas_baru"], "minutes": 1}],
    }
    with app.app_context(), pytest.raises(DefinitionError) as err:
        load(doc, "uji.yaml")
    assert str(err.value).startswith("uji.yaml: executors[1]")
    assert dump_tables() == before


def test_cli_load_and_export(app, runner, td_bkk_doc, write_yaml, tmp_path):
    td_bkk_doc["steps"][4]["minutes"] = 7
    ok = runner.invoke(args=["service", "load", str(write_yaml(td_bkk_doc))])
    assert ok.exit_code == 0, ok.output
    assert "TD-BKK" in ok.output
    out = tmp_path / "out.yaml"
    rv = runner.invoke(args=["service", "export", "TD-BKK", "-o", str(out)])
    assert rv.exit_code == 0, rv.output
    assert parse(out.read_text(encoding="utf-8"), "out.yaml")["steps"][4]["minutes"] == 7
    rv = runner.invoke(args=["service", "export", "TD-BKK"])
    assert rv.exit_code == 0 and parse(rv.stdout, "stdout") == td_bkk_doc
    missing = runner.invoke(args=["service", "export", "NOPE"])
    assert missing.exit_code != 0 and "NOPE" in missing.stderr


def test_reloading_the_file_undoes_edits_made_in_the_console(app, runner):
    with app.app_context():
        step = db.session.scalar(select(Step).join(Service).where(Service.code == "TD-BKK", Step.no == 2))
        step.minutes, step.hours = None, 1
        db.session.commit()
        load_file(TD_BKK)
        step = db.session.scalar(select(Step).join(Service).where(Service.code == "TD-BKK", Step.no == 2))
        assert (step.minutes, step.hours) == (35, None)


def test_export_refuses_a_definition_broken_outside_the_loader(app, runner):
    with app.app_context():
        step = db.session.scalar(select(Step).join(Service).where(Service.code == "TD-BKK", Step.no == 2))
        step.hours = 1  # now both minutes and hours
        db.session.commit()
    rv = runner.invoke(args=["service", "export", "TD-BKK"])
    assert rv.exit_code != 0
    assert "TD-BKK (database): steps[1]:" in rv.stderr
