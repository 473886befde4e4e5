"""Survey screens: paper-form entry, the IKM report with its follow-up plans, and the PDF."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from models import SurveyFollowUp, SurveyResponse
from tests.conftest import AuthActions, count_rows, csrf_token
from tests.reading import pdf_text
from tests.survey.conftest import answer
from tests.survey.test_ikm import DATA

PERIOD = "service=TD-BKK&from=2026-06-01&to=2026-06-30"


def test_paper_form_typed_in_on_screen(app, client, make_user):
    AuthActions(client).login(make_user("Front Office", username="fo_survey"))
    form = {
        "csrf_token": csrf_token(client, "/survey/entry"),
        "service": "TD-BKK",
        "date": "2026-06-10",
        "sex": "L",
        "age": "40",
        "education": "SMA",
        "occupation": "wirausaha",
        "suggestion": "Ruang tunggu panas",
    }
    form.update({f"u{i}": "3" for i in range(1, 10)})
    assert client.post("/survey/entry", data=form).status_code == 302
    form.pop("u6")
    rv = client.post("/survey/entry", data=form)
    assert rv.status_code == 200 and "Nilai unsur U6 (Kompetensi pelaksana) wajib diisi." in rv.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(sa.select(SurveyResponse)).all()
        assert [(r.u6, r.sex, r.suggestion) for r in rows] == [(3, "L", "Ruang tunggu panas")]
    assert client.get("/survey/").status_code == 403  # typists do not read the index


def test_report_lists_elements_needing_a_plan_until_one_is_recorded(app, client, typist, make_user):
    for row in DATA:
        client.post("/api/v1/surveys/", json=answer(row), headers=typist)
    AuthActions(client).login(make_user("Kepala Bidang", username="kabid_survey"))
    page = client.get("/survey/?" + PERIOD).get_data(as_text=True)
    assert "77,69" in page and "B (baik)" in page and "Indeks Kepuasan Masyarakat" in page
    assert "U2, U3, U5, U8" in page

    url = "/survey/follow-up?service=TD-BKK&element=u3&period_from=2026-06-01&period_to=2026-06-30"
    rv = client.post(
        "/survey/follow-up",
        data={
            "csrf_token": csrf_token(client, url),
            "service": "TD-BKK",
            "element": "u3",
            "period_from": "2026-06-01",
            "period_to": "2026-06-30",
            "plan": "Tambah petugas <b>loket</b>",
            "responsible": "Kabid Perizinan",
            "target_date": "2026-09-30",
        },
    )
    assert rv.status_code == 302
    page = client.get("/survey/?" + PERIOD).get_data(as_text=True)
    assert "U2, U5, U8" in page and "Tambah petugas &lt;b&gt;loket&lt;/b&gt;" in page
    with app.app_context():
        plan = db.session.scalar(sa.select(SurveyFollowUp))
        assert (plan.element, plan.nrr) == ("u3", 2.5)

    pdf = client.get("/survey/report.pdf?" + PERIOD)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    assert "77,69" in text and "Tambah petugas <b>loket</b>" in text and "U8 (Penanganan pengaduan" in text


def test_follow_up_needs_a_plan(app, client, make_user):
    AuthActions(client).login(make_user("Sekretaris", username="sek_survey"))
    url = "/survey/follow-up"
    rv = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "service": "TD-BKK",
            "element": "u1",
            "period_from": "2026-01-01",
            "period_to": "2026-12-31",
            "plan": " ",
        },
    )
    assert "Rencana tindak lanjut wajib diisi." in rv.get_data(as_text=True)
    assert count_rows(app, SurveyFollowUp) == 0
