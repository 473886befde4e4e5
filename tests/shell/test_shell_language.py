"""Indonesian by default on every screen the shell draws; English on request."""

from __future__ import annotations

import re

from tests.reading import page_text


def test_login_page_is_indonesian_by_default(client):
    page = page_text(client.get("/login/"))
    assert "Masukkan nama pengguna dan kata sandi Anda" in page
    assert "Nama pengguna" in page and "Kata sandi" in page
    assert "Sign In" not in page and "Password" not in page


def test_language_switch_to_english_and_back(client):
    rv = client.get("/lang/en", headers={"Referer": "/login/"})
    assert rv.status_code == 302
    page = page_text(client.get("/login/"))
    assert "Enter your login and password below" in page and "Password" in page
    assert "Bahasa Indonesia" in page  # the way back is offered
    client.get("/lang/id")
    assert "Kata sandi" in page_text(client.get("/login/"))


def test_lang_query_parameter_is_remembered(client):
    assert "Username" in page_text(client.get("/login/?lang=en"))
    assert "Username" in page_text(client.get("/login/"))


def test_console_list_in_indonesian_then_english(client, auth, make_user):
    auth.login(make_user("Admin"))
    page = page_text(client.get("/admin/console_holiday/"))
    assert "Hari libur" in page and "Tanggal" in page and "Tambah saringan" in page
    assert "1 Januari 2026" in page and "libur nasional" in page
    assert "Keluar" in page and "Data induk" in page
    client.get("/lang/en")
    page = page_text(client.get("/admin/console_holiday/"))
    assert "Holidays" in page and "Add Filter" in page and "Logout" in page
    assert "1 January 2026" in page and "Hari libur" not in page


def test_landing_page_links_follow_the_role(client, auth, make_user):
    auth.login(make_user("Kepegawaian"))
    page = page_text(client.get("/"))
    assert "Selamat datang" in page and "Kepegawaian" in page
    assert 'href="/admin/console_personnel/"' in client.get("/").get_data(as_text=True)
    assert 'href="/admin/console_holiday/"' not in client.get("/").get_data(as_text=True)


def test_anonymous_start_page_is_the_public_portal_with_a_login_link(client, auth, make_user):
    rv = client.get("/")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200 and 'class="sp-public"' in html
    assert re.search(r'class="[^"]*sp-login-link" href="/login/">Masuk<', html)
    assert 'href="/public/track"' in html and "Selamat datang" not in html
    assert "sp-login-link" in client.get("/public/track").get_data(as_text=True)  # every public page
    english = client.get("/?lang=en").get_data(as_text=True)
    assert ">Login<" in english
    client.get("/?lang=id")
    auth.login(make_user("Front Office"))
    assert "Selamat datang" in page_text(client.get("/"))  # a logged-in user keeps the home page
    public = client.get("/public/").get_data(as_text=True)
    assert "sp-login-link" not in public and 'class="btn btn-default btn-sm sp-home-link" href="/"' in public


def test_numbers_use_the_decimal_comma_in_indonesian_and_the_point_in_english():
    from app.core.formatting import format_number

    assert format_number(77.6925, 2, locale="id") == "77,69"
    assert format_number(1234.5, 1, locale="id") == "1.234,5"
    assert format_number(77.6925, 2, locale="en") == "77.69"
    assert format_number("24.5", None, locale="id") == "24,5"  # a form's own decimals kept
