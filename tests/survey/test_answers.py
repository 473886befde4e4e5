"""Typing paper forms in: 422 on a missing or out-of-range element; who may; invitations used once."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from models import SurveyResponse
from tests.conftest import count_rows
from tests.survey.conftest import answer

GOOD = (4, 4, 3, 3, 4, 4, 4, 3, 3)


def test_paper_form_is_stored_with_profile(app, client, typist):
    rv = client.post("/api/v1/surveys/", json=answer(GOOD), headers=typist)
    assert rv.status_code == 201 and rv.json["scores"]["u1"] == 4
    with app.app_context():
        row = db.session.get(SurveyResponse, rv.json["id"])
        assert (row.source, row.sex, row.age, row.education, row.occupation, row.u9) == (
            "paper",
            "P",
            34,
            "D4-S1",
            "swasta",
            3,
        )
        assert row.entered_by_id is not None


@pytest.mark.parametrize(
    "scores, message",
    [
        ({"u1": 4, "u2": 4, "u3": 4, "u4": 4, "u5": 4, "u6": 4, "u7": 4, "u8": 4}, "U9"),
        ({**{f"u{i}": 3 for i in range(1, 10)}, "u4": 5}, "U4 harus 1, 2, 3, atau 4"),
        ({**{f"u{i}": 3 for i in range(1, 10)}, "u2": 0}, "U2 harus 1, 2, 3, atau 4"),
        ({**{f"u{i}": 3 for i in range(1, 10)}, "u7": "baik"}, "U7 harus"),
        ({**{f"u{i}": 3 for i in range(1, 10)}, "u7": 2.5}, "U7 harus"),
        ({**{f"u{i}": 3 for i in range(1, 10)}, "u10": 3}, "Unsur tidak dikenal"),
    ],
)
def test_missing_or_out_of_range_elements_are_422_and_store_nothing(app, client, typist, scores, message):
    rv = client.post(
        "/api/v1/surveys/", json={"service": "TD-BKK", "date": "2026-06-10", "scores": scores}, headers=typist
    )
    assert rv.status_code == 422 and message in rv.json["message"], rv.json
    assert count_rows(app, SurveyResponse) == 0


@pytest.mark.parametrize(
    "override, message",
    [
        ({"service": "NOPE"}, "Jenis pelayanan tidak ditemukan."),
        ({"date": "2026-02-30"}, "YYYY-MM-DD"),
        ({"date": "2099-01-01"}, "masa depan"),
        ({"respondent": {"sex": "X"}}, "Jenis kelamin"),
        ({"respondent": {"age": 7}}, "Umur"),
    ],
)
def test_bad_form_fields_are_422(app, client, typist, override, message):
    rv = client.post("/api/v1/surveys/", json={**answer(GOOD), **override}, headers=typist)
    assert rv.status_code == 422 and message in rv.json["message"]
    assert count_rows(app, SurveyResponse) == 0


def test_only_roles_allowed_to_type_forms_may_post(app, client, reader, make_user, auth):
    assert client.post("/api/v1/surveys/", json=answer(GOOD), headers=reader).status_code == 403
    assert client.post("/api/v1/surveys/", json=answer(GOOD)).status_code == 401
    typist = auth.token(make_user("Front Office"))
    assert client.get("/api/v1/surveys/ikm", headers=typist).status_code == 403
    assert count_rows(app, SurveyResponse) == 0


def test_invitation_token_is_used_once(app, client):
    from app.survey.ikm import SurveyError, create_invitation, submit_response
    from models import Case
    from tests.factories import new_case

    case_id = new_case(app)
    with app.app_context():
        case = db.session.get(Case, case_id)
        token = create_invitation(case)
        assert create_invitation(case) == token  # the same case keeps its one link
        db.session.commit()
    body = {"scores": {f"u{i}": 4 for i in range(1, 10)}}
    with app.test_request_context():
        row = submit_response(body, invitation_token=token)
        assert (row.source, row.case_id) == ("invited", case_id)
        with pytest.raises(SurveyError) as again:
            submit_response(body, invitation_token=token)
        assert again.value.status == 409 and again.value.message == "Tautan survei ini sudah digunakan."
        with pytest.raises(SurveyError) as unknown:
            submit_response(body, invitation_token="nope")
        assert unknown.value.status == 404
    assert count_rows(app, SurveyResponse) == 1
