"""Walk one case of any loaded service through the JSON API, reading the SOP from the API itself.

Nothing here knows a service, a role or a step: what to send comes from
`GET /api/v1/services/` (DESIGN.md's contract), who may act from each step's
executors. At every step every other executor role of the service tries the
action first and must get 403 with the case unchanged.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from app.core.extensions import db
from models import Case, ControlCardEntry
from tests.factories import SAMPLE_PDF, sample_applicant
from tests.reading import pdf_text

SAMPLE = {
    "text": "Contoh isian",
    "integer": "7",
    "decimal": "12.5",
    "date": "2026-01-05",
    "email": "uji@example.test",
    "phone": "081234567890",
    "nik": "1471010101900001",
}


def sample_form(service: dict) -> dict[str, Any]:
    """A valid value for every field of the service's form, within its bounds."""
    values = {}
    for field in service["form"]:
        if field["type"] == "choice":
            values[field["name"]] = field["choices"][0]
        elif field["type"] in ("integer", "decimal") and field.get("min") is not None:
            values[field["name"]] = str(field["min"])
        elif field["type"] == "date" and field.get("min") is not None:
            values[field["name"]] = field["min"]
        else:
            values[field["name"]] = SAMPLE[field["type"]]
    return values


def step_data(kind: str) -> dict[str, Any]:
    if kind == "inspect":
        return {
            "report": {
                "date": date.today().isoformat(),
                "findings": "Sesuai persyaratan.",
                "recommendation": "memenuhi",
                "team": ["Petugas Lapangan"],
            }
        }
    if kind == "handover":
        return {"received_by": "Penerima Produk", "id_no": "1471010101900001"}
    if kind == "sign":
        return {"confirm": True}
    return {}


def case_state(app, case_id: int) -> dict[str, Any]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        return {
            "status": case.status,
            "step": case.current_step_no,
            "version": case.version,
            "card": db.session.query(ControlCardEntry).filter_by(case_id=case_id).count(),
        }


def service_of(api, username: str, code: str) -> dict:
    listing = api.get(username, "/api/v1/services/")
    assert listing.status_code == 200, listing.json
    return next(s for s in listing.json["result"] if s["code"] == code)


def walk_case(app, api, staff: dict[str, str], code: str) -> dict:
    """Register a case of service `code` and forward it to the end.

    `staff` maps every executor code of the service to a username holding
    that executor's role and nothing else. Returns the last case detail and
    the number of refusals checked.
    """
    service = service_of(api, next(iter(staff.values())), code)
    executors = {e["code"]: e for e in service["executors"]}
    officers = {c: u for c, u in staff.items() if not executors[c]["applicant"]}
    intake = service["steps"][0]
    # The counter registers; where the intake step has no officer, the applicant applies.
    registrar = next((c for c in intake["executors"] if c in officers), intake["executors"][0])
    body = {"service": code, "applicant": sample_applicant(), "form": sample_form(service)}
    if service.get("institution") != "none":
        body["institution"] = {"name": "Lembaga Uji", "address": "Jl. Uji 1", "license_no": "UJI/1"}
    created = api.post(staff[registrar], "/api/v1/cases/", json=body)
    assert created.status_code == 201, created.json
    case = created.json
    case_id = case["id"]
    refusals = 0
    draft_no = next((s["no"] for s in service["steps"] if s["kind"] == "draft"), None)
    number_no = next((s["no"] for s in service["steps"] if s["kind"] == "number"), None)
    for step in service["steps"]:
        state = case_state(app, case_id)
        # The certificate: a KONSEP from the draft step until numbering, none before.
        if number_no is not None and step["no"] <= number_no:
            pdf = api.get(staff[registrar], f"/api/v1/cases/{case_id}/documents/certificate")
            if draft_no is not None and step["no"] >= draft_no:
                assert pdf.status_code == 200, (step["no"], pdf.json)
                assert "KONSEP" in pdf_text(pdf.data)
            else:
                assert pdf.status_code == 404 and set(pdf.json) == {"message"}, step["no"]
        assert state["step"] == step["no"], (state, step["no"])
        data = step_data(step["kind"])
        for executor_code, username in staff.items():
            if executor_code in step["executors"]:
                continue
            refused = api.post(
                username,
                f"/api/v1/cases/{case_id}/act",
                json={"action": "forward", "version": state["version"], "data": data},
            )
            # Applicants of another person's case do not even see it (404); officers, and the
            # applicant on their own case, get 403.
            expected = 404 if executors[executor_code]["applicant"] and executor_code != registrar else 403
            assert refused.status_code == expected, (step["no"], executor_code, refused.json)
            assert set(refused.json) == {"message"}
            assert case_state(app, case_id) == state
            refusals += 1
        actor = next((c for c in step["executors"] if c in officers), step["executors"][0])
        if actor not in officers:
            assert actor == registrar, "an applicant-only step needs the applicant's own case"
        if step["kind"] == "verify":
            for line in case["requirements"]:
                if line["document"]:
                    stored = api.post(
                        staff[actor],
                        f"/api/v1/cases/{case_id}/requirements/{line['code']}",
                        data={"file": (io.BytesIO(SAMPLE_PDF), "scan.pdf")},
                        content_type="multipart/form-data",
                    )
                    assert stored.status_code == 201, stored.json
                ticked = api.post(
                    staff[actor], f"/api/v1/cases/{case_id}/requirements/{line['code']}", json={"checked": True}
                )
                assert ticked.status_code == 200, ticked.json
        done = api.post(
            staff[actor],
            f"/api/v1/cases/{case_id}/act",
            json={"action": "forward", "version": state["version"], "data": data},
        )
        assert done.status_code == 200, (step["no"], done.json)
        case = done.json
        assert case["control_card"][-1]["step"] == step["no"]
        assert case["control_card"][-1]["role"] == executors[actor]["name"]
    last = service["steps"][-1]["kind"]
    assert case["status"] == ("handed_over" if last == "handover" else "completed"), case["status"]
    assert api.get(staff[registrar], "/api/v1/cases/").json["result"] == [] or last != "handover"
    assert len(case["control_card"]) == len(service["steps"])
    case["refusals"] = refusals
    return case
