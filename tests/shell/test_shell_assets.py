"""Offices run on closed intranets: no page may pull an asset from another host."""

from __future__ import annotations

import re

EXTERNAL = re.compile(r'(?:src|href)\s*=\s*["\'](?:https?:)?//(?!localhost[:/"\']|127\.0\.0\.1[:/"\'])', re.I)


def _external_refs(html: str) -> list[str]:
    return [html[m.start() : m.start() + 80] for m in EXTERNAL.finditer(html)]


def test_login_page_uses_local_assets_only(client):
    html = client.get("/login/").get_data(as_text=True)
    assert "/static/css/app.css" in html and "/static/img/logo.svg" in html
    assert _external_refs(html) == []


def test_console_and_home_use_local_assets_only(client, auth, make_user):
    auth.login(make_user("Admin"))
    for url in (
        "/",
        "/admin/",
        "/admin/console_holiday/",
        "/admin/console_holiday/new/",
        "/admin/console_requirement/new/",
        "/admin/console_step/",
    ):
        html = client.get(url).get_data(as_text=True)
        assert "/static/css/app.css" in html, url
        assert _external_refs(html) == [], url


def test_the_scan_catches_an_external_asset():
    assert _external_refs('<script src="https://cdn.example.com/x.js">') != []
    assert _external_refs('<link href="//fonts.example.net/a.css">') != []
    assert _external_refs('<img src="/static/img/logo.svg">') == []
