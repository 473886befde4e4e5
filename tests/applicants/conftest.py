"""Helpers for the applicant self-service tests: register through the public form, read the
verification link from the outbox (as the applicant reads their mail), verify, log in.

`LAMBDA` is a service defined here with names seen nowhere else (its applicant executor
"Warga Lambda Uji"), loaded through the CLI like any office would load one.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlparse

import pytest
import yaml
from sqlalchemy import select

from app.core.extensions import db
from models import OutboxMessage
from tests.conftest import CSRF_RE
from tests.factories import sample_nik
from tests.screens.conftest import login_as  # noqa: F401  (the counter's and officers' logins)

STRONG_PASSWORD = "Kelinci-Merah-Lompat-7391"

LAMBDA = {
    "format": 1,
    "code": "UJI-LAMBDA",
    "name": "Izin Uji Lambda",
    "product": "Surat Izin Uji Lambda",
    "fee": 0,
    "completion_working_days": 3,
    "number_format": "{seq:04d}/LAMBDA/{year}",
    "institution": "required",
    "standard": {},
    "executors": [
        {"code": "warga_lambda", "name": "Warga Lambda Uji", "applicant": True},
        {"code": "loket_lambda", "name": "Loket Lambda Uji"},
        {"code": "penera_lambda", "name": "Penera Lambda Uji"},
    ],
    "requirements": [
        {"code": "surat_lambda", "name": "Surat permohonan Lambda", "required": True, "document": True},
    ],
    "form": [{"name": "jumlah_mesin", "label": "Jumlah mesin", "type": "integer", "required": True, "min": 1}],
    "steps": [
        {
            "no": 1,
            "activity": "Menerima berkas Lambda",
            "kind": "intake",
            "executors": ["warga_lambda", "loket_lambda"],
            "minutes": 10,
        },
        {
            "no": 2,
            "activity": "Memeriksa berkas Lambda",
            "kind": "verify",
            "executors": ["loket_lambda"],
            "minutes": 20,
            "returns_to": "applicant",
        },
        {"no": 3, "activity": "Menyusun izin Lambda", "kind": "draft", "executors": ["penera_lambda"], "minutes": 30},
        {"no": 4, "activity": "Mengesahkan izin Lambda", "kind": "sign", "executors": ["penera_lambda"], "minutes": 30},
        {
            "no": 5,
            "activity": "Memberi nomor izin Lambda",
            "kind": "number",
            "executors": ["loket_lambda"],
            "minutes": 5,
        },
        {
            "no": 6,
            "activity": "Menyerahkan izin Lambda",
            "kind": "handover",
            "executors": ["loket_lambda", "warga_lambda"],
            "minutes": 5,
        },
    ],
}


@pytest.fixture
def lambda_service(app, runner, tmp_path):
    """LAMBDA loaded into the running app through `flask service load`."""
    path = tmp_path / "uji-lambda.yaml"
    path.write_text(yaml.safe_dump(LAMBDA, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = runner.invoke(args=["service", "load", str(path)])
    assert result.exit_code == 0, result.output
    return LAMBDA["code"]


def csrf_of(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token in {url}"
    return match.group(1) or match.group(2)


def registration(**overrides) -> dict:
    values = {
        "name": "Rina Marlina",
        "nik": sample_nik(),
        "email": f"rina.{uuid.uuid4().hex[:8]}@example.test",
        "phone": "0812 3456 7788",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
    }
    values.update(overrides)
    return values


def post_registration(client, values: dict):
    return client.post("/public/register", data={**values, "csrf_token": csrf_of(client, "/public/register")})


def mails_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


LINK_RE = re.compile(r"https?://\S+/public/register/confirm/\S+")


def link_in(body: str) -> str:
    """The verification link's path from an e-mail body."""
    match = LINK_RE.search(body)
    assert match, body
    return urlparse(match.group(0)).path


def latest_link(app, address: str) -> str:
    mails = [m for m in mails_to(app, address) if LINK_RE.search(m.body)]
    assert mails, f"no verification mail to {address}"
    return link_in(mails[-1].body)


def verify(client, path: str):
    """Open the link and press the button, as the applicant does."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = CSRF_RE.search(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token.group(1) or token.group(2)})


@pytest.fixture
def applicant_account(app, client, auth):
    """Register, verify and log in a fresh online applicant; returns (email, values)."""

    def _make(**overrides):
        values = registration(**overrides)
        rv = post_registration(client, values)
        assert rv.status_code == 302, rv.get_data(as_text=True)
        client.get(rv.headers["Location"])
        assert verify(client, latest_link(app, values["email"])).status_code == 200
        auth.logout()
        assert auth.login(values["email"], STRONG_PASSWORD).status_code == 302
        return values["email"], values

    return _make


def user_named(app, username: str):
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        roles = {role.name for role in user.roles}
        return {"id": user.id, "active": user.active, "roles": roles, "email": user.email}


@pytest.fixture
def nik():
    return sample_nik()
