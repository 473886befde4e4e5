"""Fixtures of the delegation tests: a service with names seen nowhere else, delegation rows, office dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.delegation.effective import office_today
from app.services.yaml_format import dump
from models import Case
from models.delegation import Delegation

# A service whose executors no shipped definition, demo account or line of code names.
YOTA = {
    "format": 1,
    "code": "UJI-YOTA",
    "name": "Izin Uji Yota",
    "product": "Surat Izin Uji Yota",
    "fee": 0,
    "completion_working_days": 5,
    "number_format": "{seq:04d}/YOTA/{year}",
    "institution": "none",
    "certificate": {"title": "Piagam Izin Uji Yota", "body": "Dengan ini diberikan Izin Uji Yota kepada:"},
    "standard": {},
    "executors": [
        {"code": "loket_yota", "name": "Loket Yota"},
        {"code": "perumus_yota", "name": "Perumus Naskah Yota"},
        {"code": "pengesah_yota", "name": "Pengesah Akhir Yota"},
    ],
    "requirements": [{"code": "surat_yota", "name": "Surat permohonan", "required": True, "document": False}],
    "form": [],
    "steps": [
        {"no": 1, "activity": "Menerima berkas", "kind": "intake", "executors": ["loket_yota"], "minutes": 10},
        {"no": 2, "activity": "Memeriksa berkas", "kind": "verify", "executors": ["loket_yota"], "minutes": 10},
        {"no": 3, "activity": "Menyusun naskah", "kind": "draft", "executors": ["perumus_yota"], "hours": 1},
        {
            "no": 4,
            "activity": "Mengesahkan izin",
            "kind": "sign",
            "executors": ["pengesah_yota"],
            "hours": 2,
            "returns_to": 3,
        },
        {"no": 5, "activity": "Memberi nomor", "kind": "number", "executors": ["perumus_yota"], "minutes": 5},
        {"no": 6, "activity": "Menyerahkan izin", "kind": "handover", "executors": ["loket_yota"], "minutes": 5},
    ],
}

# Per service: the role delegated (the sign step's executor), the sign step, the step after it, the intake
# role, and every step the delegated role executes.
SERVICES = {
    # The head's role signs both shipped services.
    "TD-BKK": {
        "role": "Kepala Dinas",
        "sign": 8,
        "after": 9,
        "intake": "Front Office",
        "steps": {"TD-BKK step 8", "IPDH step 6"},
    },
    "UJI-YOTA": {
        "role": "Pengesah Akhir Yota",
        "sign": 4,
        "after": 5,
        "intake": "Loket Yota",
        "steps": {"UJI-YOTA step 4"},
    },
}


@pytest.fixture
def yota(app, runner, tmp_path):
    path = tmp_path / "uji-yota.yaml"
    path.write_text(dump(YOTA), encoding="utf-8")
    result = runner.invoke(args=["service", "load", str(path)])
    assert result.exit_code == 0, result.output
    return YOTA["code"]


@pytest.fixture(params=sorted(SERVICES))
def service(request, app):
    """Each test runs on TD-BKK and on the in-test UJI-YOTA."""
    if request.param == "UJI-YOTA":
        request.getfixturevalue("yota")
    return {"code": request.param, **SERVICES[request.param]}


def today(app) -> date:
    with app.app_context():
        return office_today()


def delegate(app, role: str, username: str, start: int = 0, end: int = 3, kind: str = "plt") -> int:
    """A delegation row from today+start to today+end (office dates), as if granted by nobody in particular."""
    with app.app_context():
        sm = app.appbuilder.sm
        base = office_today()
        row = Delegation(
            role=sm.find_role(role),
            acting_user_id=sm.find_user(username=username).id,
            kind=kind,
            decree_no="800/123/BKPSDM/2026",
            start_date=base + timedelta(days=start),
            end_date=base + timedelta(days=end),
            granted_at=datetime.now(UTC),
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def move(app, delegation_id: int, start: int, end: int) -> None:
    """Time passes: the delegation's window moved relative to today (office dates)."""
    with app.app_context():
        row = db.session.get(Delegation, delegation_id)
        base = office_today()
        row.start_date, row.end_date = base + timedelta(days=start), base + timedelta(days=end)
        db.session.commit()


def registration_no(app, case_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Case.registration_no).where(Case.id == case_id))
