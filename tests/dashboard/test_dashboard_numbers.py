"""The leaders' dashboard counts right on a small data set (see conftest for each row)."""

from __future__ import annotations

import json
import re
from datetime import date

from app.reports import dashboard
from tests.dashboard.conftest import PERIOD

PERIOD_OBJ = dashboard.Period(date(2026, 1, 1), date(2026, 3, 31))


def test_overview_figures(app, data):
    with app.app_context():
        got = dashboard.overview(PERIOD_OBJ)
    assert got["cases_by_status"] == {"in_progress": 2, "returned": 1, "handed_over": 1}
    assert {r["step_no"]: (r["in_progress"], r["returned"]) for r in got["cases_by_step"]} == {2: (1, 1), 3: (1, 0)}
    assert got["late_count"] == 2  # A and E: a snapshot of now, whatever the period
    assert [c["registration_no"] for c in got["late_cases"]] == ["DASH-E", "DASH-A"]  # most overdue first
    by_step = {r["step_no"]: r for r in got["sla_by_step"]}
    assert (by_step[2]["actions"], by_step[2]["late"], by_step[2]["on_time_pct"]) == (3, 1, 66.7)
    assert (by_step[2]["avg_minutes"], by_step[2]["standard_minutes"]) == (33.3, 35.0)
    # A sits late on step 3 now: one more item not on time beside the on-time card row, never 100%.
    assert (by_step[3]["actions"], by_step[3]["late"], by_step[3]["on_time_pct"]) == (2, 1, 50.0)
    # E is late on step 4, which has no card row yet: the step still reads 0% on time.
    assert (by_step[4]["actions"], by_step[4]["on_time_pct"], by_step[4]["avg_minutes"]) == (1, 0.0, None)
    assert [(r["month"], r["actions"], r["on_time_pct"]) for r in got["sla_by_month"]] == [
        ("2026-01", 2, 50.0),
        ("2026-02", 2, 100.0),
    ]
    assert got["complaints_by_weight"] == {"ringan": 1, "berat": 1, "-": 1}
    assert got["complaints_by_channel"] == {"letter": 1, "web_form": 1, "email": 1}
    assert got["complaints_by_status"] == {"closed": 1, "received": 1, "handling": 1}
    assert (got["ikm"]["respondents"], got["ikm"]["ikm"], got["ikm"]["grade"]) == (2, 86.63, "B")


def test_dashboard_page_shows_the_figures_and_chart_data(client, auth, make_user, data):
    auth.login(make_user("Kepala Dinas"))
    rv = client.get("/dashboard/leaders/", query_string=PERIOD)
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200
    assert re.search(r'data-figure="cases">\s*4<', html)
    assert re.search(r'data-figure="late">\s*2<', html)
    assert re.search(r'data-figure="complaints">\s*3<', html)
    assert "86,63 (B)" in html
    assert "DASH-A" in html and "DASH-E" in html and "DASH-B" not in html
    assert re.search(r'data-month="2026-01">.*?data-pct>50.0<', html, re.S)
    assert "Formulir web" in html and "Belum dipilah" in html  # channel and weight labels
    block = re.search(r'<script type="application/json" id="sp-dashboard-data">(.*?)</script>', html, re.S)
    charts = json.loads(block.group(1))
    # Months read as the tables write them (Indonesian names); numbers go through Intl of id-ID.
    assert charts["sla_by_month"] == {"labels": ["Jan 2026", "Feb 2026"], "values": [50.0, 100.0]}
    assert charts["locale"] == "id-ID"
    assert re.search(r'data-month="2026-01"><td>Jan 2026</td>', html)
    assert charts["ikm"]["values"] == [87.5] * 9
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html and "onclick" not in html
    assert client.get("/static/vendor/chartjs/chart.umd.min.js").status_code == 200


def test_bad_period_is_refused_in_indonesian(client, auth, make_user):
    auth.login(make_user("Kepala Bidang"))
    rv = client.get("/dashboard/leaders/", query_string={"from": "2026-05-01", "to": "2026-01-01"})
    assert rv.status_code == 400 and "Awal periode melewati akhir periode." in rv.get_data(as_text=True)
    rv = client.get("/dashboard/leaders/", query_string={"from": "01-05-2026"})
    assert rv.status_code == 400 and "TTTT-BB-HH" in rv.get_data(as_text=True)
