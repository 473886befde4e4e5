"""A database that does not answer is a 503, never a 500 with a trace.

When PostgreSQL restarts (a failover, `pg_ctl restart`, a network cut) every
request that needs it fails with sqlalchemy's OperationalError (connection
refused, "terminating connection due to administrator command"), an
InterfaceError (a connection already closed) or a pool TimeoutError. None of
these is a bug of ours: the visitor gets "Service unavailable" (JSON under
/api/, our error page otherwise) with `Retry-After`, the transaction is rolled
back, and one warning line goes to the log instead of a stack trace.

Recovery needs no restart: the failed connection is invalidated by SQLAlchemy,
and `pool_pre_ping` (config.py) tests every pooled connection before use, so
the first request after PostgreSQL is back gets a fresh one.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, Response, jsonify, make_response, render_template
from markupsafe import escape

from app.core.extensions import db

log = logging.getLogger(__name__)

# How long a client (or the proxy) should wait before trying again.
RETRY_AFTER_SECONDS = 5

UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def _rollback() -> None:
    # Detached first: a rollback would expire what the request loaded (the user, read again by
    # the request log after this answer), and reloading it needs the database that is gone.
    db.session.expunge_all()
    try:
        db.session.rollback()
    except Exception:  # the connection is gone already: nothing is left to roll back
        db.session.remove()


def _page(title: str, message: str) -> str:
    """Our error page; a bare one if the page itself needs the database (the logged-in user's menu)."""
    try:
        return render_template("shell/error.html", title=title, message=message)
    except Exception:
        _rollback()
        return (
            f'<!doctype html><html lang="id"><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p></html>"
        )


def handle_database_unavailable(error: Exception) -> Response:
    from app.setup.errors import _wants_json, error_texts

    _rollback()
    # The reason without the statement or its parameters (they may hold personal data).
    reason = str(getattr(error, "orig", None) or type(error).__name__).splitlines()[0][:200]
    log.warning("database unavailable, answered 503: %s: %s", type(error).__name__, reason)
    title, message = error_texts(503)
    if _wants_json():
        response = make_response(jsonify(message=message), 503)
    else:
        response = make_response(_page(title, message), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def handle_dead_transaction(error: sa.exc.PendingRollbackError) -> Response:
    """A query on a session whose connection died earlier in the request (the first error was
    caught by code that could do without the database) is the outage too; any other pending
    rollback is a bug and stays a 500."""
    if "invalid transaction" in str(error):
        return handle_database_unavailable(error)
    raise error


def release_session(_error: BaseException | None = None) -> None:
    """End the request's transaction before Flask-SQLAlchemy removes the session (teardowns run
    last-registered first). A connection PostgreSQL terminated while the page was being made
    fails the ROLLBACK of that removal, and an error raised in a teardown reaches gunicorn as a
    500 after the page itself was answered; the dead connection is dropped from the pool instead.
    """
    try:
        # close(), as Flask-SQLAlchemy's removal does: a rollback() would also expire every object
        # loaded, and code still holding one after its app context (the CLI, tests) could not read it.
        db.session.close()
    except sa.exc.SQLAlchemyError as error:
        log.warning("database connection lost at the end of a request, dropped: %s", type(error).__name__)
        db.session().invalidate()  # the scoped proxy does not offer it


def init_app(app: Flask) -> None:
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, handle_database_unavailable)
    app.register_error_handler(sa.exc.PendingRollbackError, handle_dead_transaction)
    app.teardown_appcontext(release_session)
