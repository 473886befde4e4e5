"""GET /api/v1/services/: the loaded services for any logged-in user."""

from __future__ import annotations


def test_without_a_token_401_json(client):
    rv = client.get("/api/v1/services/")
    assert rv.status_code == 401
    assert rv.is_json and rv.json["message"]


def test_an_applicant_reads_the_services(client, make_user, auth):
    rv = client.get("/api/v1/services/", headers=auth.token(make_user("Pemohon")))
    assert rv.status_code == 200
    service = next(s for s in rv.json["result"] if s["code"] == "TD-BKK")
    assert {k: service[k] for k in ("code", "name", "product", "fee", "completion_working_days")} == {
        "code": "TD-BKK",
        "name": "Tanda Daftar Bursa Kerja Khusus",
        "product": "Surat Tanda Daftar Bursa Kerja Khusus",
        "fee": 0,
        "completion_working_days": 6,
    }
    assert [e["code"] for e in service["executors"]][:4] == ["pemohon", "front_office", "back_office", "tim_teknis"]
    assert len(service["requirements"]) == 8
    assert service["requirements"][3] == {
        "code": "ktp",
        "name": "Foto Copy KTP penanggungjawab BKK",
        "required": True,
        "document": True,
    }
    assert [f["name"] for f in service["form"]] == ["luas_ruangan_m2", "rencana_penempatan"]
    step3 = service["steps"][2]
    assert step3 == {
        "no": 3,
        "activity": "Tim teknis melakukan Peninjauan, survey lapangan dan/atau koordinasi dengan instansi terkait "
        "lainnya. Jika memenuhi syarat diteruskan ke proses selanjutnya, jika tidak dikembalikan ke FO",
        "short": None,
        "kind": "inspect",
        "executors": ["tim_teknis"],
        "input": "Surat tugas, persyaratan pemohon",
        "output": "BAP",
        "time": {"unit": "working_days", "value": 4},
        "returns_to": 2,
        "permission": ["can_act", "TD-BKK step 3"],
    }
    assert service["steps"][0]["executors"] == ["pemohon", "front_office"]
    assert service["steps"][1]["returns_to"] == "applicant"
    assert service["steps"][3]["returns_to"] is None


def test_every_officer_role_reads_it(client, make_user, auth):
    for role in ("Kepala Dinas", "Kepegawaian", "Petugas Pengaduan", "Admin"):
        rv = client.get("/api/v1/services/", headers=auth.token(make_user(role)))
        assert rv.status_code == 200, role
        assert [(s["code"], len(s["steps"])) for s in rv.json["result"]] == [("IPDH", 8), ("TD-BKK", 10)], role


def test_a_forged_token_401_json(client):
    rv = client.get("/api/v1/services/", headers={"Authorization": "Bearer not.a.token"})
    assert rv.status_code == 401
    assert rv.is_json and rv.json["message"]
