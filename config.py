"""Configuration read from the environment, with safe defaults (microblog's pattern)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))

# A key that must never protect real sessions: production refuses to start with it.
DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_bool(name: str) -> bool | None:
    """True/False when the environment sets it, None to let APP_ENV decide."""
    return None if os.environ.get(name) is None else _bool(name, False)


def _database_url(value: str) -> str:
    """`postgres://` and `postgresql://` (as hosting platforms write them) use psycopg 3, the driver installed."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    return value


class Config:
    APP_ENV = os.environ.get("APP_ENV", "development")  # development | demo | production | test
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    INSTANCE_PATH = str(INSTANCE_DIR)
    SQLALCHEMY_DATABASE_URI = _database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sp-backoffice.sqlite'}")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # pre_ping: a connection PostgreSQL dropped (a restart) is replaced before use, so an
    # instance recovers by itself; requests during the outage are a 503 (app/setup/db_errors.py).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Seconds to wait for a PostgreSQL connection before the request answers 503 (app/__init__.py).
    DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))

    # --- the shell (Flask-AppBuilder) ---
    APP_NAME = "SP-Backoffice DPMPTSP Kota Pekanbaru"
    APP_ICON = "/static/img/logo.svg"
    FAB_BASE_TEMPLATE = "base.html"
    FAB_INDEX_VIEW = "views.home.HomeIndexView"
    # Tables come from Alembic only; permissions and roles from `flask roles sync`
    # (Superset's pattern), so app start-up never writes to the database.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_API_SWAGGER_UI = False
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    # FAB's own login limit counts successful logins too (an office behind one
    # address was locked out): off; app.setup.auth counts FAILED logins only, per
    # account and per address, shared by the login form and the API login.
    AUTH_RATE_LIMITED = False
    AUTH_FAILED_LOGIN_LIMIT_ACCOUNT = os.environ.get("AUTH_FAILED_LOGIN_LIMIT_ACCOUNT", "10 per 15 minute")
    AUTH_FAILED_LOGIN_LIMIT_ADDRESS = os.environ.get("AUTH_FAILED_LOGIN_LIMIT_ADDRESS", "30 per 15 minute")
    AUTH_THROTTLE_NAMESPACE = os.environ.get("AUTH_THROTTLE_NAMESPACE", "sp-backoffice")
    AUTH_THROTTLE_RETRY_SECONDS = float(os.environ.get("AUTH_THROTTLE_RETRY_SECONDS", 30))
    RATELIMIT_ENABLED = True
    # Shared by every worker and instance: redis://host:6379/0 (production refuses memory://).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Redis down: the public form limits (Flask-Limiter) count in each process's memory until
    # it answers again, as the login throttle does (README "Deployment"), never a 500; a dead
    # Redis costs a request at most a second (memory:// ignores these options).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = "app.security.manager.password_validator"
    PASSWORD_MIN_LENGTH = 12
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(hours=8)

    # --- sessions and forms ---
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # officers keep a form open for hours at the counter
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: Secure in production, not elsewhere (app.setup.headers); 0/1 decides explicitly.
    SESSION_COOKIE_SECURE = _optional_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _optional_bool("REMEMBER_COOKIE_SECURE")
    # Strict-Transport-Security max-age (seconds) sent in production or over HTTPS; 0 = none.
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", 365 * 24 * 3600))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)

    # --- language, dates, time zone ---
    BABEL_DEFAULT_LOCALE = "id"
    LANGUAGES = {
        "id": {"flag": "id", "name": "Bahasa Indonesia"},
        "en": {"flag": "gb", "name": "English"},
    }
    # The office's time zone: the office definition's `timezone` must equal it,
    # and every clock reads it through app.core.timezone.office_tz().
    TIMEZONE = "Asia/Jakarta"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE

    # The address printed on receipts, survey links and certificate QR codes. Required in
    # production; unset elsewhere, the address of the current request (app.core.urls).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", 0))

    # --- uploads ---
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Where scans and prepared exports live (app.storage): folder (UPLOAD_DIR; shared over NFS
    # for several machines) | database (the stored_blob table: every instance sees every scan).
    SCAN_STORAGE = os.environ.get("SCAN_STORAGE", "folder")
    # A register PDF of more rows than this is made by the worker (`flask notify worker`).
    EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", 2000))
    # Finished export files are deleted this many hours after they were made.
    EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", 24))
    # A running export claimed longer ago than this is taken to have lost its worker.
    EXPORT_STALE_MINUTES = int(os.environ.get("EXPORT_STALE_MINUTES", 30))
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
    MAX_CONTENT_LENGTH = UPLOAD_MAX_BYTES + 64 * 1024
    # JSON and form posts are far smaller than a scan: only multipart uploads get MAX_CONTENT_LENGTH.
    MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", 256 * 1024))
    MAX_FORM_MEMORY_SIZE = MAX_BODY_BYTES  # one non-file field of a multipart form

    # --- notifications (SMS gateway) ---
    NOTIFY_BACKEND = os.environ.get("NOTIFY_BACKEND", "log")  # log | http
    NOTIFY_HTTP_URL = os.environ.get("NOTIFY_HTTP_URL", "")
    NOTIFY_HTTP_METHOD = os.environ.get("NOTIFY_HTTP_METHOD", "POST")
    NOTIFY_HTTP_PARAMS = os.environ.get("NOTIFY_HTTP_PARAMS", "")  # extra key=value&... pairs
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 5))
    # Gateways name the two message fields differently (zenziva: to/message) and
    # want the number as +62812..., 62812... or 0812... (+62 | 62 | 0).
    NOTIFY_HTTP_TO_PARAM = os.environ.get("NOTIFY_HTTP_TO_PARAM", "to")
    NOTIFY_HTTP_MESSAGE_PARAM = os.environ.get("NOTIFY_HTTP_MESSAGE_PARAM", "message")
    NOTIFY_HTTP_NUMBER_STYLE = os.environ.get("NOTIFY_HTTP_NUMBER_STYLE", "+62")
    NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", 10))
    NOTIFY_STALE_MINUTES = int(os.environ.get("NOTIFY_STALE_MINUTES", 30))  # crashed-worker claims
    NOTIFY_EMAIL_BACKEND = os.environ.get("NOTIFY_EMAIL_BACKEND", "log")  # log | smtp
    NOTIFY_SMTP_HOST = os.environ.get("NOTIFY_SMTP_HOST", "")
    NOTIFY_SMTP_PORT = int(os.environ.get("NOTIFY_SMTP_PORT", 25))
    NOTIFY_SMTP_USER = os.environ.get("NOTIFY_SMTP_USER", "")
    NOTIFY_SMTP_PASSWORD = os.environ.get("NOTIFY_SMTP_PASSWORD", "")
    NOTIFY_SMTP_STARTTLS = _bool("NOTIFY_SMTP_STARTTLS", False)
    NOTIFY_SMTP_FROM = os.environ.get("NOTIFY_SMTP_FROM", "noreply@localhost")

    # --- operations (app/setup/health.py, request_log.py, metrics.py) ---
    # json | text; empty: json in production, text elsewhere. One JSON object per log line.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Redis that /readyz pings besides RATELIMIT_STORAGE_URI (unset: only that one, if redis://).
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Who may read /metrics: these networks (spaces or commas), or `Authorization: Bearer METRICS_TOKEN`.
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.1/32 ::1")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

    # --- electronic signatures of certificates (app/signing) ---
    # local | http | none. Unset: none (unsigned, as before) outside production; production
    # requires an explicit choice (`none` for an office that signs on paper).
    SIGNING_BACKEND = os.environ.get("SIGNING_BACKEND", "")
    SIGNING_PKCS12 = os.environ.get("SIGNING_PKCS12", "")  # the office's key and certificate (local)
    SIGNING_PASSPHRASE = os.environ.get("SIGNING_PASSPHRASE", "")
    SIGNING_PASSPHRASE_FILE = os.environ.get("SIGNING_PASSPHRASE_FILE", "")  # or its first line
    # PEM/DER CA certificates the public check trusts (several: separated by commas or spaces).
    SIGNING_TRUST_ROOTS = os.environ.get("SIGNING_TRUST_ROOTS", "")
    SIGNING_TSA_URL = os.environ.get("SIGNING_TSA_URL", "")  # RFC 3161 timestamp authority (optional)
    SIGNING_TIMEOUT = float(os.environ.get("SIGNING_TIMEOUT", 30))
    # The remote signing service (http): BSrE's esign API is POST /api/sign/pdf, multipart
    # file + nik + passphrase + tampilan, answering the signed PDF.
    SIGNING_HTTP_URL = os.environ.get("SIGNING_HTTP_URL", "")
    SIGNING_HTTP_FILE_FIELD = os.environ.get("SIGNING_HTTP_FILE_FIELD", "file")
    SIGNING_HTTP_FIELDS = os.environ.get("SIGNING_HTTP_FIELDS", "")  # JSON object of extra form fields
    SIGNING_HTTP_AUTH_HEADER = os.environ.get("SIGNING_HTTP_AUTH_HEADER", "")  # "Authorization: Basic ..."
    SIGNING_HTTP_RESPONSE = os.environ.get("SIGNING_HTTP_RESPONSE", "pdf")  # pdf | json
    SIGNING_HTTP_JSON_FIELD = os.environ.get("SIGNING_HTTP_JSON_FIELD", "file")  # base64 field of a JSON answer
    # The largest PDF the public check accepts (bytes).
    SIGNING_VERIFY_MAX_BYTES = int(os.environ.get("SIGNING_VERIFY_MAX_BYTES", 5 * 1024 * 1024))

    # --- applicants online (app/applicants) and acting officials (app/delegation) ---
    APPLICANT_VERIFY_HOURS = int(os.environ.get("APPLICANT_VERIFY_HOURS", "48"))  # the e-mail link's life
    DELEGATION_MAX_DAYS = int(os.environ.get("DELEGATION_MAX_DAYS", "180"))  # longest Plt./Plh. period

    # --- complaints and survey ---
    COMPLAINT_DEADLINE_DAYS = {"ringan": 5, "sedang": 14, "berat": 60}
    IKM_WEIGHT_EXACT = _bool("IKM_WEIGHT_EXACT", False)


class TestConfig(Config):
    APP_ENV = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-use"
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing keeps the suite quick
    # What FAB checks a login of an unknown user against (same cost as a real one): the same fast method.
    AUTH_DB_FAKE_PASSWORD_HASH_CHECK = (
        "pbkdf2:sha256:1000$kJ5th7OkURnj4a1m$7997649e858cf0a564cc7cf570f2ccf6db4656022f8fd6a7f3f4b20da7649458"
    )
