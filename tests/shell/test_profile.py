"""Every officer opens their own profile from the navbar; FAB's screens read as Indonesian."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("role", ["Tim Teknis", "Pemohon", "Kepala Bidang"])
def test_an_officer_opens_the_profile_and_password_form_but_not_the_user_list(client, make_user, auth, role):
    auth.login(make_user(role))
    profile = client.get("/users/userinfo/")
    assert profile.status_code == 200
    html = profile.get_data(as_text=True)
    assert "Informasi pengguna Anda" in html
    assert "True" not in html and f"[{role}]" not in html
    assert client.get("/resetmypassword/form").status_code == 200
    assert client.get("/userinfoeditview/form").status_code == 200
    assert client.get("/users/list/").status_code in (302, 403)
    # The profile grants open no menu entry: no Security menu for an officer.
    assert 'href="/users/list/"' not in client.get("/").get_data(as_text=True)


def test_user_list_reads_active_and_role_names_and_the_confirm_dialog_is_indonesian(client, make_user, auth):
    auth.login(make_user("Admin"))
    html = client.get("/users/list/").get_data(as_text=True)
    assert "Aktif" in html and ">True<" not in html and "[Admin]" not in html
    assert "Batal</button>" in html and ">Cancel<" not in html


def test_no_user_statistics_chart_that_needs_google_charts(client, make_user, auth):
    auth.login(make_user("Admin"))
    assert client.get("/userstatschartview/chart/").status_code == 404
    assert "gstatic" not in client.get("/").get_data(as_text=True)


def test_role_list_names_the_roles_without_a_wall_of_permissions(client, make_user, auth):
    auth.login(make_user("Admin"))
    html = client.get("/roles/list/").get_data(as_text=True)
    assert "Petugas Pengaduan" in html and "<td>[can " not in html
    user_page = client.get("/users/userinfo/").get_data(as_text=True)
    assert "None" not in user_page
