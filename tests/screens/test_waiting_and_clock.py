"""Work waiting is announced (home page, navbar badge) and the clock speaks in words (issue 10)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.core.extensions import db
from models import Case
from tests.factories import new_case
from tests.reading import menu_text, page_text


def _set_due(app, case_id, due):
    with app.app_context():
        db.session.execute(update(Case.__table__).where(Case.__table__.c.id == case_id).values(step_due_at=due))
        db.session.commit()


def _two_waiting_one_late(app):
    on_time, late = new_case(app), new_case(app)
    _set_due(app, late, datetime.now(UTC) - timedelta(days=10))
    return on_time, late


def _home_waiting(html: str) -> str:
    match = re.search(r'<div class="alert [^"]*sp-home-waiting">(.*?)</div>', html, re.S)
    assert match, "no waiting summary on the home page"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def test_officer_sees_waiting_and_late_counts_on_home_and_navbar(app, login_as, client):
    _two_waiting_one_late(app)
    login_as("Front Office")
    html = client.get("/").get_data(as_text=True)
    assert _home_waiting(html) == "Daftar kerja saya: 2 menunggu, 1 terlambat"
    menu = menu_text(html)
    assert "Daftar kerja saya 2 1 terlambat" in menu
    assert re.search(r'<span class="badge sp-waiting"[^>]*>2</span>', html)
    # The badge rides on every page's navbar, not only the home page.
    assert "Daftar kerja saya 2 1 terlambat" in menu_text(client.get("/cases/worklist/").get_data(as_text=True))


def test_counts_read_in_english(app, login_as, client):
    _two_waiting_one_late(app)
    login_as("Front Office")
    html = client.get("/?lang=en").get_data(as_text=True)
    assert _home_waiting(html) == "My worklist: 2 waiting, 1 late"
    assert "My worklist 2 1 late" in menu_text(html)


def test_nothing_late_shows_no_late_count(app, login_as, client):
    new_case(app)
    login_as("Front Office")
    html = client.get("/").get_data(as_text=True)
    assert _home_waiting(html) == "Daftar kerja saya: 1 menunggu"
    assert "sp-waiting-late" not in html


def test_a_role_without_a_worklist_sees_no_counts(app, login_as, client):
    _two_waiting_one_late(app)
    login_as("Kepegawaian")
    html = client.get("/").get_data(as_text=True)
    assert "sp-home-waiting" not in html and "sp-waiting" not in html


def test_another_roles_worklist_is_not_counted(app, login_as, client):
    """Tim Teknis holds no step the new cases sit on: its worklist is empty, so no badge."""
    _two_waiting_one_late(app)
    login_as("Tim Teknis")
    html = client.get("/").get_data(as_text=True)
    assert _home_waiting(html) == "Daftar kerja saya: 0 menunggu"
    assert 'class="badge sp-waiting"' not in html


def test_case_page_marks_a_late_case_with_how_long_in_words(app, login_as, client):
    _, late = _two_waiting_one_late(app)
    login_as("Front Office")
    html = client.get(f"/cases/{late}").get_data(as_text=True)
    badge = re.search(r'<span class="label label-danger sp-late sp-case-late">([^<]*)</span>', html)
    assert badge and re.fullmatch(r"Terlambat \d+ hari( \d+ jam)?( \d+ menit)? kerja", badge.group(1)), badge
    html_en = client.get(f"/cases/{late}?lang=en").get_data(as_text=True)
    badge = re.search(r'sp-case-late">([^<]*)</span>', html_en)
    assert badge and re.fullmatch(r"Late by \d+ working days?( \d+ hours?)?( \d+ minutes?)?", badge.group(1))


def test_case_page_on_time_says_time_left_in_words(app, login_as, client):
    on_time, _ = _two_waiting_one_late(app)
    login_as("Front Office")
    html = client.get(f"/cases/{on_time}").get_data(as_text=True)
    assert "sp-case-late" not in html
    left = re.search(r'sp-time-left">([^<]*)</small>', html)
    assert left and re.fullmatch(r"sisa (\d+ (hari|jam|menit) ?)+kerja", left.group(1)), left
    assert " j " not in page_text(client.get("/cases/worklist/"))  # no more "34 j 30 m"


def test_counting_stops_at_the_cap_and_the_badge_says_so(app, login_as, client, monkeypatch):
    """Past WAITING_CAP (999; 2 here) the badge reads "2+": a front office with 140,000 open cases
    must not pay for counting them all on every page."""
    import views.cases.worklist as worklist

    monkeypatch.setattr(worklist, "WAITING_CAP", 2)
    _two_waiting_one_late(app)
    new_case(app)
    login_as("Front Office")
    html = client.get("/").get_data(as_text=True)
    assert _home_waiting(html) == "Daftar kerja saya: 2+ menunggu, 1 terlambat"
    assert re.search(r'<span class="badge sp-waiting"[^>]*>2\+</span>', html)
    monkeypatch.setattr(worklist, "WAITING_CAP", 3)
    html = client.get("/").get_data(as_text=True)
    assert _home_waiting(html) == "Daftar kerja saya: 3 menunggu, 1 terlambat"
