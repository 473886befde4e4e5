"""All cases: leaders and the front office filter the register; others may not."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.core.extensions import db
from models import Case
from tests.factories import advance, new_case, sample_applicant
from tests.reading import page_text


def _ids(rv) -> set[int]:
    return set(map(int, re.findall(r'data-case-id="(\d+)"', rv.get_data(as_text=True))))


def test_role_without_a_case_screen_gets_403(login_as, client):
    login_as("Kepegawaian")
    assert client.get("/cases/").status_code == 403


def test_applicant_lists_only_their_own_cases(app, login_as, client):
    mine, theirs = new_case(app), new_case(app)
    username = login_as("Pemohon")
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        db.session.get(Case, mine).applicant.user_id = user.id
        db.session.commit()
    rv = client.get("/cases/")
    assert rv.status_code == 200
    assert _ids(rv) == {mine}
    assert theirs not in _ids(client.get("/cases/?q=TD-BKK"))


def test_executor_searches_the_cases_of_their_service(app, login_as, client):
    case_id = new_case(app)
    login_as("Tim Teknis")
    assert case_id in _ids(client.get("/cases/"))


def test_leader_sees_every_case_with_links(app, login_as, client):
    a, b = new_case(app), new_case(app)
    login_as("Kepala Bidang")
    rv = client.get("/cases/")
    assert rv.status_code == 200
    assert {a, b} <= _ids(rv)
    assert f'href="/cases/{a}"' in rv.get_data(as_text=True)
    assert 'class="sp-list-actions"' in rv.get_data(as_text=True)


def test_filters_narrow_the_list(app, login_as, client):
    plain = new_case(app)
    named = new_case(app, applicant=sample_applicant(name="Budi Hartono"))
    moved = new_case(app)
    advance(app, moved, 3)
    late = new_case(app)
    with app.app_context():
        db.session.execute(
            update(Case.__table__)
            .where(Case.__table__.c.id == late)
            .values(step_due_at=datetime.now(UTC) - timedelta(hours=5))
        )
        db.session.commit()
        reg_no = db.session.get(Case, plain).registration_no
    login_as("Front Office")
    assert _ids(client.get("/cases/", query_string={"q": reg_no})) == {plain}
    assert _ids(client.get("/cases/", query_string={"q": "budi"})) == {named}
    assert _ids(client.get("/cases/", query_string={"step": "3"})) == {moved}
    assert _ids(client.get("/cases/", query_string={"late": "1"})) == {late}
    assert _ids(client.get("/cases/", query_string={"service": "TD-BKK", "status": "in_progress"})) == {
        plain,
        named,
        moved,
        late,
    }
    assert _ids(client.get("/cases/", query_string={"status": "handed_over"})) == set()
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    rv = client.get("/cases/", query_string={"from": tomorrow})
    assert _ids(rv) == set() and "Tidak ada berkas yang sesuai" in page_text(rv)


def test_register_pages_by_id_without_counting(app, login_as, client, monkeypatch):
    import views.cases.lists

    monkeypatch.setattr(views.cases.lists, "PAGE_SIZE", 2)
    ids = [new_case(app) for _ in range(3)]
    login_as("Front Office")
    first = client.get("/cases/")
    assert _ids(first) == set(ids[1:])  # newest first
    match = re.search(r'href="(\?[^"]*before=\d+[^"]*)"', first.get_data(as_text=True))
    assert match, "a next-page link"
    second = client.get("/cases/" + match.group(1).replace("&amp;", "&"))
    assert _ids(second) == {ids[0]}
    assert "Berikutnya" not in page_text(second)


def test_export_buttons_keep_the_filters_and_show_only_to_register_readers(app, login_as, client):
    new_case(app)
    login_as("Kepala Bidang")
    html = client.get("/cases/?service=TD-BKK&status=in_progress&from=2026-01-01").get_data(as_text=True)
    links = re.findall(r'href="(/registers/cases/export/(?:csv|xlsx|pdf)\?[^"]+)"', html)
    # CSV, CSV with ';' for Indonesian Excel, Excel, PDF: each keeps the filters.
    assert {link.split("?")[0].rsplit("/", 1)[1] for link in links} == {"csv", "xlsx", "pdf"}
    assert any("sep=semicolon" in link for link in links)
    for link in links:
        assert "service=TD-BKK" in link and "status=in_progress" in link and "from=2026-01-01" in link
        assert client.get(link.replace("&amp;", "&")).status_code == 200
    login_as("Tim Teknis")  # may search cases, may not export the register
    assert "/registers/cases/export/" not in client.get("/cases/").get_data(as_text=True)


def test_date_filter_counts_days_in_office_time(app, login_as, client):
    """Received at 06:00 WIB on 2 March (23:00 UTC on 1 March): it belongs to 2 March."""
    from datetime import datetime

    case_id = new_case(app)
    with app.app_context():
        db.session.get(Case, case_id).received_at = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
        db.session.commit()
    login_as("Kepala Bidang")
    assert case_id in _ids(client.get("/cases/?from=2026-03-02&to=2026-03-02"))
    assert case_id not in _ids(client.get("/cases/?from=2026-03-01&to=2026-03-01"))
