"""Login throttling, session lifetime, passwords, headers and dependency floors
(security review findings 4, 5, 8 and 12b), replayed as the attacker would."""

from __future__ import annotations

import logging
import re
import tomllib
import uuid
from importlib.metadata import version
from pathlib import Path

import pytest
import redis
from flask_appbuilder.cli import fab

from app import ConfigurationError, create_app
from app.core.extensions import db
from app.setup.auth import LoginThrottle
from tests.conftest import PASSWORD, AuthActions, csrf_token
from tests.factories import new_case

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"
WRONG = "wrong-password-xyz"
API_LOGIN = "/api/v1/security/login"
THROTTLED = re.compile(r"Terlalu banyak percobaan masuk yang gagal\. Coba lagi dalam \d+ menit\.")


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_up(), reason="Redis not reachable at 127.0.0.1:6379")


def _user(app, *roles: str, username: str | None = None) -> str:
    """A user in `app` (which may be a second instance, not the fixture's)."""
    name = username or "u_" + uuid.uuid4().hex[:10]
    with app.app_context():
        sm = app.appbuilder.sm
        assert sm.add_user(name, "Uji", name, f"{name}@example.test", [sm.find_role(r) for r in roles], PASSWORD)
    return name


def _form_login(client, username: str, password: str, addr: str = "127.0.0.1"):
    token = csrf_token(client, "/login/")
    return client.post(
        "/login/",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": addr},
    )


def _api_login(client, username: str, password: str, addr: str = "127.0.0.1", **extra):
    return client.post(
        API_LOGIN,
        json={"username": username, "password": password, "provider": "db", **extra},
        environ_base={"REMOTE_ADDR": addr},
    )


def _logged_in(client) -> bool:
    return client.get("/users/userinfo/").status_code == 200


# --- finding 4: login throttling ---------------------------------------------------------


class TestThrottle:
    @pytest.fixture
    def app_config(self, app_config):
        return {
            **app_config,
            "AUTH_FAILED_LOGIN_LIMIT_ACCOUNT": "10 per 15 minute",
            "AUTH_FAILED_LOGIN_LIMIT_ADDRESS": "30 per 15 minute",
        }

    def test_an_office_behind_one_address_logs_in_many_times(self, app, make_user):
        """The 11th (and 40th) officer logging in from the office's one address is let in."""
        users = [make_user("Front Office") for _ in range(12)]
        for round_no in range(3):
            for username in users:
                client = app.test_client()
                rv = _form_login(client, username, PASSWORD, addr="203.0.113.10")
                assert rv.status_code == 302 and _logged_in(client), (round_no, username)
            assert _api_login(app.test_client(), users[0], PASSWORD, addr="203.0.113.10").status_code == 200

    def test_failed_attempts_count_per_account_across_form_api_and_letter_case(self, app, client, make_user):
        victim = make_user("Front Office")
        for i in range(5):  # the form, from five addresses
            assert _form_login(client, victim.upper(), WRONG, addr=f"198.51.100.{i}").status_code == 302
        for i in range(4):  # the API, from others
            assert _api_login(client, f"  {victim.title()} ", WRONG, addr=f"192.0.2.{i}").status_code == 401
        # the e-mail names the same account
        assert _api_login(client, f"{victim}@EXAMPLE.test", WRONG, addr="192.0.2.99").status_code == 401
        refused = _form_login(client, victim, PASSWORD, addr="198.51.100.200")
        html = refused.get_data(as_text=True)
        assert refused.status_code == 429 and THROTTLED.search(html), html[:500]
        assert 'name="password"' in html  # the login form, not a blank error page
        assert int(refused.headers["Retry-After"]) > 0
        api = _api_login(client, victim, PASSWORD, addr="192.0.2.200")
        assert api.status_code == 429 and THROTTLED.fullmatch(api.json["message"])
        assert not _logged_in(client)
        # Another officer is not affected.
        assert _form_login(client, make_user("Front Office"), PASSWORD, addr="198.51.100.200").status_code == 302

    def test_failed_attempts_count_per_address_across_accounts(self, app, make_user):
        app.config["AUTH_FAILED_LOGIN_LIMIT_ADDRESS"] = "5 per 15 minute"
        app.extensions["sp_login_throttle"] = LoginThrottle(app)
        attacker = app.test_client()
        for i in range(3):
            assert _form_login(attacker, f"guess{i}", WRONG, addr="203.0.113.66").status_code == 302
        for i in range(2):
            assert _api_login(attacker, f"other{i}", WRONG, addr="203.0.113.66").status_code == 401
        officer = make_user("Front Office")
        rv = _api_login(attacker, officer, PASSWORD, addr="203.0.113.66")
        assert rv.status_code == 429 and THROTTLED.fullmatch(rv.json["message"])
        assert _api_login(app.test_client(), officer, PASSWORD, addr="203.0.113.67").status_code == 200

    def test_a_successful_login_clears_the_account_failures_only(self, app, client, make_user):
        officer = make_user("Front Office")
        for _ in range(9):
            _api_login(client, officer, WRONG)
        assert _api_login(client, officer, PASSWORD).status_code == 200
        for _ in range(9):  # typos tomorrow start from zero
            assert _api_login(client, officer, WRONG).status_code == 401
        assert _api_login(client, officer, PASSWORD).status_code == 200

    def test_the_message_is_english_for_an_english_reader(self, app, client, make_user):
        officer = make_user("Front Office")
        for _ in range(10):
            _api_login(client, officer, WRONG)
        rv = client.post(API_LOGIN + "?lang=en", json={"username": officer, "password": PASSWORD, "provider": "db"})
        assert rv.status_code == 429 and "Too many failed login attempts" in rv.json["message"]


@needs_redis
def test_workers_share_the_counters_through_redis(app_config):
    """Two app instances (two gunicorn workers, or two machines) see one count."""
    config = {
        **app_config,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "AUTH_THROTTLE_NAMESPACE": "t-" + uuid.uuid4().hex,
        "AUTH_FAILED_LOGIN_LIMIT_ACCOUNT": "4 per 15 minute",
    }
    first, second = create_app(config), create_app(config)
    officer = _user(first, "Front Office")
    for worker in (first, second, first, second):
        assert _api_login(worker.test_client(), officer, WRONG).status_code == 401
    for worker in (first, second):
        assert _api_login(worker.test_client(), officer, PASSWORD).status_code == 429
    for worker in (first, second):
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_redis_down_degrades_to_process_memory_and_logs_an_error(app_config):
    """Decision: with Redis unreachable logins keep working, still throttled per process."""
    app = create_app(
        {
            **app_config,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
            "AUTH_FAILED_LOGIN_LIMIT_ACCOUNT": "3 per 15 minute",
        }
    )
    officer = _user(app, "Front Office")
    client = app.test_client()
    records, logger = _Records(), logging.getLogger("app.setup.auth")
    logger.addHandler(records)
    try:
        assert _api_login(client, officer, PASSWORD).status_code == 200
    finally:
        logger.removeHandler(records)
    assert any("unreachable" in m for m in records.messages), records.messages
    for _ in range(3):
        assert _api_login(client, officer, WRONG).status_code == 401
    assert _api_login(client, officer, PASSWORD).status_code == 429
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_refuses_per_process_throttle_storage(app_config):
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        create_app(
            {
                **app_config,
                "APP_ENV": "production",
                "SECRET_KEY": "s" * 48,
                "PUBLIC_BASE_URL": "https://layanan.example.test",
            }
        )
    app = create_app(
        {
            **app_config,
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 48,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "PUBLIC_BASE_URL": "https://layanan.example.test",
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL


# --- finding 5: sessions end at logout and password changes ------------------------------


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _change_own_password(client, current: str, new: str):
    token = csrf_token(client, "/resetmypassword/form")
    return client.post(
        "/resetmypassword/form",
        data={"current_password": current, "password": new, "conf_password": new, "csrf_token": token},
    )


def test_a_cookie_captured_before_logout_no_longer_opens_cases(app, client, auth, make_user):
    auth.login(make_user("Front Office"))
    cookie = _session_cookie(client)
    assert _replay(app, cookie).get("/cases/").status_code == 200  # the captured cookie works until logout
    auth.logout()
    rv = _replay(app, cookie).get("/cases/")
    assert rv.status_code == 302 and "/login" in rv.headers["Location"]


def test_logout_also_ends_the_users_api_tokens(app, client, auth, make_user):
    officer = make_user("Front Office")
    headers = auth.token(officer)
    assert client.get("/api/v1/cases/", headers=headers).status_code == 200
    auth.login(officer)
    auth.logout()
    rv = app.test_client().get("/api/v1/cases/", headers=headers)
    assert rv.status_code == 401 and "masuk" in rv.json["message"]


def test_own_password_change_ends_every_other_session_and_token(app, client, auth, make_user):
    officer = make_user("Front Office")
    other_pc = app.test_client()
    AuthActions(other_pc).login(officer)
    stolen_cookie = _session_cookie(other_pc)
    headers = auth.token(officer)
    refresh = _api_login(app.test_client(), officer, PASSWORD, refresh=True).json["refresh_token"]
    auth.login(officer)
    new_password = "pohon-mangga-di-halaman-kantor"
    rv = _change_own_password(client, PASSWORD, new_password)
    assert rv.status_code == 302
    assert client.get("/cases/").status_code == 200  # the session that changed it goes on
    assert other_pc.get("/cases/").status_code == 302
    assert _replay(app, stolen_cookie).get("/cases/").status_code == 302
    api = app.test_client()
    rv = api.get("/api/v1/cases/", headers=headers)
    assert rv.status_code == 401 and "masuk" in rv.json["message"]
    assert api.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"}).status_code == 401
    assert _api_login(api, officer, PASSWORD).status_code == 401
    fresh = AuthActions(api).token(officer, new_password)
    assert api.get("/api/v1/cases/", headers=fresh).status_code == 200


def test_admin_reset_ends_the_officers_sessions_and_tokens(app, client, auth, make_user):
    officer = make_user("Front Office")
    victim_pc = app.test_client()
    AuthActions(victim_pc).login(officer)
    headers = AuthActions(app.test_client()).token(officer)
    auth.login(make_user("Admin"))
    with app.app_context():
        pk = app.appbuilder.sm.find_user(username=officer).id
    url = f"/resetpassword/form?pk={pk}"
    token = csrf_token(client, url)
    new = "sungai-siak-mengalir-tenang"
    assert client.post(url, data={"password": new, "conf_password": new, "csrf_token": token}).status_code == 302
    assert client.get("/users/list/").status_code == 200  # the admin stays logged in
    assert victim_pc.get("/cases/").status_code == 302
    assert app.test_client().get("/api/v1/cases/", headers=headers).status_code == 401


def test_cli_reset_password_ends_the_officers_sessions_and_tokens(app, runner, make_user):
    officer = make_user("Front Office")
    victim_pc = app.test_client()
    AuthActions(victim_pc).login(officer)
    headers = AuthActions(app.test_client()).token(officer)
    rv = runner.invoke(fab, ["reset-password", "--username", officer, "--password", "jembatan-merah-pekanbaru"])
    assert "reseted" in rv.output, rv.output
    assert victim_pc.get("/cases/").status_code == 302
    assert app.test_client().get("/api/v1/cases/", headers=headers).status_code == 401


def test_own_password_form_requires_the_current_password(app, client, auth, make_user):
    officer = make_user("Front Office")
    auth.login(officer)
    html = client.get("/resetmypassword/form").get_data(as_text=True)
    assert 'name="current_password"' in html and "Kata sandi saat ini" in html
    new = "pohon-mangga-di-halaman-kantor"
    token = csrf_token(client, "/resetmypassword/form")
    rv = client.post("/resetmypassword/form", data={"password": new, "conf_password": new, "csrf_token": token})
    assert rv.status_code == 200
    rv = _change_own_password(client, "not-my-password-at-all", new)
    assert rv.status_code == 200 and "Kata sandi saat ini salah." in rv.get_data(as_text=True)
    assert client.get("/cases/").status_code == 200  # still logged in, nothing changed
    assert _api_login(app.test_client(), officer, new).status_code == 401
    assert _api_login(app.test_client(), officer, PASSWORD).status_code == 200


def test_guessing_the_current_password_on_the_form_is_throttled(app, client, auth, make_user):
    officer = make_user("Front Office")
    auth.login(officer)
    for i in range(10):
        _change_own_password(client, f"guess-number-{i}", "pohon-mangga-di-halaman-kantor")
    rv = _change_own_password(client, PASSWORD, "pohon-mangga-di-halaman-kantor")
    assert THROTTLED.search(rv.get_data(as_text=True))
    assert _api_login(app.test_client(), officer, "pohon-mangga-di-halaman-kantor").status_code != 200


WEAK = [
    "aaaaaaaaaaaa",
    "ZZZZZZZZZZZZZZZZ",
    "111111111111",
    "123456789012",
    "098765432109",
    "abcdefghijkl",
    "lkjihgfedcba",
    "qwertyuiop12",
    "asdfghjkl;'1",
    "1q2w3e4r5t6y",
    "abcabcabcabc",
    "ab12ab12ab12ab12",
    "Password1234!",
    "p@ssw0rd2026!!",
    "bismillah12345",
    "Indonesia2026#",
    "qwerty123456",
    "{user}-rahasia-99",
    "{USER}!kopi!susu",
    "xx-{user}@example.test",
]


@pytest.mark.parametrize("template", WEAK)
def test_weak_passwords_are_refused_on_the_own_password_form(app, client, auth, make_user, template):
    officer = make_user("Front Office")
    weak = template.replace("{user}", officer).replace("{USER}", officer.upper())
    auth.login(officer)
    rv = _change_own_password(client, PASSWORD, weak)
    html = rv.get_data(as_text=True)
    assert rv.status_code == 200 and (
        "terlalu mudah ditebak" in html or "paling umum" in html or "tidak boleh memuat nama pengguna" in html
    ), weak
    assert _api_login(app.test_client(), officer, weak).status_code == 401


@pytest.mark.parametrize("template", WEAK)
def test_weak_passwords_are_refused_everywhere_else(app, runner, make_user, template):
    officer = make_user("Front Office")
    weak = template.replace("{user}", officer).replace("{USER}", officer.upper())
    rv = runner.invoke(fab, ["reset-password", "--username", officer, "--password", weak])
    assert "reseted" not in rv.output
    name = "n" + uuid.uuid4().hex[:8]
    weak_new = template.replace("{user}", name).replace("{USER}", name.upper())
    rv = runner.invoke(
        fab,
        [
            "create-user",
            "--role",
            "Admin",
            "--username",
            name,
            "--firstname",
            "A",
            "--lastname",
            "B",
            "--email",
            f"{name}@example.test",
            "--password",
            weak_new,
        ],
    )
    with app.app_context():
        assert app.appbuilder.sm.find_user(username=name) is None, weak_new


def test_a_good_long_password_is_accepted(app, client, auth, make_user):
    officer = make_user("Front Office")
    auth.login(officer)
    good = "Kopi tubruk di Pasar Bawah, jam 7!"
    assert _change_own_password(client, PASSWORD, good).status_code == 302
    assert _api_login(app.test_client(), officer, good).status_code == 200


# --- finding 8: production headers -------------------------------------------------------


@pytest.fixture
def production_app(app_config):
    app = create_app(
        {
            **app_config,
            "APP_ENV": "production",
            "SECRET_KEY": "p" * 48,
            "PUBLIC_BASE_URL": "https://layanan.example.test",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "AUTH_THROTTLE_NAMESPACE": "t-" + uuid.uuid4().hex,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@needs_redis
def test_production_cookies_are_secure_and_hsts_is_sent(production_app):
    officer = _user(production_app, "Front Office")
    client = production_app.test_client()
    rv = AuthActions(client).login(officer)
    cookie = next(v for k, v in rv.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    assert rv.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@needs_redis
def test_production_cookies_can_be_made_insecure_only_explicitly(app_config):
    app = create_app(
        {
            **app_config,
            "APP_ENV": "production",
            "SECRET_KEY": "p" * 48,
            "PUBLIC_BASE_URL": "https://layanan.example.test",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.config["REMEMBER_COOKIE_SECURE"] is True


def test_hsts_over_https_but_not_plain_http_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/login/").headers
    rv = client.get("/login/", base_url="https://localhost")
    assert rv.headers["Strict-Transport-Security"].startswith("max-age=31536000")


SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
HANDLER_RE = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.I)


def _check_csp(rv, url: str) -> None:
    policy = rv.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src, policy
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    html = rv.get_data(as_text=True)
    for attrs, body in SCRIPT_RE.findall(html):
        if "src=" in attrs or "application/json" in attrs or not body.strip():
            continue
        assert f'nonce="{nonce}"' in attrs, f"{url}: inline script without this response's nonce: {body[:120]}"
    handler = HANDLER_RE.search(html)
    assert handler is None, f"{url}: inline event handler {handler.group(0)[:120]}"


def test_pages_have_a_self_csp_and_no_inline_script_without_the_nonce(app, client, auth, make_user):
    case_id = new_case(app)
    for url in ("/login/", "/public/", "/public/track", "/public/complaint"):
        _check_csp(client.get(url), url)
    auth.login(make_user("Admin"))
    pages = [
        "/",
        "/cases/",
        f"/cases/{case_id}",
        "/cases/new/TD-BKK",
        "/cases/worklist/",
        "/users/list/",
        "/users/add",
        "/roles/list/",
        "/users/userinfo/",
        "/resetmypassword/form",
        "/dashboard/leaders/",
        "/admin/",
        "/admin/console_holiday/",
        "/admin/console_holiday/new/",
        "/complaints/new",
    ]
    for url in pages:
        rv = client.get(url)
        assert rv.status_code == 200, url
        _check_csp(rv, url)
    first = client.get("/").headers["Content-Security-Policy"]
    assert first != client.get("/").headers["Content-Security-Policy"]  # a fresh nonce per response


def test_templates_carry_no_inline_event_handlers():
    for path in (ROOT / "app" / "templates").rglob("*.html"):
        text = path.read_text()
        assert not HANDLER_RE.search(text), path
        for attrs, body in SCRIPT_RE.findall(text):
            assert "src=" in attrs or "application/json" in attrs or "nonce=" in attrs, (path, body[:80])


def test_pages_of_a_logged_in_user_and_api_answers_are_not_stored(app, client, auth, make_user):
    case_id = new_case(app)
    officer = make_user("Front Office")
    assert "no-store" not in client.get("/public/").headers.get("Cache-Control", "")
    auth.login(officer)
    with app.app_context():
        from models import Case

        nik = db.session.get(Case, case_id).applicant.nik
    rv = client.get(f"/cases/{case_id}")
    assert nik in rv.get_data(as_text=True)
    assert "no-store" in rv.headers["Cache-Control"]
    for url in ("/", "/cases/", "/users/userinfo/", f"/documents/case/{case_id}/control-card.pdf"):
        assert "no-store" in client.get(url).headers.get("Cache-Control", ""), url
    headers = AuthActions(app.test_client()).token(officer)
    api = app.test_client().get(f"/api/v1/cases/{case_id}", headers=headers)
    assert api.status_code == 200 and "no-store" in api.headers["Cache-Control"]


# --- finding 12b: dependency floors ------------------------------------------------------


def _floor(requirement: str) -> tuple[int, ...] | None:
    match = re.search(r">=\s*([0-9][0-9.]*)", requirement)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def test_dependency_floors_exclude_versions_with_known_advisories():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = {
        re.split(r"[\[<>=!~ ]", d, maxsplit=1)[0].lower(): d
        for d in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    minimum = {"xhtml2pdf": (0, 2, 19), "flask": (3, 1, 1), "pypdf": (7, 1)}
    for name, fixed in minimum.items():
        floor = _floor(deps[name])
        assert floor is not None and floor >= fixed, deps[name]
        installed = tuple(int(p) for p in re.findall(r"\d+", version(name))[:3])
        assert installed >= floor, (name, installed)
    # Pins kept below on purpose stay.
    assert "marshmallow<4" in deps["marshmallow"] and "<1.4" in deps["marshmallow-sqlalchemy"]
    assert "<3.4" in deps["wtforms"]
