"""The index on a data set computed by hand, with 0.11 and exact 1/9 weights, and the grade bands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.survey.ikm import grade
from tests.survey.conftest import answer

# Four respondents. Per element, sum / 4 = NRR:
#   u1 4,4,3,3 = 14 -> 3.50    u4 4,4,4,4 = 16 -> 4.00    u7 4,3,3,3 = 13 -> 3.25
#   u2 3,3,3,3 = 12 -> 3.00    u5 3,3,3,2 = 11 -> 2.75    u8 2,2,2,2 =  8 -> 2.00
#   u3 3,2,2,3 = 10 -> 2.50    u6 4,4,4,3 = 15 -> 3.75    u9 3,3,4,4 = 14 -> 3.50
# Sum of NRR = 28.25. IKM (0.11) = 28.25 x 0.11 x 25 = 77.6875 -> 77.69 (B, baik).
# IKM (1/9)  = 28.25 / 9 x 25 = 78.4722... -> 78.47 (B).
# Elements x 25: u3 62.50 (D), u8 50.00 (D), u5 68.75 (C) need a follow-up plan; u2 75.00 is C too.
DATA = [
    (4, 3, 3, 4, 3, 4, 4, 2, 3),
    (4, 3, 2, 4, 3, 4, 3, 2, 3),
    (3, 3, 2, 4, 3, 4, 3, 2, 4),
    (3, 3, 3, 4, 2, 3, 3, 2, 4),
]
OTHER_PERIOD = (1, 1, 1, 1, 1, 1, 1, 1, 1)


@pytest.fixture
def answered(client, typist):
    for row in DATA:
        assert client.post("/api/v1/surveys/", json=answer(row), headers=typist).status_code == 201
    # Outside the period asked for below: must not count.
    assert (
        client.post("/api/v1/surveys/", json=answer(OTHER_PERIOD, day="2026-01-05"), headers=typist).status_code == 201
    )


def test_ikm_with_the_regulations_weight(client, reader, answered):
    rv = client.get("/api/v1/surveys/ikm?service=TD-BKK&from=2026-06-01&to=2026-06-30", headers=reader)
    assert rv.status_code == 200
    assert rv.json["respondents"] == 4
    assert rv.json["nrr"] == {
        "u1": 3.5,
        "u2": 3.0,
        "u3": 2.5,
        "u4": 4.0,
        "u5": 2.75,
        "u6": 3.75,
        "u7": 3.25,
        "u8": 2.0,
        "u9": 3.5,
    }
    assert rv.json["ikm"] == 77.69
    assert rv.json["grade"] == "B" and rv.json["label"] == "baik"
    follow = {e["element"]: e["grade"] for e in rv.json["elements"] if e["needs_follow_up"]}
    assert follow == {"u2": "C", "u3": "D", "u5": "C", "u8": "D"}


def test_ikm_with_the_exact_weight(app, client, reader, answered):
    app.config["IKM_WEIGHT_EXACT"] = True
    rv = client.get("/api/v1/surveys/ikm?service=TD-BKK&from=2026-06-01&to=2026-06-30", headers=reader)
    assert rv.json["ikm"] == 78.47 and rv.json["grade"] == "B"


def test_whole_year_includes_every_answer(client, reader, answered):
    rv = client.get("/api/v1/surveys/ikm?service=TD-BKK&from=2026-01-01&to=2026-12-31", headers=reader)
    # Sum of NRR over 5 respondents: (28.25 x 4 + 9) / 5 = 24.4; x 0.11 x 25 = 67.10 (C).
    assert rv.json["respondents"] == 5 and rv.json["ikm"] == 67.1 and rv.json["grade"] == "C"


def test_no_respondents_gives_no_index(client, reader):
    rv = client.get("/api/v1/surveys/ikm?service=TD-BKK&from=2025-01-01&to=2025-12-31", headers=reader)
    assert rv.json["respondents"] == 0 and rv.json["ikm"] is None and rv.json["grade"] is None


def test_bad_period_is_422(client, reader):
    assert client.get("/api/v1/surveys/ikm?from=2026-13-01", headers=reader).status_code == 422
    assert client.get("/api/v1/surveys/ikm?from=2026-06-02&to=2026-06-01", headers=reader).status_code == 422
    assert client.get("/api/v1/surveys/ikm?service=NOPE", headers=reader).status_code == 422


@pytest.mark.parametrize(
    "value, letter, label",
    [
        ("100", "A", "sangat baik"),
        ("88.31", "A", "sangat baik"),
        ("88.305", "A", "sangat baik"),
        ("88.30", "B", "baik"),
        ("88.3049", "B", "baik"),
        ("76.61", "B", "baik"),
        ("76.60", "C", "kurang baik"),
        ("65.00", "C", "kurang baik"),
        ("64.995", "C", "kurang baik"),
        ("64.99", "D", "tidak baik"),
        ("25.00", "D", "tidak baik"),
        ("24.75", "D", "tidak baik"),
    ],
)
def test_grade_bands_compared_at_two_decimals(value, letter, label):
    assert grade(Decimal(value)) == (letter, label)
    assert grade(float(value)) == (letter, label)
