"""Fixtures for the console tests: rows to act on in every console table."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Applicant, Institution, Personnel


@pytest.fixture
def sample_rows(app):
    """The id of one row of every console model (the baseline has no people rows: add them)."""
    from views.console import console_models

    with app.app_context():
        db.session.add(Personnel(name="Sri Wahyuni", nip="198001012005012001", education="S1"))
        db.session.add(Applicant(nik="1471010101900099", name="Rahmat Hidayat"))
        db.session.add(Institution(name="SMK Negeri 5 Pekanbaru"))
        db.session.commit()
        return {m.__name__: db.session.scalar(select(m.id).order_by(m.id).limit(1)) for m in console_models()}
