"""Every class of bad definition is refused with file, path and reason, and writes nothing."""

from __future__ import annotations

import pytest

from app.services.definition import DefinitionError
from app.services.loader import load_file
from app.services.schema import validate
from app.services.yaml_format import dump, parse
from tests.definitions.conftest import TD_BKK


def _doc():
    return parse(TD_BKK.read_text(encoding="utf-8"), TD_BKK.name)


def _text(edit):
    """A case that edits the YAML text itself (syntax errors, duplicate keys)."""
    return lambda: edit(TD_BKK.read_text(encoding="utf-8"))


def _mutate(edit):
    def build():
        doc = _doc()
        edit(doc)
        return dump(doc)

    return build


def _set(path, value):
    def edit(doc):
        *parents, last = path
        node = doc
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


def _del(path):
    def edit(doc):
        *parents, last = path
        node = doc
        for key in parents:
            node = node[key]
        del node[last]

    return edit


def _swap_steps(doc):
    doc["steps"][3], doc["steps"][4] = doc["steps"][4], doc["steps"][3]


# id -> (build YAML text, fragments the message must contain: the path and the culprit)
CASES = {
    "broken_yaml": (_text(lambda t: t.replace("kind: verify", "kind: [verify")), ["td-bkk.yaml: ", "YAML"]),
    "duplicate_yaml_key": (_text(lambda t: t.replace("fee: 0 ", "fee: 0\nfee: 5 ")), ["td-bkk.yaml: ", "'fee'"]),
    "unknown_top_key": (_mutate(_set(["owner"], "DPMPTSP")), ["td-bkk.yaml: owner:", "'owner'"]),
    "unknown_step_key": (_mutate(_set(["steps", 1, "duration"], 3)), ["steps[1].duration:"]),
    "unknown_executor_key": (_mutate(_set(["executors", 2, "nip"], "1")), ["executors[2].nip:"]),
    "missing_key": (_mutate(_del(["product"])), ["td-bkk.yaml: ", "'product'"]),
    "missing_step_activity": (_mutate(_del(["steps", 5, "activity"])), ["steps[5]:", "'activity'"]),
    "bad_code": (_mutate(_set(["code"], "td bkk")), ["code:", "td bkk"]),
    "code_too_long": (_mutate(_set(["code"], "TD-" + "B" * 40)), ["code:", "40"]),
    "executor_name_too_long": (
        _mutate(_set(["executors", 1, "name"], "Front Office " * 10)),
        ["executors[1].name:", "120"],
    ),
    "format_2": (_mutate(_set(["format"], 2)), ["format:"]),
    "unknown_executor": (
        _mutate(_set(["steps", 2, "executors", 0], "tim_teknik")),
        ["td-bkk.yaml: steps[2].executors[0]:", "'tim_teknik'"],
    ),
    "duplicate_executor_code": (
        _mutate(_set(["executors", 3, "code"], "back_office")),
        ["executors[3]:", "back_office"],
    ),
    "duplicate_step_number": (_mutate(_set(["steps", 3, "no"], 3)), ["steps[3]:", "3"]),
    "steps_out_of_order": (_mutate(_swap_steps), ["steps[3].no:", "5"]),
    "two_time_keys": (_mutate(_set(["steps", 0, "hours"], 1)), ["steps[0]:", "minutes", "hours"]),
    "no_time_key": (_mutate(_del(["steps", 0, "minutes"])), ["steps[0]:", "working_days"]),
    "time_not_a_number": (_mutate(_set(["steps", 0, "minutes"], "tiga")), ["steps[0].minutes:"]),
    "returns_to_later_step": (_mutate(_set(["steps", 4, "returns_to"], 6)), ["steps[4].returns_to:", "6"]),
    "returns_to_same_step": (_mutate(_set(["steps", 4, "returns_to"], 5)), ["steps[4].returns_to:", "5"]),
    "returns_to_unknown": (_mutate(_set(["steps", 4, "returns_to"], "front_office")), ["steps[4].returns_to:"]),
    "step_without_executors": (_mutate(_set(["steps", 1, "executors"], [])), ["steps[1].executors:"]),
    "unknown_step_kind": (_mutate(_set(["steps", 1, "kind"], "review")), ["steps[1].kind:", "'review'"]),
    "unknown_field_type": (_mutate(_set(["form", 0, "type"], "money")), ["form[0].type:", "'money'"]),
    "choice_without_choices": (_mutate(_set(["form", 0, "type"], "choice")), ["form[0]:", "choices"]),
    "choices_on_a_text_field": (_mutate(_set(["form", 0, "choices"], ["a"])), ["form[0].choices:"]),
    "duplicate_field_name": (_mutate(_set(["form", 1, "name"], "luas_ruangan_m2")), ["form[1]:", "luas_ruangan_m2"]),
    "duplicate_requirement_code": (_mutate(_set(["requirements", 4, "code"], "ktp")), ["requirements[4]:", "ktp"]),
    "requirement_flag_not_boolean": (
        _mutate(_set(["requirements", 0, "document"], "ya")),
        ["requirements[0].document:"],
    ),
    "negative_fee": (_mutate(_set(["fee"], -5000)), ["fee:"]),
    "unknown_placeholder": (_mutate(_set(["number_format"], "{seq}/{day}")), ["number_format:", "{day}"]),
    "number_without_seq": (_mutate(_set(["number_format"], "TD-BKK/{year}")), ["number_format:", "{seq}"]),
    "bad_seq_format_spec": (_mutate(_set(["number_format"], "{seq:03q}/{year}")), ["number_format:"]),
    "format_spec_on_year": (_mutate(_set(["number_format"], "{seq}/{year:04d}")), ["number_format:", "{year}"]),
    "unknown_component": (_mutate(_set(["standard", "faq"], ["Tanya jawab"])), ["standard.faq:", "'faq'"]),
    "empty_component_item": (_mutate(_set(["standard", "facilities", 2], "")), ["standard.facilities[2]:"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validation_names_file_path_and_reason(case):
    build, fragments = CASES[case]
    with pytest.raises(DefinitionError) as err:
        validate(parse(build(), "td-bkk.yaml"), "td-bkk.yaml")
    message = str(err.value)
    assert message.startswith("td-bkk.yaml: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_refused_files_write_nothing_and_fail_the_cli(app, runner, write_yaml, dump_tables):
    before = dump_tables()
    for case in sorted(CASES):
        build, fragments = CASES[case]
        path = write_yaml(build(), "td-bkk.yaml")
        with app.app_context(), pytest.raises(DefinitionError):
            load_file(path)
        rv = runner.invoke(args=["service", "load", str(path)])
        assert rv.exit_code != 0, case
        assert fragments[0] in rv.stderr, (case, rv.stderr)
        assert dump_tables() == before, case


def test_the_shipped_file_itself_is_valid():
    definition = validate(_doc(), "td-bkk.yaml")
    assert definition.code == "TD-BKK" and len(definition.steps) == 10


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def test_broken_yaml_names_its_line_in_indonesian(app, runner, write_yaml):
    text = TD_BKK.read_text(encoding="utf-8").replace("  kind: verify", "\tkind: verify")
    rv = runner.invoke(args=["service", "load", str(write_yaml(text, "td-bkk.yaml"))])
    assert rv.exit_code != 0
    line = _line_of(text, "\tkind: verify")
    assert f"td-bkk.yaml: baris {line}: YAML tidak sah" in rv.stderr, rv.stderr


def test_cli_refusal_reads_in_indonesian(app, runner, write_yaml):
    doc = _doc()
    doc["steps"][2]["executors"] = ["tim_teknik"]
    rv = runner.invoke(args=["service", "load", str(write_yaml(dump(doc), "td-bkk.yaml"))])
    assert rv.exit_code != 0
    assert "td-bkk.yaml: steps[2].executors[0]: pelaksana 'tim_teknik' tidak dikenal" in rv.stderr
