"""Step kinds: one registry, any order, each kind's needs refuse a forward with its own message.

The kinds a definition may use are the registry's (app.cases.step_kinds): the
schema accepts exactly those, the README documents exactly those, and a
definition written here puts them in an order no shipped service uses (the
signature before the inspection, the checklist after it, a task and two
approvals in between) and still walks from intake to handover.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from app.cases import step_kinds
from app.core.extensions import db
from app.services.definition import DefinitionError
from app.services.schema import validate
from models import Case, InspectionReport
from models.service import STEP_KINDS
from tests.cases.conftest import api  # noqa: F401  (the JSON client fixture)
from tests.definitions.walker import case_state, step_data, walk_case
from tests.factories import sample_applicant
from tests.screens.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]

SHUFFLED = {
    "format": 1,
    "code": "UJI-ACAK",
    "name": "Izin Uji Urutan Acak",
    "product": "Surat Izin Uji Acak",
    "fee": 0,
    "completion_working_days": 4,
    "number_format": "{seq:03d}/ACAK/{year}",
    "institution": "none",
    "standard": {},
    "executors": [
        {"code": "warga_acak", "name": "Warga Acak", "applicant": True},
        {"code": "loket_acak", "name": "Loket Acak"},
        {"code": "pengesah_acak", "name": "Pengesah Acak"},
        {"code": "peninjau_acak", "name": "Peninjau Acak"},
        {"code": "penyusun_acak", "name": "Penyusun Acak"},
    ],
    "requirements": [
        {"code": "surat_acak", "name": "Surat permohonan acak", "required": True, "document": True},
        {"code": "denah_acak", "name": "Denah acak", "required": True, "document": False},
    ],
    "form": [{"name": "nama_usaha", "label": "Nama usaha", "type": "text", "required": True}],
    "steps": [
        {
            "no": 1,
            "activity": "Menerima berkas",
            "kind": "intake",
            "executors": ["warga_acak", "loket_acak"],
            "minutes": 5,
        },
        {"no": 2, "activity": "Mencatat berkas", "kind": "task", "executors": ["loket_acak"], "minutes": 5},
        {
            "no": 3,
            "activity": "Mengesahkan lebih dahulu",
            "kind": "sign",
            "executors": ["pengesah_acak"],
            "hours": 1,
            "returns_to": 2,
        },
        {
            "no": 4,
            "activity": "Meninjau lapangan",
            "kind": "inspect",
            "executors": ["peninjau_acak"],
            "working_days": 1,
            "returns_to": 2,
        },
        {
            "no": 5,
            "activity": "Memeriksa berkas sesudah peninjauan",
            "kind": "verify",
            "executors": ["loket_acak"],
            "minutes": 20,
            "returns_to": "applicant",
        },
        {"no": 6, "activity": "Menyetujui", "kind": "approve", "executors": ["pengesah_acak"], "minutes": 10},
        {"no": 7, "activity": "Menyusun naskah", "kind": "draft", "executors": ["penyusun_acak"], "hours": 1},
        {"no": 8, "activity": "Menyetujui naskah", "kind": "approve", "executors": ["pengesah_acak"], "minutes": 10},
        {"no": 9, "activity": "Memberi nomor", "kind": "number", "executors": ["penyusun_acak"], "minutes": 5},
        {
            "no": 10,
            "activity": "Menyerahkan izin",
            "kind": "handover",
            "executors": ["warga_acak", "loket_acak"],
            "minutes": 5,
        },
    ],
}
ROLES = {e["code"]: e["name"] for e in SHUFFLED["executors"]}


def _with_kinds(kinds: list[str]) -> dict:
    """SHUFFLED with its steps replaced by one step per kind, in the order given."""
    doc = copy.deepcopy(SHUFFLED)
    doc["steps"] = [
        {"no": i, "activity": f"Langkah {i}", "kind": kind, "executors": ["loket_acak"], "minutes": 5}
        for i, kind in enumerate(kinds, 1)
    ]
    return doc


def _readme_kinds() -> list[str]:
    """The first column of README's table of kinds (under "| kind | forward needs |")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"^\s*\| kind \| forward needs \|.*\n((?:\s*\|.*\n)+)", text, re.MULTILINE).group(1)
    return re.findall(r"^\s*\| `([a-z_]+)` \|", table, re.MULTILINE)


def test_one_list_of_kinds_the_schema_the_models_and_the_readme_agree_on(app):
    names = step_kinds.names()
    assert names == tuple(STEP_KINDS) == tuple(step_kinds.REGISTRY)
    assert len(set(names)) == len(names) == 9
    with app.app_context():
        # Every registered kind is accepted, in reverse order too; an unregistered one is refused, naming the list.
        assert [s.kind for s in validate(_with_kinds(list(reversed(names))), "acak.yaml").steps] == list(
            reversed(names)
        )
        with pytest.raises(DefinitionError) as refused:
            validate(_with_kinds(["intake", "review"]), "acak.yaml")
    assert "steps[1].kind" in str(refused.value) and "'review'" in str(refused.value)
    assert ", ".join(names) in str(refused.value)
    assert _readme_kinds() == list(names)


def test_design_document_lists_the_registered_kinds():
    design = next((p for p in (ROOT / "DESIGN.md", ROOT.parent / "shared" / "DESIGN.md") if p.is_file()), None)
    if design is None:
        pytest.skip("DESIGN.md is not beside this checkout")
    documented = re.search(r"kind: \w+\s+# ([a-z|]+)", design.read_text(encoding="utf-8")).group(1).split("|")
    assert documented == list(step_kinds.names())


def test_each_kind_declares_what_it_needs_records_and_shows():
    kinds = step_kinds.REGISTRY
    # What the engine, the page and the documents ask of them.
    assert {k for k, v in kinds.items() if v.needs} == {"verify", "inspect", "sign", "handover"}
    assert {k for k, v in kinds.items() if v.form_template} == {"inspect", "sign", "handover"}
    assert {k for k, v in kinds.items() if v.checklist_rights} == {"intake", "verify"}
    assert kinds["verify"].checklist_rights == {step_kinds.UPLOAD, step_kinds.TICK}
    assert step_kinds.step_showing([], "bap") is None
    for kind in kinds.values():
        assert kind.forward_label, kind.name
        if kind.form_template:
            assert (ROOT / "app" / "templates" / kind.form_template).is_file(), kind.form_template


@pytest.fixture
def shuffled(app, runner, write_yaml):
    result = runner.invoke(args=["service", "load", str(write_yaml(SHUFFLED, "uji-acak.yaml"))])
    assert result.exit_code == 0, result.output
    return SHUFFLED["code"]


def _staff(make_user) -> dict[str, str]:
    return {code: make_user(name, first_name=name.split()[0], last_name="Uji") for code, name in ROLES.items()}


def test_kinds_in_another_order_walk_from_intake_to_handover(app, api, make_user, shuffled):
    staff = _staff(make_user)
    case = walk_case(app, api, staff, shuffled)
    assert case["status"] == "handed_over"
    assert re.fullmatch(r"001/ACAK/\d{4}", case["certificate_no"])
    assert [e["kind"] for e in case["control_card"]] == [s["kind"] for s in SHUFFLED["steps"]]
    with app.app_context():
        row = db.session.get(Case, case["id"])
        # The sign step recorded its signer although it came before the inspection.
        assert row.signed_by_id is not None and row.received_by == "Penerima Produk"
        assert db.session.query(InspectionReport).filter_by(case_id=row.id).count() == 1


def _forward(api, username, case_id, app, data=None):
    return api.act(username, case_id, "forward", case_state(app, case_id)["version"], data=data)


def test_each_needing_kind_refuses_forward_with_its_own_message(app, api, make_user, shuffled):
    staff = _staff(make_user)
    created = api.post(
        staff["loket_acak"],
        "/api/v1/cases/",
        json={"service": shuffled, "applicant": sample_applicant(), "form": {"nama_usaha": "Usaha Acak"}},
    )
    assert created.status_code == 201, created.json
    case_id = created.json["id"]
    for step in SHUFFLED["steps"][:3]:  # intake, task: nothing needed; sign: the signer's confirmation
        actor = staff["loket_acak" if "loket_acak" in step["executors"] else step["executors"][0]]
        if step["kind"] == "sign":
            refused = _forward(api, actor, case_id, app)
            assert refused.status_code == 422 and "confirm" in refused.json["errors"]
        assert _forward(api, actor, case_id, app, step_data(step["kind"])).status_code == 200

    # inspect: the BAP is required, and it must recommend approval.
    inspector = staff["peninjau_acak"]
    before = case_state(app, case_id)
    missing = _forward(api, inspector, case_id, app)
    assert missing.status_code == 422, missing.json
    assert missing.json["message"] == "Berita Acara Pemeriksaan (BAP) wajib diisi."
    assert "report" in missing.json["errors"]
    wanting = step_data("inspect")
    wanting["report"]["recommendation"] = "tidak_memenuhi"
    refused = _forward(api, inspector, case_id, app, wanting)
    assert refused.status_code == 422
    assert refused.json["message"] == "BAP tidak merekomendasikan persetujuan: kembalikan berkas."
    assert set(refused.json["errors"]) == {"report.recommendation"}
    assert case_state(app, case_id) == before
    assert _forward(api, inspector, case_id, app, step_data("inspect")).status_code == 200

    # verify (after the inspection here): every required line ticked, with its scan where it is a document.
    clerk = staff["loket_acak"]
    unticked = _forward(api, clerk, case_id, app)
    assert unticked.status_code == 422
    assert unticked.json["message"] == "Persyaratan wajib belum diperiksa: Surat permohonan acak; Denah acak."
    assert set(unticked.json["errors"]) == {"requirements"}
    assert api.upload(clerk, case_id, "surat_acak").status_code == 201
    for code in ("surat_acak", "denah_acak"):
        assert api.check(clerk, case_id, code).status_code == 200
    assert _forward(api, clerk, case_id, app).status_code == 200

    for username in (staff["pengesah_acak"], staff["penyusun_acak"], staff["pengesah_acak"], staff["penyusun_acak"]):
        assert _forward(api, username, case_id, app).status_code == 200
    assert case_state(app, case_id)["status"] == "completed"

    # handover: who received the product.
    before = case_state(app, case_id)
    no_receipt = _forward(api, clerk, case_id, app)
    assert no_receipt.status_code == 422
    assert no_receipt.json["message"] == "Tanda terima penyerahan belum lengkap."
    assert set(no_receipt.json["errors"]) == {"received_by", "id_no"}
    assert case_state(app, case_id) == before
    assert _forward(api, clerk, case_id, app, step_data("handover")).status_code == 200
    assert case_state(app, case_id)["status"] == "handed_over"


def test_sop_without_handover_ends_completed_at_numbering(app, api, make_user, runner, write_yaml):
    doc = _with_kinds(["intake", "number"])
    doc["code"] = "UJI-SINGKAT"
    assert runner.invoke(args=["service", "load", str(write_yaml(doc, "singkat.yaml"))]).exit_code == 0
    clerk = make_user("Loket Acak")
    created = api.post(
        clerk,
        "/api/v1/cases/",
        json={"service": "UJI-SINGKAT", "applicant": sample_applicant(), "form": {"nama_usaha": "Usaha Singkat"}},
    )
    assert created.status_code == 201, created.json
    case_id = created.json["id"]
    assert _forward(api, clerk, case_id, app).status_code == 200
    numbered = _forward(api, clerk, case_id, app)
    assert numbered.status_code == 200, numbered.json
    assert re.fullmatch(r"001/ACAK/\d{4}", numbered.json["certificate_no"])
    assert case_state(app, case_id)["status"] == "completed" and case_state(app, case_id)["step"] is None


def test_case_page_shows_the_form_and_label_of_the_current_kind(app, client, auth, api, make_user, shuffled):
    staff = _staff(make_user)
    created = api.post(
        staff["loket_acak"],
        "/api/v1/cases/",
        json={"service": shuffled, "applicant": sample_applicant(), "form": {"nama_usaha": "Usaha Acak"}},
    )
    case_id = created.json["id"]
    usernames = (staff["loket_acak"], staff["loket_acak"], staff["pengesah_acak"])
    for username, step in zip(usernames, SHUFFLED["steps"][:3], strict=True):
        assert _forward(api, username, case_id, app, step_data(step["kind"])).status_code == 200
    auth.login(staff["peninjau_acak"])
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    # The inspect kind's BAP form, its hint and its button; no other kind's form.
    assert 'name="findings"' in page and 'name="recommendation"' in page and 'name="received_by"' not in page
    assert "Simpan BAP dan teruskan" in page
    assert f"/documents/case/{case_id}/assignment-letter.pdf" in page  # the inspect kind's document
    token = csrf_from(client.get(f"/cases/{case_id}"))
    version = case_state(app, case_id)["version"]
    refused = client.post(
        f"/cases/{case_id}/act",
        data={
            "csrf_token": token,
            "action": "forward",
            "version": version,
            "date": "2026-12-01",
            "findings": "",
            "recommendation": "memenuhi",
            "team": "Peninjau",
        },
        follow_redirects=True,
    )
    assert "alert-danger" in refused.get_data(as_text=True)
    assert case_state(app, case_id)["version"] == version
