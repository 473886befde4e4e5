"""Finding 2: free text has a limit everywhere, bodies are capped, documents render in bounded time.

Finding 9: absurd numbers, dates and bodies are 400/404/422, never a 500.
Each attack of the review is replayed here and must fail without writing anything.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.core.parsing import LIMITS, bounded_date, bounded_int
from models import Applicant, Case, Complaint, Institution, SurveyFollowUp, SurveyResponse
from tests.conftest import count_rows, csrf_token
from tests.factories import advance, new_case, sample_applicant, sample_institution

TOO_LONG = "Paling banyak {n} karakter."
SCORES = {f"u{i}": 3 for i in range(1, 10)}


@pytest.fixture
def admin(make_user):
    return make_user("Admin")


@pytest.fixture
def bearer(auth, admin):
    return auth.token(admin)


def words(n: int) -> str:
    """Exactly `n` characters of text with spaces, as an address or a finding is typed."""
    return ("Jl. Sudirman Gang Melati " * (n // 25 + 1))[: n - 1] + "."


def api_case_body(app) -> dict:
    """A valid TD-BKK application as the API takes it."""
    from app.cases.demo_data import sample_form
    from models import Service

    with app.app_context():
        service = db.session.scalar(sa.select(Service).where(Service.code == "TD-BKK"))
        return {
            "service": "TD-BKK",
            "applicant": sample_applicant(),
            "institution": sample_institution(),
            "form": sample_form(service),
        }


# --- finding 2: length limits -------------------------------------------------------------------


@pytest.mark.parametrize("field,limit", [("name", 200), ("address", 2000)])
def test_api_refuses_an_applicant_text_over_its_limit_with_422_naming_it(app, client, bearer, field, limit):
    body = api_case_body(app)
    body["applicant"][field] = "a" * (limit + 1)
    rv = client.post("/api/v1/cases/", json=body, headers=bearer)
    assert rv.status_code == 422, rv.json
    assert rv.json["errors"][f"applicant.{field}"] == TOO_LONG.format(n=limit)
    assert count_rows(app, Case) == 0
    body["applicant"][field] = "a" * limit
    assert client.post("/api/v1/cases/", json=body, headers=bearer).status_code == 201


@pytest.mark.parametrize("field,limit", [("name", 300), ("address", 2000), ("license_no", 120)])
def test_api_refuses_an_institution_text_over_its_limit(app, client, bearer, field, limit):
    body = api_case_body(app)
    body["institution"][field] = "b" * (limit + 1)
    rv = client.post("/api/v1/cases/", json=body, headers=bearer)
    assert rv.status_code == 422 and rv.json["errors"][f"institution.{field}"] == TOO_LONG.format(n=limit)
    assert count_rows(app, Case) == count_rows(app, Institution) == 0


def test_overlong_email_is_refused_before_any_pattern_runs(app, client, bearer):
    body = api_case_body(app)
    body["applicant"]["email"] = "a@" + "b." * 100_000 + " "
    started = time.monotonic()
    rv = client.post("/api/v1/cases/", json=body, headers=bearer)
    assert time.monotonic() - started < 2
    assert rv.status_code == 422 and rv.json["errors"]["applicant.email"] == TOO_LONG.format(n=200)


def test_form_text_field_has_a_default_cap_when_its_definition_sets_none(app):
    from types import SimpleNamespace

    from app.cases.input import validate_form

    field = SimpleNamespace(
        name="catatan",
        label="Catatan",
        type="text",
        required=True,
        choices=None,
        max_length=None,
        min_value=None,
        max_value=None,
    )
    with app.test_request_context():
        clean, errors = validate_form([field], {"catatan": "c" * (LIMITS["form.text"] + 1)})
    assert errors == {"catatan": TOO_LONG.format(n=LIMITS["form.text"])} and not clean
    clean, errors = validate_form([field], {"catatan": "c" * LIMITS["form.text"]})
    assert not errors and len(clean["catatan"]) == LIMITS["form.text"]


def test_api_applies_the_definitions_own_max_length(app, client, bearer):
    from app.cases.demo_data import sample_form
    from models import Service

    with app.app_context():
        service = db.session.scalar(sa.select(Service).where(Service.code == "IPDH"))
        field = next(f for f in service.form_fields if f.type == "text" and f.max_length)
        body = {
            "service": "IPDH",
            "applicant": sample_applicant(),
            "institution": sample_institution(),
            "form": sample_form(service),
        }
        name, limit = field.name, field.max_length
    body["form"][name] = "c" * (limit + 1)
    rv = client.post("/api/v1/cases/", json=body, headers=bearer)
    assert rv.status_code == 422 and rv.json["errors"][f"form.{name}"] == TOO_LONG.format(n=limit)
    assert count_rows(app, Case) == 0


def test_counter_form_refuses_an_overlong_address_and_shows_the_limit(app, client, auth, admin):
    auth.login(admin)
    token = csrf_token(client, "/cases/new/TD-BKK")
    body = api_case_body(app)
    data = {
        "csrf_token": token,
        **{f"applicant.{k}": v for k, v in body["applicant"].items()},
        **{f"institution.{k}": v for k, v in body["institution"].items()},
        **{f"form.{k}": v for k, v in body["form"].items()},
    }
    data["applicant.address"] = "d" * 2001
    rv = client.post("/cases/new/TD-BKK", data=data)
    assert rv.status_code == 200 and TOO_LONG.format(n=2000) in rv.get_data(as_text=True)
    assert count_rows(app, Case) == 0 and count_rows(app, Applicant) == 0


def test_a_3_mb_case_body_is_refused_413_in_indonesian_and_nothing_written(app, client, bearer):
    body = api_case_body(app)
    body["applicant"]["address"] = "e" * (3 * 1024 * 1024)
    rv = client.post("/api/v1/cases/", json=body, headers=bearer)
    assert rv.status_code == 413 and rv.is_json
    assert "256 KB" in rv.json["message"] and "Too Large" not in rv.json["message"]
    assert count_rows(app, Case) == 0


def test_a_body_just_over_the_json_cap_is_refused_but_a_scan_upload_may_be_larger(app, client, bearer):
    cap = app.config["MAX_BODY_BYTES"]
    body = api_case_body(app)
    body["note"] = "f" * cap
    assert client.post("/api/v1/cases/", json=body, headers=bearer).status_code == 413
    case_id = new_case(app)
    import io

    from app.cases.demo_data import SAMPLE_PDF

    with app.app_context():
        code = next(
            line.requirement.code for line in db.session.get(Case, case_id).requirements if line.requirement.document
        )
    scan = SAMPLE_PDF + b"%" + b"0" * (cap * 2)  # a larger scan than any JSON body may be
    rv = client.post(
        f"/api/v1/cases/{case_id}/requirements/{code}",
        headers=bearer,
        data={"file": (io.BytesIO(scan), "scan.pdf")},
        content_type="multipart/form-data",
    )
    assert rv.status_code == 201, rv.get_data(as_text=True)


def test_anonymous_4_5_mb_complaint_is_refused_413_and_stores_nothing(app, client):
    token = csrf_token(client, "/public/complaint")
    rv = client.post(
        "/public/complaint",
        data={
            "csrf_token": token,
            "name": "Budi",
            "email": "b@example.test",
            "subject": "Antrian",
            "description": "g" * (4_500_000),
        },
    )
    assert rv.status_code == 413 and "Berkas terlalu besar" in rv.get_data(as_text=True)
    assert count_rows(app, Complaint) == 0


def test_anonymous_complaint_over_the_description_limit_is_refused_with_the_limit(app, client):
    limit = LIMITS["complaint.description"]
    token = csrf_token(client, "/public/complaint")
    rv = client.post(
        "/public/complaint",
        data={
            "csrf_token": token,
            "name": "Budi",
            "email": "b@example.test",
            "subject": "Antrian",
            "description": "g" * (limit + 1),
        },
    )
    assert rv.status_code == 422 and TOO_LONG.format(n=limit) in rv.get_data(as_text=True)
    assert count_rows(app, Complaint) == 0


@pytest.mark.parametrize(
    "path,key,limit",
    [
        (("complainant", "name"), "complainant.name", 200),
        (("complainant", "address"), "complainant.address", 2000),
        (("subject",), "subject", 300),
        (("description",), "description", 5000),
    ],
)
def test_api_complaint_fields_over_their_limit_are_422_with_the_field(app, client, bearer, path, key, limit):
    body = {
        "channel": "letter",
        "complainant": {"name": "Budi", "address": "Jl. Riau 1"},
        "subject": "Antrian",
        "description": "Lama sekali.",
    }
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "h" * (limit + 1)
    rv = client.post("/api/v1/complaints/", json=body, headers=bearer)
    assert rv.status_code == 422 and rv.json["errors"][key] == TOO_LONG.format(n=limit)
    assert count_rows(app, Complaint) == 0


def test_complaint_action_note_and_reply_over_limit_are_refused(app, client, bearer):
    rv = client.post(
        "/api/v1/complaints/",
        json={
            "channel": "letter",
            "complainant": {"name": "Budi", "address": "Jl. Riau 1"},
            "subject": "Antrian",
            "description": "Lama.",
        },
        headers=bearer,
    )
    cid = rv.json["id"]
    rv = client.post(
        f"/api/v1/complaints/{cid}/act",
        headers=bearer,
        json={"action": "sort", "data": {"weight": "ringan", "note": "n" * 2001}},
    )
    assert rv.status_code == 422 and rv.json["errors"]["note"] == TOO_LONG.format(n=2000)
    assert (
        client.post(
            f"/api/v1/complaints/{cid}/act", headers=bearer, json={"action": "sort", "data": {"weight": "ringan"}}
        ).status_code
        == 200
    )
    rv = client.post(
        f"/api/v1/complaints/{cid}/act", headers=bearer, json={"action": "reply", "data": {"text": "r" * 5001}}
    )
    assert rv.status_code == 422 and rv.json["errors"]["text"] == TOO_LONG.format(n=5000)
    with app.app_context():
        assert db.session.get(Complaint, cid).reply is None


def test_return_and_reject_reasons_over_the_limit_are_422_and_change_nothing(app, client, bearer):
    case_id = new_case(app)
    advance(app, case_id, 2)
    version = client.get(f"/api/v1/cases/{case_id}", headers=bearer).json["version"]
    for action in ("return", "reject"):
        rv = client.post(
            f"/api/v1/cases/{case_id}/act",
            headers=bearer,
            json={"action": action, "version": version, "note": "z" * 2001},
        )
        assert rv.status_code == 422 and rv.json["errors"]["note"] == TOO_LONG.format(n=2000)
    after = client.get(f"/api/v1/cases/{case_id}", headers=bearer).json
    assert after["version"] == version and after["status"] == "in_progress"


def test_requirement_note_over_the_limit_is_refused(app, client, bearer):
    case_id = new_case(app)
    advance(app, case_id, 2)
    with app.app_context():
        code = next(
            line.requirement.code
            for line in db.session.get(Case, case_id).requirements
            if not line.requirement.document
        )
    rv = client.post(
        f"/api/v1/cases/{case_id}/requirements/{code}", headers=bearer, json={"checked": True, "note": "q" * 2001}
    )
    assert rv.status_code == 422 and rv.json["errors"]["note"] == TOO_LONG.format(n=2000)
    rv = client.post(
        f"/api/v1/cases/{case_id}/requirements/{code}", headers=bearer, json={"checked": True, "note": {"not": "text"}}
    )
    assert rv.status_code == 400


def _at_kind(app, case_id: int, kind: str) -> int:
    with app.app_context():
        case = db.session.get(Case, case_id)
        no = next(s.no for s in case.service.steps if s.kind == kind)
    advance(app, case_id, no)
    return no


def test_bap_findings_and_team_over_their_limits_are_422(app, client, bearer):
    case_id = new_case(app)
    _at_kind(app, case_id, "inspect")
    version = client.get(f"/api/v1/cases/{case_id}", headers=bearer).json["version"]
    report = {"date": "2026-01-05", "findings": "f" * 5001, "recommendation": "memenuhi", "team": ["Andi"]}
    rv = client.post(
        f"/api/v1/cases/{case_id}/act",
        headers=bearer,
        json={"action": "forward", "version": version, "data": {"report": report}},
    )
    assert rv.status_code == 422 and rv.json["errors"]["report.findings"] == TOO_LONG.format(n=5000)
    report.update(findings="Sesuai.", team=["t" * 201])
    rv = client.post(
        f"/api/v1/cases/{case_id}/act",
        headers=bearer,
        json={"action": "forward", "version": version, "data": {"report": report}},
    )
    assert rv.status_code == 422 and rv.json["errors"]["report.team"] == TOO_LONG.format(n=200)
    report.update(team=["Andi"] * 31, date="0001-01-01")
    rv = client.post(
        f"/api/v1/cases/{case_id}/act",
        headers=bearer,
        json={"action": "forward", "version": version, "data": {"report": report}},
    )
    assert rv.status_code == 422 and set(rv.json["errors"]) == {"report.team", "report.date"}


def test_handover_fields_over_their_limits_are_422(app, client, bearer):
    case_id = new_case(app)
    _at_kind(app, case_id, "handover")
    version = client.get(f"/api/v1/cases/{case_id}", headers=bearer).json["version"]
    rv = client.post(
        f"/api/v1/cases/{case_id}/act",
        headers=bearer,
        json={"action": "forward", "version": version, "data": {"received_by": "r" * 201, "id_no": "1" * 61}},
    )
    assert rv.status_code == 422
    assert rv.json["errors"] == {"received_by": TOO_LONG.format(n=200), "id_no": TOO_LONG.format(n=60)}


def test_survey_suggestion_over_the_limit_is_refused_in_the_api_and_the_public_form(app, client, bearer):
    rv = client.post(
        "/api/v1/surveys/", headers=bearer, json={"service": "TD-BKK", "scores": SCORES, "suggestion": "s" * 2001}
    )
    assert rv.status_code == 422 and rv.json["errors"]["suggestion"] == TOO_LONG.format(n=2000)
    client.get("/logout/")
    token = csrf_token(client, "/public/services/TD-BKK/survey")
    rv = client.post(
        "/public/services/TD-BKK/survey",
        data={"csrf_token": token, **dict.fromkeys(SCORES, "3"), "suggestion": "s" * 2001},
    )
    assert rv.status_code == 422 and TOO_LONG.format(n=2000) in rv.get_data(as_text=True)
    assert count_rows(app, SurveyResponse) == 0


def test_follow_up_plan_over_the_limit_is_refused(app):
    from app.survey import ikm as survey

    with app.app_context():
        with pytest.raises(survey.SurveyError) as refused:
            survey.add_follow_up(
                {
                    "service": "TD-BKK",
                    "element": "u1",
                    "period_from": "2026-01-01",
                    "period_to": "2026-03-31",
                    "plan": "p" * 2001,
                },
                None,
            )
        assert refused.value.status == 422 and refused.value.errors["plan"] == TOO_LONG.format(n=2000)
    assert count_rows(app, SurveyFollowUp) == 0


def test_the_limits_fit_the_columns_they_are_stored_in():
    from models import Complaint as C

    columns = {
        "applicant.name": Applicant.name,
        "applicant.email": Applicant.email,
        "institution.name": Institution.name,
        "institution.license_no": Institution.license_no,
        "received_by": Case.received_by,
        "id_no": Case.received_id_no,
        "complainant.name": C.complainant_name,
        "complainant.email": C.complainant_email,
        "complaint.subject": C.subject,
    }
    for key, column in columns.items():
        assert LIMITS[key] <= column.type.length, key


# --- finding 2: documents render in bounded time --------------------------------------------------


def _max_case(app) -> int:
    """A TD-BKK case whose every free-text field holds the longest text it accepts, walked to the handover."""
    with app.app_context():
        from models import Service

        service = db.session.scalar(sa.select(Service).where(Service.code == "TD-BKK"))
        form = {}
        for f in service.form_fields:
            if f.type == "text":
                form[f.name] = words(f.max_length or LIMITS["form.text"])
            elif f.type == "choice":
                form[f.name] = f.choices[0]
            else:
                from app.cases.demo_data import SAMPLE_VALUES

                form[f.name] = SAMPLE_VALUES[f.type]
    applicant = sample_applicant(
        name=words(200),
        address="y" * 2000,  # one unbreakable word: the worst layout
        email="a" * 180 + "@example.test",
    )
    institution = sample_institution(name=words(300), address=words(2000), license_no="L" * 120)
    case_id = new_case(app, applicant=applicant, institution=institution, form=form)
    from app.cases import workflow
    from app.cases.demo_data import complete_requirements, officer_role
    from tests.factories import role_user

    with app.app_context():
        returned = 0
        while True:
            case = db.session.get(Case, case_id)
            db.session.refresh(case)
            step = workflow.get_step(case)
            if case.status not in ("in_progress", "completed") or step.kind == "handover":
                break
            user = role_user(app, officer_role(step))
            if step.kind == "verify":
                complete_requirements(case, user)
                for line in case.requirements:
                    workflow.check_requirement(case, line.requirement.code, user, True, words(LIMITS["note"]))
            data = {}
            if step.kind == "inspect":
                data = {
                    "report": {
                        "date": "2026-01-05",
                        "findings": words(LIMITS["report.findings"]),
                        "recommendation": "memenuhi",
                        "team": [words(200)] * LIMITS["report.team.size"],
                    }
                }
            if step.kind == "sign":
                data = {"confirm": True}
            if step.returns_to not in (None, "applicant") and returned < 3:
                workflow.act(case, user, "return", case.version, note=words(LIMITS["note"]), data=data)
                returned += 1
                continue
            workflow.act(case, user, "forward", case.version, note=words(LIMITS["note"]), data=data)
    return case_id


def test_every_case_document_renders_quickly_with_every_field_at_its_limit(app):
    from app import documents

    case_id = _max_case(app)
    kinds = {
        "certificate": documents.certificate_pdf,
        "control-card": documents.control_card_pdf,
        "bap": documents.bap_pdf,
        "assignment-letter": documents.assignment_letter_pdf,
        "reminder-letter": documents.reminder_letter_pdf,
    }
    with app.app_context():
        case = db.session.get(Case, case_id)
        for kind, render in kinds.items():
            started = time.monotonic()
            pdf = render(case)
            spent = time.monotonic() - started
            assert pdf.startswith(b"%PDF") and spent < 8, f"{kind} took {spent:.1f}s"


def test_legacy_oversized_text_is_cut_so_the_letter_still_renders_fast(app, client, auth, admin):
    """The review's attack: a 1.5 MB address (stored before the limits) made the letter take ~30 s."""
    case_id = new_case(app)
    advance(app, case_id, 3)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.applicant.address = "Jl. Panjang " * 130_000
        case.institution.address = "x" * 1_500_000
        db.session.commit()
    auth.login(admin)
    started = time.monotonic()
    rv = client.get(f"/documents/case/{case_id}/assignment-letter.pdf")
    assert time.monotonic() - started < 8
    assert rv.status_code in (200, 422), rv.status_code


def test_document_html_over_its_budget_is_refused_before_layout(app):
    from app.documents.pdf import DOC_HTML_MAX, DocumentTooLarge, html_to_pdf

    started = time.monotonic()
    with pytest.raises(DocumentTooLarge):
        html_to_pdf("<p>" + "x " * DOC_HTML_MAX + "</p>")
    assert time.monotonic() - started < 1


# --- finding 9: absurd numbers, dates and bodies --------------------------------------------------


def test_bounded_parsers_refuse_unicode_digits_huge_values_and_far_dates():
    assert bounded_int("²", 0, 10) is None and bounded_int("١٢", 0, 100) is None
    assert bounded_int("9" * 5000, 0, 10) is None and bounded_int(10**40, 0, 10) is None
    assert bounded_int(True, 0, 10) is None and bounded_int(" 7 ", 0, 10) == 7
    assert bounded_date("0001-01-01") is None and bounded_date("9999-12-31") is None
    assert bounded_date("2026-02-30") is None and bounded_date("2026-02-28").isoformat() == "2026-02-28"


@pytest.mark.parametrize(
    "url",
    [
        "/cases/?step=99999999999999999999",
        "/cases/?step=%C2%B2",
        "/cases/?step=-1",
        "/cases/?before=99999999999999999999",
        "/cases/?from=0001-01-01&to=9999-12-31",
        "/cases/worklist/?page=99999999999999999999",
        "/cases/worklist/?page=%C2%B2",
        "/cases/worklist/?page=-5",
        "/cases/9223372036854775808",
        "/cases/" + "9" * 5000,
        "/cases/9223372036854775808/receipt",
        "/complaints/?before=9223372036854775808",
        "/complaints/9223372036854775808",
        "/complaints/report?month=99999-99",
        "/documents/case/9223372036854775808/bap.pdf",
        "/dashboard/?from=0001-01-01&to=9999-12-31",
        "/cases/?q=%00",
        "/public/services/%00",
    ],
)
def test_absurd_query_values_never_answer_500(app, client, auth, admin, url):
    auth.login(admin)
    rv = client.get(url)
    assert rv.status_code < 500 and rv.status_code in (200, 302, 400, 404, 422), (url, rv.status_code)


def test_dashboard_far_range_says_which_dates_are_allowed(app, client, auth, admin):
    auth.login(admin)
    rv = client.get("/dashboard/leaders/", query_string={"from": "0001-01-01", "to": "9999-12-31"})
    assert rv.status_code == 400 and "antara 1900-01-01 dan 2199-12-31" in rv.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/9223372036854775808",
        "/api/v1/cases/" + "9" * 5000,
        "/api/v1/complaints/9223372036854775808",
        "/api/v1/cases/9223372036854775808/documents/bap",
        "/api/v1/surveys/ikm?from=0001-01-01&to=9999-12-31",
        "/api/v1/registers/cases/export?from=0001-01-01&to=9999-12-31",
    ],
)
def test_api_huge_ids_and_far_dates_are_json_4xx(client, bearer, url):
    rv = client.get(url, headers=bearer)
    assert 400 <= rv.status_code < 500 and rv.is_json, (url, rv.status_code)


@pytest.mark.parametrize("version", ["²", 10**40, "9" * 5000, -1, 1.5, [1], {"v": 1}, True])
def test_absurd_version_is_a_400_and_changes_nothing(app, client, bearer, version):
    case_id = new_case(app)
    before = client.get(f"/api/v1/cases/{case_id}", headers=bearer).json
    rv = client.post(f"/api/v1/cases/{case_id}/act", headers=bearer, json={"action": "forward", "version": version})
    assert rv.status_code == 400 and rv.is_json
    assert client.get(f"/api/v1/cases/{case_id}", headers=bearer).json["version"] == before["version"]


def test_absurd_version_on_the_case_page_form_is_refused(app, client, auth, admin):
    case_id = new_case(app)
    auth.login(admin)
    token = csrf_token(client, f"/cases/{case_id}")
    rv = client.post(f"/cases/{case_id}/act", data={"csrf_token": token, "action": "forward", "version": "²"})
    assert rv.status_code < 500


def test_5000_digit_integer_form_field_is_a_422(app, client, bearer):
    body = api_case_body(app)
    with app.app_context():
        from models import Service

        service = db.session.scalar(sa.select(Service).where(Service.code == "TD-BKK"))
        integer = next((f.name for f in service.form_fields if f.type == "integer"), None)
    if integer is None:
        pytest.skip("TD-BKK has no integer field")
    for value in ("9" * 5000, "²", "١٢"):
        body["form"][integer] = value
        rv = client.post("/api/v1/cases/", json=body, headers=bearer)
        assert rv.status_code == 422 and f"form.{integer}" in rv.json["errors"]
    assert count_rows(app, Case) == 0


@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/complaints/", "/api/v1/surveys/"])
def test_deeply_nested_json_is_a_400(client, bearer, url):
    for depth in (100, 50_000):
        rv = client.post(url, data="[" * depth + "]" * depth, content_type="application/json", headers=bearer)
        assert rv.status_code == 400 and rv.is_json, (url, depth, rv.status_code)


def test_nul_characters_in_json_text_are_a_400(client, bearer):
    rv = client.post(
        "/api/v1/complaints/",
        headers=bearer,
        json={
            "channel": "letter",
            "complainant": {"name": "Bu\x00di", "address": "x"},
            "subject": "a",
            "description": "b",
        },
    )
    assert rv.status_code == 400 and rv.is_json


@pytest.mark.parametrize(
    "body",
    [
        {"username": "x", "password": "y"},
        {"username": "x"},
        {},
        {"username": 1, "password": 2, "provider": "db"},
        [1, 2],
        {"username": "x", "password": "y", "provider": "nope"},
    ],
)
def test_api_login_without_a_valid_provider_is_an_indonesian_400(client, body):
    rv = client.post("/api/v1/security/login", json=body)
    assert rv.status_code == 400 and rv.is_json
    assert "Fatal" not in rv.json["message"] and "provider" in rv.json["message"]
