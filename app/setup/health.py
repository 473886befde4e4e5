"""`/healthz` and `/readyz` for the proxy or orchestrator in front of the instances.

* `/healthz`: the process answers (no database, no Redis): restart it if not.
* `/readyz`: this instance can serve: the database answers `SELECT 1`, Redis
  answers PING when a Redis URL is configured (the login throttle's
  RATELIMIT_STORAGE_URI, or REDIS_URL), and the scan storage (app.storage,
  SCAN_STORAGE: the UPLOAD_DIR folder or the database table) takes a write. 200 when all do, else 503 naming the failed check: take the instance
  out of the pool until it is ready again.

Both are plain JSON without login, session cookie, CSRF or rate limit. They
name checks only, never an address, a version or an error text (which could
carry a password from a URL), so they may be exposed to the proxy network.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, jsonify

from app.core.extensions import appbuilder, db

log = logging.getLogger(__name__)

# A proxy probes every few seconds: a dead Redis must not hold a worker longer than this.
REDIS_TIMEOUT_SECONDS = 1.0

bp = Blueprint("ops_health", __name__)


def redis_url(app: Flask) -> str | None:
    """The Redis this deployment depends on, if any (REDIS_URL, else the rate-limit storage)."""
    for key in ("REDIS_URL", "RATELIMIT_STORAGE_URI"):
        value = str(app.config.get(key) or "")
        if value.startswith(("redis://", "rediss://", "unix://")):
            return value
    return None


def _check_database() -> None:
    try:
        db.session.execute(sa.text("SELECT 1"))
    finally:
        # Never keep a transaction (or a broken connection) open between probes.
        db.session.rollback()


def _check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        if not client.ping():
            raise RuntimeError("PING was not answered")
    finally:
        client.close()


def _check_storage(app: Flask) -> None:
    from app.storage import build

    # Built from the config afresh: a probe must see a misconfiguration, not a cached backend.
    build(app.config).check()


def readiness(app: Flask) -> dict[str, str]:
    """Each check's outcome, "ok" or "fail" (the reason goes to the log only)."""
    checks = {"database": _check_database}
    url = redis_url(app)
    if url:
        checks["redis"] = lambda: _check_redis(url)
    checks["storage"] = lambda: _check_storage(app)
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the log keeps the reason
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "fail"
        else:
            results[name] = "ok"
    return results


@bp.get("/healthz")
def healthz() -> Response:
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    checks = readiness(current_app)
    failed = sorted(name for name, outcome in checks.items() if outcome != "ok")
    body: dict[str, object] = {"status": "fail" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return _no_store(jsonify(body)), 503 if failed else 200


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def exempt(app: Flask, blueprint: Blueprint) -> None:
    """No CSRF token and no rate limit on an ops blueprint (probes come every few seconds)."""
    from app.setup.csrf import csrf

    csrf.exempt(blueprint)
    limiter = getattr(appbuilder(app).sm, "limiter", None)
    if limiter is not None:
        limiter.exempt(blueprint)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    exempt(app, bp)
