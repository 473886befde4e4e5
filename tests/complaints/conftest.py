"""Officers of the complaint book, one per role, with API tokens."""

from __future__ import annotations

import pytest

ROLES = {
    "petugas": "Petugas Pengaduan",
    "kabid": "Kepala Bidang",
    "kadis": "Kepala Dinas",
    "sekretaris": "Sekretaris",
    "fo": "Front Office",
}


@pytest.fixture
def staff(make_user, auth):
    """{key: (username, auth header)} for each role in ROLES."""
    out = {}
    for key, role in ROLES.items():
        username = make_user(role, username=f"{key}_user", first_name=key.title(), last_name="Uji")
        out[key] = (username, auth.token(username))
    return out


def new_complaint(client, header, **overrides) -> dict:
    body = {
        "channel": "email",
        "complainant": {
            "name": "Budi Santoso",
            "phone": "0812-3456-7890",
            "email": "budi@example.test",
            "address": "Jl. Sudirman 1, Pekanbaru",
        },
        "weight": "ringan",
        "subject": "Berkas belum diproses",
        "description": "Permohonan saya belum ada kabar.",
        "case": None,
    }
    body.update(overrides)
    rv = client.post("/api/v1/complaints/", json=body, headers=header)
    assert rv.status_code == 201, rv.get_data(as_text=True)
    return rv.json


def act(client, header, complaint_id, action, **data):
    return client.post(f"/api/v1/complaints/{complaint_id}/act", json={"action": action, "data": data}, headers=header)
