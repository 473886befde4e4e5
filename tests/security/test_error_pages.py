"""Errors answer in Indonesian, as a page or as JSON under /api/, and never show a stack trace."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from models import Complaint
from tests.conftest import csrf_token
from tests.factories import new_case


def test_unknown_page_is_an_indonesian_404(client):
    rv = client.get("/no-such-page")
    html = rv.get_data(as_text=True)
    assert rv.status_code == 404
    assert "Halaman tidak ditemukan" in html and "Not Found" not in html


def test_unknown_api_route_answers_json(client):
    rv = client.get("/api/v1/no-such-thing")
    assert rv.status_code == 404
    assert rv.is_json and rv.json["message"] == "Halaman atau data yang Anda minta tidak ada."


def test_wrong_method_is_refused_in_indonesian_and_changes_nothing(app, client, auth, make_user):
    case_id = new_case(app)
    auth.login(make_user("Admin"))
    rv = client.delete(f"/cases/{case_id}")
    assert rv.status_code == 405 and "Metode tidak diizinkan" in rv.get_data(as_text=True)
    assert "GET" in rv.headers["Allow"]
    api = client.delete(f"/api/v1/cases/{case_id}", headers=auth.token(make_user("Admin")))
    assert api.status_code == 405 and "tidak menerima" in api.json["message"]
    assert client.get(f"/cases/{case_id}").status_code == 200


def test_refused_case_page_says_so_in_indonesian(app, client, auth, make_user):
    case_id = new_case(app)
    auth.login(make_user("Pemohon"))
    rv = client.get(f"/cases/{case_id}")
    # Someone else's case answers as if it did not exist: nothing to probe.
    assert rv.status_code == 404
    assert "Halaman tidak ditemukan" in rv.get_data(as_text=True)
    assert rv.get_data(as_text=True) == client.get("/cases/99999999").get_data(as_text=True).replace(
        "/cases/99999999", f"/cases/{case_id}"
    )


def test_oversized_public_form_gets_a_clean_413_and_stores_nothing(app, client):
    token = csrf_token(client, "/public/complaint")
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    rv = client.post(
        "/public/complaint", data={"csrf_token": token, "name": "Budi", "subject": "Antrian", "description": big}
    )
    html = rv.get_data(as_text=True)
    assert rv.status_code == 413
    assert "Berkas terlalu besar" in html and "Request Entity Too Large" not in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


class TestProduction:
    """APP_ENV=production hides exceptions even when DEBUG/PROPAGATE_EXCEPTIONS are set by mistake."""

    @pytest.fixture
    def app_config(self, app_config):
        return {
            **app_config,
            "APP_ENV": "production",
            "SECRET_KEY": "k" * 48,
            "PUBLIC_BASE_URL": "https://layanan.example.test",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",  # production refuses memory://
            "DEBUG": True,
            "PROPAGATE_EXCEPTIONS": True,
        }

    @pytest.fixture
    def app(self, app):
        def boom():
            raise RuntimeError("secret-internal-detail SELECT password FROM ab_user")

        app.add_url_rule("/boom", "boom", boom)
        app.add_url_rule("/api/v1/boom", "api_boom", boom)
        return app

    def test_a_crash_shows_an_indonesian_page_without_trace(self, app, client):
        rv = client.get("/boom")
        html = rv.get_data(as_text=True)
        assert rv.status_code == 500
        assert "Kesalahan internal" in html
        assert "Traceback" not in html and "secret-internal-detail" not in html

    def test_a_crash_under_the_api_is_json_without_trace(self, app, client):
        rv = client.get("/api/v1/boom")
        assert rv.status_code == 500 and rv.is_json
        assert "secret-internal-detail" not in rv.get_data(as_text=True)
        assert rv.json["message"].startswith("Terjadi kesalahan")
