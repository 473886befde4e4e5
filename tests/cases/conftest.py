"""Fixtures of the case-engine tests: one officer per executor role, API helpers."""

from __future__ import annotations

import io

import pytest

from app.core.extensions import db
from models import Case, ControlCardEntry, RequirementScan
from tests.factories import SAMPLE_PDF, sample_applicant, sample_institution

EXECUTOR_ROLES = (
    "Pemohon",
    "Front Office",
    "Back Office",
    "Tim Teknis",
    "JF Analis Kebijakan Ahli Muda",
    "JF Analis Kebijakan Ahli Madya",
    "Sekretaris",
    "Kepala Dinas",
)


class Api:
    """Thin JSON client: one bearer token per username, fetched once."""

    def __init__(self, client, auth):
        self.client, self.auth, self.tokens = client, auth, {}

    def headers(self, username):
        if username not in self.tokens:
            self.tokens[username] = self.auth.token(username)
        return self.tokens[username]

    def get(self, username, url):
        return self.client.get(url, headers=self.headers(username))

    def post(self, username, url, **kwargs):
        return self.client.post(url, headers=self.headers(username), **kwargs)

    def act(self, username, case_id, action, version, note=None, data=None):
        return self.post(
            username,
            f"/api/v1/cases/{case_id}/act",
            json={"action": action, "version": version, "note": note, "data": data or {}},
        )

    def upload(self, username, case_id, code, content=SAMPLE_PDF, filename="scan.pdf"):
        return self.post(
            username,
            f"/api/v1/cases/{case_id}/requirements/{code}",
            data={"file": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )

    def check(self, username, case_id, code, checked=True, note=None):
        return self.post(
            username, f"/api/v1/cases/{case_id}/requirements/{code}", json={"checked": checked, "note": note}
        )

    def create(self, username, applicant=None, institution=None, form=None):
        return self.post(
            username,
            "/api/v1/cases/",
            json={
                "service": "TD-BKK",
                "applicant": applicant or sample_applicant(),
                "institution": institution or sample_institution(),
                "form": form or {"luas_ruangan_m2": "48.5", "rencana_penempatan": "25"},
            },
        )


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


@pytest.fixture
def staff(make_user):
    """{role name: username} for the eight executor roles (names give distinct initials)."""
    return {role: make_user(role, first_name=role.split()[0], last_name="Petugas") for role in EXECUTOR_ROLES}


def case_state(app, case_id):
    """What a user would notice about a case: status, step, version, card length, scans."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        return {
            "status": case.status,
            "step": case.current_step_no,
            "version": case.version,
            "card": db.session.query(ControlCardEntry).filter_by(case_id=case_id).count(),
            "checked": sorted(line.requirement.code for line in case.requirements if line.checked),
            "scans": db.session.query(RequirementScan).count(),
        }
