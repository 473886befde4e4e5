"""One vocabulary per domain: a stored status reads the same on every screen, register and API call.

Every value a case or complaint can hold is given to a real record, then read back
where a user meets it: the case page and the list of cases, the CSV register, the
JSON API; in Indonesian and with ?lang=en. A raw stored value never shows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import update

from app.core.extensions import db
from models import Case, Complaint
from models.case import CaseOutcome, CaseStatus, CertificateStatus
from models.complaint import ComplaintChannel, ComplaintStatus, ComplaintWeight
from models.survey import SurveySource
from tests.factories import new_case, officer

VOCABULARIES = (
    CaseStatus,
    CaseOutcome,
    CertificateStatus,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintWeight,
    SurveySource,
)
CATALOGS = sorted((Path(__file__).resolve().parents[1] / "app" / "translations").glob("*/id/LC_MESSAGES/*.po"))


def label(app, member, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return str(member.label)


def _cell(rv, column: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(rv.get_data().decode("utf-8-sig"))))
    return {r[1]: r[rows[0].index(column)] for r in rows[1:]}


def test_every_label_has_one_indonesian_word_in_every_catalog(app):
    """A label's msgid never gets two translations (the merged catalogs would pick one by chance)."""
    words: dict[str, set[str]] = {}
    for po in CATALOGS:
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string:
                    words.setdefault(message.id, set()).add(message.string)
    for vocabulary in VOCABULARIES:
        for member in vocabulary:
            msgid = member.label._args[0]
            assert len(words.get(msgid, ())) == 1, (member, words.get(msgid))
            assert label(app, member, "id") == next(iter(words[msgid]))
            assert label(app, member, "en") == msgid and label(app, member, "id") != member.value


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_case_status_reads_alike_on_page_list_register_and_api(app, client, auth, make_user, lang):
    ids = {status: new_case(app) for status in CaseStatus}
    with app.app_context():
        for status, case_id in ids.items():
            db.session.execute(update(Case.__table__).where(Case.__table__.c.id == case_id).values(status=status.value))
        db.session.commit()
        numbers = {status: db.session.get(Case, case_id).registration_no for status, case_id in ids.items()}
    username = officer(app, make_user, "Kepala Dinas")
    headers = auth.token(username)
    auth.login(username)
    client.get(f"/cases/?lang={lang}")

    listing = client.get("/cases/").get_data(as_text=True)
    register = _cell(
        client.get("/api/v1/registers/cases/export", query_string={"format": "csv", "_l_": lang}, headers=headers),
        "Status",
    )
    for status, case_id in ids.items():
        expected = label(app, status, lang)
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert re.search(r'class="[^"]*sp-status[^"]*">([^<]*)<', page).group(1) == expected
        row = re.search(rf'data-case-id="{case_id}".*?</tr>', listing, re.S).group(0)
        assert re.findall(r"<td>([^<]*)</td>\s*</tr>", row) == [expected]
        assert register[numbers[status]] == expected
        api = client.get(f"/api/v1/cases/{case_id}", query_string={"_l_": lang}, headers=headers).json
        assert (api["status"], api["status_label"]) == (status.value, expected)
        assert status.value not in (expected, page[page.index("sp-status") :][:200])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_complaint_status_reads_alike_on_page_register_and_api(app, client, auth, make_user, lang):
    with app.app_context():
        # Every channel once, the statuses and weights (none: not sorted yet) in turn.
        statuses, weights = list(ComplaintStatus), [None, *ComplaintWeight]
        rows = [
            Complaint(
                number=f"VOC-{i}",
                channel=channel.value,
                complainant_name="Ahmad",
                subject="s",
                description="d",
                status=statuses[i % len(statuses)].value,
                weight=weights[i % len(weights)],
            )
            for i, channel in enumerate(ComplaintChannel)
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids = {c.number: (c.id, c.status, c.channel) for c in rows}
    username = officer(app, make_user, "Kepala Dinas")
    headers = auth.token(username)
    auth.login(username)
    client.get(f"/complaints/?lang={lang}")

    export = client.get(
        "/api/v1/registers/complaints/export", query_string={"format": "csv", "_l_": lang}, headers=headers
    )
    assert export.status_code == 200
    statuses, channels = _cell(export, "Status"), _cell(export, export_header(export, 7))
    for number, (complaint_id, status, channel) in ids.items():
        expected = label(app, ComplaintStatus(status), lang)
        assert statuses[number] == expected
        assert channels[number] == label(app, ComplaintChannel(channel), lang)
        page = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
        assert f"{number} <small>{expected}</small>" in page
        api = client.get(f"/api/v1/complaints/{complaint_id}", query_string={"_l_": lang}, headers=headers).json
        assert (api["status"], api["status_label"]) == (status, expected)
        assert api["channel_label"] == channels[number]


def export_header(rv, index: int) -> str:
    return next(csv.reader(io.StringIO(rv.get_data().decode("utf-8-sig"))))[index]
