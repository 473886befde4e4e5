"""The public forms and the leaders' dashboard in real Chromium.

A visitor writes a complaint and answers the survey from a one-time link, with
no login; a Kepala Dinas opens the dashboard, whose charts the local Chart.js
draws; `make docs-images` refreshes the README's docs/img/dashboard.png from it.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.extensions import db
from models import Complaint, SurveyResponse
from tests.conftest import count_rows
from tests.dashboard.conftest import data  # noqa: F401  (fixture: the hand-counted data set)
from tests.e2e.conftest import login, screenshot
from tests.factories import advance, new_case
from tests.public.conftest import invitation, tracked_case  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


def test_visitor_writes_a_complaint(app, browser_page):
    page = browser_page
    page.goto("/public/")
    page.click("text=Tulis pengaduan")
    page.fill("#name", "Rina Wulandari")
    page.fill("#phone", "0812 7654 3210")
    page.fill("#subject", "Informasi persyaratan kurang jelas")
    page.fill("#description", "Petugas tidak menjelaskan syarat struktur organisasi BKK.")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-complaint-no]")
    shown = page.inner_text("[data-complaint-no]")
    with app.app_context():
        row = db.session.scalar(select(Complaint))
        assert (row.number, row.channel, row.complainant_name) == (shown, "web_form", "Rina Wulandari")


def test_visitor_answers_the_survey_once(app, browser_page, invitation):
    page = browser_page
    page.goto(f"/public/survey/{invitation}")
    for i in range(1, 10):
        page.check(f"input[name=u{i}][value='{4 if i % 2 else 3}']")
    page.select_option("#sex", "L")
    page.fill("#age", "41")
    page.fill("#suggestion", "Ruang tunggu nyaman.")
    page.click("button[type=submit]")
    page.wait_for_selector("text=jawaban Anda tersimpan")
    page.goto(f"/public/survey/{invitation}")
    assert "sudah digunakan" in page.inner_text("main")
    assert count_rows(app, SurveyResponse) == 1
    with app.app_context():
        assert db.session.scalar(select(SurveyResponse.u2)) == 3


def test_dashboard_draws_its_charts(app, browser_page, make_user, data):
    for to_step in (3, 5, 10, 11):  # a few real cases, walked by the engine, for this year's figures
        advance(app, new_case(app), to_step)
    page = browser_page
    login(page, make_user("Kepala Dinas", first_name="Kepala", last_name="Dinas"))
    page.goto("/dashboard/leaders/?from=2026-01-01")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].filter(c => window.Chart.getChart(c)).length >= 5"
    )
    assert page.inner_text("[data-figure=late]").strip() == "2"
    # Charts speak the page's language: Indonesian month names and Intl.NumberFormat of id-ID.
    month = page.evaluate(
        "() => window.Chart.getChart(document.querySelector('[data-chart=sla_by_month]')).data.labels[0]"
    )
    assert re.fullmatch(r"(Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) 20\d\d", month), month
    assert page.inner_text("[data-table=sla_by_month] tbody td").strip() == month
    chart = "window.Chart.getChart(document.querySelector('[data-chart=time_by_step]'))"
    assert page.evaluate(f"() => {chart}.options.locale") == "id-ID"
    assert page.evaluate(f"() => {chart}.scales.y.getLabelForValue(2500)") == "2.500"
    assert page.evaluate(f"() => new Intl.NumberFormat({chart}.options.locale).format(100.5)") == "100,5"
    assert screenshot(page, "dashboard.png").stat().st_size > 10_000
