"""User text stays text: in pages, in the dashboard's JSON block, in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from app.complaints import book as complaints
from app.core.extensions import db
from app.core.timezone import office_tz
from models import Personnel, Step
from tests.factories import advance, new_case, sample_applicant

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'


def test_applicant_text_is_escaped_on_the_case_page(app, client, auth, make_user):
    case_id = new_case(app, applicant=sample_applicant(name="Siti " + SCRIPT, address=IMG))
    auth.login(make_user("Front Office"))
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x" in html


def test_public_complaint_text_is_escaped_in_the_book_and_on_its_page(app, client, auth, make_user):
    with app.app_context():
        c = complaints.create_complaint(
            {
                "complainant": {"name": "Budi " + SCRIPT, "phone": "081266778899"},
                "subject": "Antrian " + IMG,
                "description": SCRIPT,
            },
            source="public",
        )
        cid = c.id
    auth.login(make_user("Petugas Pengaduan"))
    for url in ("/complaints/", f"/complaints/{cid}"):
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT not in html and IMG not in html, url
        assert "&lt;img src=x" in html, url


def test_dashboard_json_block_cannot_be_closed_by_a_step_name(app, client, auth, make_user):
    payload = "</script><script>alert(1)//"
    case_id = new_case(app)
    advance(app, case_id, 3)  # steps 1 and 2 acted on: they appear in the SLA chart
    with app.app_context():
        step = db.session.scalar(select(Step).where(Step.no == 1))
        # The chart names a step by its short name: both carry the payload.
        step.activity = step.short = payload
        db.session.commit()
    auth.login(make_user("Kepala Dinas"))
    html = client.get("/dashboard/leaders/").get_data(as_text=True)
    assert "</script><script>alert(1)" not in html
    block = re.search(r'<script type="application/json" id="sp-dashboard-data">(.*?)</script>', html, re.S)
    labels = json.loads(block.group(1))["sla_by_step"]["labels"]
    assert any(payload in label for label in labels)  # still shown, as text


def test_console_csv_export_keeps_formulas_as_text(app, client, auth, make_user):
    with app.app_context():
        db.session.add(
            Personnel(
                name='=HYPERLINK("http://evil.example","klik")',
                position="+62 staf",
                rank="-1",
                competencies="@SUM(A1)",
                education="S1",
            )
        )
        db.session.commit()
    auth.login(make_user("Kepegawaian"))
    rv = client.get("/admin/console_personnel/export/csv/")
    assert rv.status_code == 200
    rows = list(csv.reader(io.StringIO(rv.get_data(as_text=True))))
    cells = {cell for row in rows[1:] for cell in row}
    assert '\'=HYPERLINK("http://evil.example","klik")' in cells
    assert {"'+62 staf", "'-1", "'@SUM(A1)"} <= cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)


def test_complaint_monthly_csv_keeps_formulas_as_text(app, client, auth, make_user):
    with app.app_context():
        c = complaints.create_complaint(
            {
                "complainant": {"name": "=cmd|' /C calc'!A0", "phone": "081266778899"},
                "subject": "+SUM(1)",
                "description": "isi",
            },
            source="public",
        )
        month = c.received_at.astimezone(office_tz()).strftime("%Y-%m")
    auth.login(make_user("Petugas Pengaduan"))
    text = client.get(f"/complaints/report.csv?month={month}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = {cell for row in rows[1:] for cell in row}
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(cell[:1] in "=+@" for cell in cells if cell)
