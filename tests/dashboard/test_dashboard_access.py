"""Who may open the dashboard and the officer-performance screen."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import PERIOD


def refused(rv) -> bool:
    return rv.status_code == 403 or (rv.status_code == 302 and "/dashboard" not in rv.headers["Location"])


@pytest.mark.parametrize("role", ["Kepala Dinas", "Kepala Bidang", "Sekretaris", "Admin"])
def test_leaders_open_the_dashboard(client, auth, make_user, data, role):
    auth.login(make_user(role))
    rv = client.get("/dashboard/leaders/", query_string=PERIOD)
    assert rv.status_code == 200 and "DASH-A" in rv.get_data(as_text=True)
    assert client.get("/dashboard/").headers["Location"].endswith("/dashboard/leaders/")


@pytest.mark.parametrize("role", ["Front Office", "Tim Teknis", "Petugas Pengaduan", "Kepegawaian", "Pemohon"])
def test_other_roles_may_not_open_the_dashboard(client, auth, make_user, data, role):
    auth.login(make_user(role))
    rv = client.get("/dashboard/leaders/", query_string=PERIOD)
    assert refused(rv)
    assert "DASH-A" not in rv.get_data(as_text=True)


@pytest.mark.parametrize(
    "role, allowed", [("Kepegawaian", True), ("Admin", True), ("Kepala Bidang", False), ("Front Office", False)]
)
def test_performance_screen_is_for_kepegawaian(client, auth, make_user, data, role, allowed):
    auth.login(make_user(role))
    rv = client.get("/dashboard/performance/", query_string=PERIOD)
    if allowed:
        assert rv.status_code == 200 and "Fina Loket" in rv.get_data(as_text=True)
    else:
        assert refused(rv) and "Fina Loket" not in rv.get_data(as_text=True)


def test_kepegawaian_is_sent_to_the_performance_screen(client, auth, make_user):
    auth.login(make_user("Kepegawaian"))
    assert client.get("/dashboard/").headers["Location"].endswith("/dashboard/performance/")
    assert refused(client.get("/dashboard/leaders/"))


def test_anonymous_visitors_are_sent_to_the_login(client):
    for url in ("/dashboard/", "/dashboard/leaders/", "/dashboard/performance/"):
        rv = client.get(url)
        assert rv.status_code == 302 and "/login/" in rv.headers["Location"]


@pytest.mark.parametrize(
    "role, shown, hidden",
    [
        ("Kepegawaian", "Kinerja pelaksana", "Dasbor pimpinan"),
        ("Kepala Bidang", "Dasbor pimpinan", "Kinerja pelaksana"),
    ],
)
def test_menu_shows_each_role_its_own_screen(client, auth, make_user, role, shown, hidden):
    auth.login(make_user(role))
    html = client.get("/").get_data(as_text=True)
    assert "Dasbor" in html and shown in html and hidden not in html
