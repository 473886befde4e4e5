"""Login hardening: rate limit, safe `next`, cookies, CSRF, password length, headers."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def app_config(app_config):
    """The shipped limit: 10 FAILED logins per account (successful ones never count)."""
    return {**app_config, "AUTH_FAILED_LOGIN_LIMIT_ACCOUNT": "10 per 15 minute"}


def test_login_form_is_rate_limited(client, make_user):
    username = make_user("Front Office")
    token = csrf_token(client, "/login/")
    codes = [
        client.post(
            "/login/", data={"username": username, "password": "wrong-password-x", "csrf_token": token}
        ).status_code
        for _ in range(10)
    ]
    assert 429 not in codes
    rv = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert rv.status_code == 429  # even the right password waits out the window
    assert "Terlalu banyak percobaan masuk yang gagal" in rv.get_data(as_text=True)
    assert "sp-login-link" in client.get("/").get_data(as_text=True)  # still not logged in: the public portal


def test_api_login_is_rate_limited(client, make_user):
    username = make_user("Front Office")
    body = {"username": username, "password": "wrong-password-x", "provider": "db"}
    codes = [client.post("/api/v1/security/login", json=body).status_code for _ in range(10)]
    assert codes == [401] * 10
    rv = client.post("/api/v1/security/login", json={**body, "password": PASSWORD})
    assert rv.status_code == 429
    assert rv.json["message"].startswith("Terlalu banyak percobaan masuk yang gagal")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "https:evil.example"]
)
def test_login_never_redirects_off_site(client, make_user, target):
    username = make_user("Front Office")
    token = csrf_token(client, "/login/")
    rv = client.post(f"/login/?next={target}", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert rv.status_code == 302
    # Resolved the way a browser does (a raw backslash counts as a slash), it stays here.
    location = urljoin("http://localhost/login/", rv.headers["Location"].replace("\\", "/"))
    assert urlsplit(location).netloc == "localhost", rv.headers["Location"]


def test_login_follows_a_local_next(client, make_user):
    username = make_user("Admin")
    token = csrf_token(client, "/login/")
    rv = client.post(
        "/login/?next=/admin/console_holiday/", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert rv.headers["Location"].endswith("/admin/console_holiday/")


def test_login_without_csrf_token_is_refused(client, make_user):
    username = make_user("Admin")
    client.get("/login/")
    rv = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert rv.status_code == 400
    assert "Formulir sudah kedaluwarsa" in rv.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not logged in


def test_json_api_is_exempt_from_csrf(client, make_user):
    """The API authenticates with JWT; its POSTs carry no CSRF token."""
    client.get("/login/")  # a session with a CSRF secret, like a browser's
    rv = client.post(
        "/api/v1/security/login", json={"username": make_user("Admin"), "password": PASSWORD, "provider": "db"}
    )
    assert rv.status_code == 200 and rv.json["access_token"]


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    rv = auth.login(make_user("Admin"))
    cookie = next(v for k, v in rv.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(client):
    rv = client.get("/login/")
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    assert rv.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_short_password_refused_when_admin_adds_a_user(app, client, auth, make_user):
    auth.login(make_user("Admin"))
    token = csrf_token(client, "/users/add")
    with app.app_context():
        role_id = app.appbuilder.sm.find_role("Front Office").id
    data = {
        "first_name": "Ani",
        "last_name": "Rahma",
        "username": "ani",
        "email": "ani@example.test",
        "active": "y",
        "roles": str(role_id),
        "csrf_token": token,
    }
    rv = client.post("/users/add", data={**data, "password": "short-pw-11", "conf_password": "short-pw-11"})
    assert "Kata sandi paling sedikit 12 karakter." in rv.get_data(as_text=True)
    sm = app.appbuilder.sm
    with app.app_context():
        assert sm.find_user(username="ani") is None
    client.post("/users/add", data={**data, "password": "long-enough-pw-12", "conf_password": "long-enough-pw-12"})
    with app.app_context():
        assert sm.find_user(username="ani") is not None


def test_short_password_refused_on_reset(app, client, auth, make_user):
    username = make_user("Admin")
    auth.login(username)
    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username=username).id
    url = f"/resetpassword/form?pk={user_id}"
    token = csrf_token(client, url)
    rv = client.post(url, data={"password": "tooshort", "conf_password": "tooshort", "csrf_token": token})
    assert "Kata sandi paling sedikit 12 karakter." in rv.get_data(as_text=True)
    auth.logout()
    assert auth.login(username).headers.get("Location", "").endswith("/")  # old password still works
