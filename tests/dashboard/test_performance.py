"""Officer performance: actions per officer and competency gaps against the standard."""

from __future__ import annotations

import re

from app.core.extensions import db
from models import Personnel
from tests.dashboard.conftest import PERIOD


def add_personnel(app, username, education, name):
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        db.session.add(Personnel(name=name, education=education, user_id=user.id))
        db.session.commit()


def test_actions_per_officer_in_the_period(client, auth, make_user, data, app):
    auth.login(make_user("Kepegawaian"))
    html = client.get("/dashboard/performance/", query_string=PERIOD).get_data(as_text=True)
    with app.app_context():
        fo_id = app.appbuilder.sm.find_user(username=data["fo"]).id
        tt_id = app.appbuilder.sm.find_user(username=data["tt"]).id
    fo_row = re.search(rf'data-officer="{fo_id}">(.*?)</tr>', html, re.S).group(1)
    tt_row = re.search(rf'data-officer="{tt_id}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"text-right[^>]*>([^<]*)<", fo_row)[:3] == ["3", "1", "66,7"]  # Dec and Apr rows left out
    assert re.findall(r"text-right[^>]*>([^<]*)<", tt_row)[:3] == ["1", "0", "100,0"]


def test_competency_gaps_are_flagged(client, auth, make_user, app):
    fo_sd = make_user("Front Office", username="fo_sd")
    tt_smu = make_user("Tim Teknis", username="tt_smu")
    tt_s1 = make_user("Tim Teknis", username="tt_s1")
    make_user("Front Office", username="fo_none")
    add_personnel(app, fo_sd, "SD", "Fajar Sekolah Dasar")
    add_personnel(app, tt_smu, "SMU", "Tono Lulusan SMU")
    add_personnel(app, tt_s1, "S1", "Tari Sarjana")
    auth.login(make_user("Kepegawaian"))
    html = client.get("/dashboard/performance/").get_data(as_text=True)

    def gap(username):
        return re.search(rf'data-user="{username}" data-role="[^"]+" data-gap="([^"]*)"', html).group(1)

    assert gap("fo_sd") == "below" and gap("tt_smu") == "below"
    assert gap("tt_s1") == "" and gap("fo_none") == "no_record"
    assert "Pendidikan di bawah syarat minimal" in html
    assert "Fajar Sekolah Dasar" in html and "Tono Lulusan SMU" in html
