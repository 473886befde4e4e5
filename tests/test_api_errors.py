"""Every JSON API answers refusals as `{"message"}` in Indonesian, never FAB's English."""

from __future__ import annotations

import pytest

CALLS = [
    ("get", "/api/v1/services/"),
    ("get", "/api/v1/cases/"),
    ("post", "/api/v1/complaints/"),
    ("post", "/api/v1/surveys/"),
    ("get", "/api/v1/registers/cases/export?format=csv"),
]


@pytest.mark.parametrize("method, url", CALLS)
def test_without_a_token_the_answer_is_401_in_indonesian(client, method, url):
    rv = getattr(client, method)(url, json={})
    assert rv.status_code == 401
    assert set(rv.json) == {"message"}
    assert rv.json["message"] == "Silakan masuk terlebih dahulu."


def test_a_role_without_the_permission_gets_403_in_indonesian(client, auth, make_user):
    headers = auth.token(make_user("Tim Teknis"))
    rv = client.post("/api/v1/complaints/", json={}, headers=headers)
    assert rv.status_code == 403
    assert rv.json == {"message": "Anda tidak berhak membuka halaman ini atau melakukan tindakan ini."}


def test_a_forged_token_is_refused_with_an_indonesian_message(client):
    rv = client.get("/api/v1/cases/", headers={"Authorization": "Bearer not.a.token"})
    assert rv.status_code == 401
    assert rv.json == {"message": "Silakan masuk terlebih dahulu."}
