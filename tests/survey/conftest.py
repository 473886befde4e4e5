"""Officers of the survey: a paper-form typist and a reader of the index."""

from __future__ import annotations

import pytest


@pytest.fixture
def typist(make_user, auth):
    return auth.token(make_user("Front Office"))


@pytest.fixture
def reader(make_user, auth):
    return auth.token(make_user("Kepala Dinas"))


def answer(scores, service="TD-BKK", day="2026-06-10", **extra) -> dict:
    """A questionnaire body; `scores` is nine numbers u1..u9."""
    return {
        "service": service,
        "date": day,
        "scores": {f"u{i + 1}": s for i, s in enumerate(scores)},
        "respondent": {"sex": "P", "age": 34, "education": "D4-S1", "occupation": "swasta"},
        **extra,
    }
