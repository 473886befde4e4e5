"""Each role's navbar offers exactly the screens its grants open (menus follow permissions)."""

from __future__ import annotations

import re

import pytest

SCREENS = {
    "/cases/worklist/",
    "/cases/",
    "/cases/new/",
    "/complaints/",
    "/complaints/new",
    "/complaints/report",
    "/dashboard/leaders/",
    "/dashboard/performance/",
    "/registers/cases/",
    "/registers/personnel/",
    "/survey/entry",
    "/admin/",
    "/users/list/",
}

EXPECTED = {
    "Tim Teknis": {"/cases/worklist/", "/cases/"},
    "Front Office": {"/cases/worklist/", "/cases/", "/cases/new/", "/registers/cases/", "/admin/", "/survey/entry"},
    "Kepegawaian": {"/dashboard/performance/", "/registers/personnel/", "/admin/"},
    "Petugas Pengaduan": {"/cases/", "/complaints/", "/complaints/new", "/complaints/report", "/survey/entry"},
    "Kepala Dinas": {
        "/cases/worklist/",
        "/cases/",
        "/complaints/",
        "/complaints/report",
        "/dashboard/leaders/",
        "/registers/cases/",
    },
    "Admin": SCREENS,
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_navbar_shows_the_screens_of_the_role_and_no_others(client, make_user, auth, role):
    auth.login(make_user(role))
    html = client.get("/").get_data(as_text=True)
    shown = set(re.findall(r'href="(/[a-z][^"?#]*)"', html)) & SCREENS
    assert shown == EXPECTED[role]
    for hidden in SCREENS - EXPECTED[role]:
        if hidden in {"/admin/"}:
            continue  # the console index lists nothing to a role without console grants
        assert client.get(hidden).status_code in (302, 403), hidden
