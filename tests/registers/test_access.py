"""Who may read which register, on the screen and through the API; bad requests."""

from __future__ import annotations

import pytest


def api(client, name, headers=None, **args):
    return client.get(f"/api/v1/registers/{name}/export", query_string={"format": "csv", **args}, headers=headers or {})


@pytest.mark.parametrize(
    "role, allowed, denied",
    [
        ("Front Office", "cases", "complaints"),
        ("Petugas Pengaduan", "complaints", "cases"),
        ("Kepegawaian", "personnel", "surveys"),
        ("Kepala Bidang", "certificates", "personnel"),
    ],
)
def test_api_grants_follow_the_roles(client, auth, make_user, sample, role, allowed, denied):
    headers = auth.token(make_user(role))
    assert api(client, allowed, headers).status_code == 200
    rv = api(client, denied, headers)
    assert rv.status_code == 403
    assert rv.json["message"] == "Anda tidak berhak membaca register ini."
    assert "REG-001" not in rv.get_data(as_text=True)


def test_screen_refuses_a_role_without_the_register(client, reader, sample):
    reader("Front Office")
    assert client.get("/registers/complaints/").status_code == 403
    assert client.get("/registers/complaints/export/csv").status_code == 403
    assert client.get("/registers/complaints/export/pdf").status_code == 403
    assert client.get("/registers/complaints/export/xlsx").status_code == 403
    assert client.get("/registers/complaints/export/csv?sep=semicolon").status_code == 403


def test_anonymous_gets_401_from_the_api_and_the_login_page_on_screen(client, sample):
    rv = api(client, "cases")
    assert rv.status_code == 401
    assert "message" in rv.json
    assert "REG-001" not in rv.get_data(as_text=True)
    page = client.get("/registers/cases/export/csv")
    assert page.status_code == 302 and "/login/" in page.headers["Location"]


def test_unknown_register_is_404_and_bad_parameters_400(client, auth, make_user, sample):
    headers = auth.token(make_user("Admin"))
    rv = api(client, "salaries", headers)
    assert rv.status_code == 404 and rv.json["message"] == "Register tidak dikenal."
    rv = api(client, "cases", headers, format="docx")
    assert rv.status_code == 400 and rv.json["message"] == "Format harus csv, xlsx atau pdf."
    rv = api(client, "cases", headers, sep="tab")
    assert rv.status_code == 400 and rv.json["message"].startswith("Pemisah harus")
    rv = api(client, "cases", headers, **{"from": "15-01-2026"})
    assert rv.status_code == 400 and "TTTT-BB-HH" in rv.json["message"]
    rv = api(client, "cases", headers, **{"from": "2026-03-01", "to": "2026-01-01"})
    assert rv.status_code == 400 and rv.json["message"] == "Tanggal awal melewati tanggal akhir."
    assert api(client, "cases", headers, status="lost").status_code == 400
    assert api(client, "personnel", headers, service="TD-BKK").status_code == 400
    assert api(client, "cases", headers, service="td bkk; drop").status_code == 400


def test_register_page_shows_filters_rows_and_export_links(client, reader, sample):
    reader("Kepala Dinas")
    html = client.get("/registers/cases/?service=TD-BKK&status=in_progress").get_data(as_text=True)
    assert "Register Permohonan" in html
    assert "REG-001" in html and "REG-003" not in html and "REG-004" not in html
    assert "/registers/cases/export/csv?" in html and "/registers/cases/export/pdf?" in html
    assert "/registers/cases/export/xlsx?" in html and "sep=semicolon" in html
    assert "service=TD-BKK" in html and "status=in_progress" in html
    assert "1 baris" in html
    # User text is escaped on the page too.
    html = client.get("/registers/cases/").get_data(as_text=True)
    assert "<para><font" not in html and "&lt;para&gt;&lt;font" in html


def test_register_page_explains_a_bad_filter(client, reader, sample):
    reader("Kepala Dinas")
    rv = client.get("/registers/cases/?from=2026-13-01")
    assert rv.status_code == 400
    assert "Tanggal awal harus berupa tanggal" in rv.get_data(as_text=True)


def test_menu_lists_only_the_registers_the_role_reads(client, reader, sample):
    reader("Petugas Pengaduan")
    html = client.get("/registers/").get_data(as_text=True)
    assert "Buku Pengaduan" in html
    assert "Register Permohonan" not in html and "Register Kepegawaian" not in html
