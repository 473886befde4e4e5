"""My worklist: only cases on my steps, late first, paged without counting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import update

import views.cases.worklist
from app.core.extensions import db
from models import Case
from tests.factories import new_case
from tests.reading import menu_text, page_text


def _registration_nos(app, *ids):
    with app.app_context():
        return [db.session.get(Case, i).registration_no for i in ids]


def _make_late(app, case_id):
    with app.app_context():
        db.session.execute(
            update(Case.__table__)
            .where(Case.__table__.c.id == case_id)
            .values(step_due_at=datetime.now(UTC) - timedelta(days=3))
        )
        db.session.commit()


def test_anonymous_is_sent_to_login(client):
    rv = client.get("/cases/worklist/")
    assert rv.status_code == 302 and "/login" in rv.headers["Location"]


def test_role_without_cases_screens_gets_403(login_as, client):
    login_as("Kepegawaian")
    assert client.get("/cases/worklist/").status_code == 403


def test_front_office_sees_its_cases_late_first(app, login_as, client):
    first, second, third = new_case(app), new_case(app), new_case(app)
    _make_late(app, third)
    nos = _registration_nos(app, first, second, third)
    login_as("Front Office")
    rv = client.get("/cases/worklist/")
    assert rv.status_code == 200
    html = rv.get_data(as_text=True)
    order = list(re.findall(r'data-case-id="(\d+)"', html))
    assert order[0] == str(third), "the late case must come first"
    assert {str(first), str(second)} <= set(order)
    text = page_text(rv)
    assert all(no in text for no in nos)
    late_row = html[html.index(f'data-case-id="{third}"') :].split("</tr>")[0]
    assert "TERLAMBAT" in late_row
    row_tags = {case: attrs for attrs, case in re.findall(r'<tr([^>]*data-case-id="(\d+)"[^>]*)>', html)}
    assert 'class="danger"' in row_tags[str(third)]  # the late row is red, the others are not
    assert all('class="danger"' not in row_tags[str(c)] for c in (first, second))
    assert "terlambat" in late_row  # how late, in office time


def test_cases_on_other_steps_are_not_in_my_worklist(app, login_as, client):
    case_id = new_case(app)  # waits at step 1, which Tim Teknis does not hold
    (no,) = _registration_nos(app, case_id)
    login_as("Tim Teknis")
    text = page_text(client.get("/cases/worklist/"))
    assert no not in text
    assert "Tidak ada berkas yang menunggu Anda." in text


def test_worklist_pages_without_counting(app, login_as, client, monkeypatch):
    monkeypatch.setattr(views.cases.worklist, "PAGE_SIZE", 2)
    ids = [new_case(app) for _ in range(3)]
    login_as("Front Office")
    first = client.get("/cases/worklist/").get_data(as_text=True)
    assert len(re.findall(r'data-case-id="', first)) == 2
    assert "?page=2" in first and "Berikutnya" in first
    second = client.get("/cases/worklist/?page=2").get_data(as_text=True)
    shown = re.findall(r'data-case-id="(\d+)"', first) + re.findall(r'data-case-id="(\d+)"', second)
    assert sorted(map(int, shown)) == sorted(ids)
    assert "?page=3" not in second and "Sebelumnya" in second


def test_cases_menu_offers_each_role_its_own_screens(login_as, client):
    login_as("Front Office")
    menu = menu_text(client.get("/cases/worklist/").get_data(as_text=True))
    assert "Permohonan" in menu and "Daftar kerja saya" in menu and "Semua berkas" in menu and "Permohonan baru" in menu
    login_as("Tim Teknis")
    menu = menu_text(client.get("/cases/worklist/").get_data(as_text=True))
    assert "Daftar kerja saya" in menu and "Semua berkas" in menu
    assert "Permohonan baru" not in menu


def test_worklist_names_a_step_short_with_the_full_activity_in_the_title(app, login_as, client):
    from html import unescape

    from models import Step

    case_id = new_case(app)
    with app.app_context():
        case = db.session.get(Case, case_id)
        step = db.session.scalars(
            sa.select(Step).where(Step.service_id == case.service_id, Step.no == case.current_step_no)
        ).one()
        activity, step_no = " ".join(step.activity.split()).removeprefix("- "), step.no
        default = step.label
    assert default != activity and default.endswith("…")  # the first words, cut on a word boundary
    assert activity.startswith(default.removesuffix("…"))
    login_as("Front Office")
    html = client.get("/cases/worklist/").get_data(as_text=True)
    cell = re.search(
        rf'<tr[^>]*data-case-id="{case_id}".*?<td class="sp-step" title="([^"]*)">([^<]*)</td>', html, re.S
    )
    assert cell and unescape(cell.group(2)) == f"{step_no}. {default}"
    assert unescape(cell.group(1)) == activity

    with app.app_context():  # a definition's `short` wins
        db.session.execute(
            sa.update(Step).where(Step.service_id == case.service_id, Step.no == step_no).values(short="Pendaftaran")
        )
        db.session.commit()
    html = client.get("/cases/worklist/").get_data(as_text=True)
    cell = re.search(
        rf'<tr[^>]*data-case-id="{case_id}".*?<td class="sp-step" title="([^"]*)">([^<]*)</td>', html, re.S
    )
    assert cell and cell.group(2) == f"{step_no}. Pendaftaran" and unescape(cell.group(1)) == activity
