"""Long register exports made by the worker, off the request path.

A PDF of more than EXPORT_BACKGROUND_ROWS rows is not rendered by the web
worker: `request_export` adds an `export_job` row and the page shows its
status; `run_pending` (run by `flask notify worker`, on any number of
machines) claims queued jobs with SELECT ... FOR UPDATE SKIP LOCKED on
PostgreSQL, as the outbox does, renders the file as the requester (their
grant is checked again, their filters parsed again, NIKs shown only if they
may read them) and stores it through app.storage, so whichever instance
serves the download finds it. Finished files are deleted after
EXPORT_KEEP_HOURS.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import tempfile
import uuid
from datetime import timedelta
from typing import Any, BinaryIO, cast

from flask import current_app, g
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import and_, select, update
from werkzeug.datastructures import MultiDict

from app.core import audit
from app.core.extensions import appbuilder, db
from app.registers.base import RegisterError
from app.registers.definitions import REGISTERS
from app.setup.request_log import carried_request_id, current_request_id
from app.storage import storage
from models import ExportJob
from models.base import utcnow

logger = logging.getLogger("app.registers.jobs")

QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
PENDING = (QUEUED, RUNNING)
# A job that took its worker down this many times is not tried again.
MAX_ATTEMPTS = 3
FILTER_KEYS = ("from", "to", "service", "status")


def background_rows() -> int:
    """Registers longer than this are printed by the worker (EXPORT_BACKGROUND_ROWS)."""
    return int(current_app.config.get("EXPORT_BACKGROUND_ROWS", 2000))


def request_export(register_name: str, fmt: str, args: Any, user: User) -> ExportJob:
    """Queue an export of the register under `args` (already validated) for `user`; commits."""
    params = {key: args.get(key) for key in FILTER_KEYS if args.get(key)}
    job = ExportJob(
        register=register_name,
        fmt=fmt,
        params=params,
        user_id=user.id,
        status=QUEUED,
        attempts=0,
        request_id=current_request_id(),
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        "register.export.request", "export_job", job.id, after={"register": register_name, **params}, user=user
    )
    db.session.commit()
    return job


def job_for(job_id: int, register_name: str, user: Any) -> ExportJob | None:
    """The job if `user` asked for it from this register; None otherwise (the page answers 404)."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.register != register_name or job.user_id != getattr(user, "id", None):
        return None
    return job


def open_result(job: ExportJob) -> BinaryIO | None:
    """The finished file's bytes, or None when there are none (not done, expired, lost)."""
    if job.status != DONE or not job.result_key:
        return None
    from app.storage import StorageError

    try:
        return storage().open(job.result_key)
    except StorageError:
        return None


def _claim(token: str, now: Any) -> ExportJob | None:
    """Mark the oldest queued job `running` under `token`, commit, and return it (or None).

    One job per claim: a long PDF takes seconds, and a second worker should
    start the next job meanwhile rather than wait behind this one.
    """
    candidate = db.session.scalars(
        select(ExportJob.id)
        .where(ExportJob.status == QUEUED)
        .order_by(ExportJob.created_at, ExportJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if candidate is None:
        db.session.rollback()
        return None
    claimed = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == candidate, ExportJob.status == QUEUED)
        .values(status=RUNNING, locked_by=token, locked_at=now, attempts=ExportJob.attempts + 1),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    return db.session.get(ExportJob, candidate) if claimed else None


def _finish(job_id: int, token: str, **values: Any) -> bool:
    """Record the outcome if the claim is still ours (a stale claim may have been taken back)."""
    done = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == RUNNING, ExportJob.locked_by == token)
        .values(locked_by=None, locked_at=None, finished_at=utcnow(), **values),
        execution_options={"synchronize_session": False},
    ).rowcount
    return bool(done)


def _may_export(user: User | None, register_name: str) -> bool:
    """The requester still holds the register's ("can_export", ...) pair, checked as FAB checks it."""
    if user is None or not user.is_active:
        return False
    sm = appbuilder().sm
    return bool(sm._has_view_access(user, "can_export", REGISTERS[register_name].permission_view))


def _render(job: ExportJob, user: User, out: BinaryIO) -> tuple[int, str]:
    """Write the PDF as `user` reads it; returns (rows, download name). RegisterError when refused."""
    from app.registers.csv_export import export_filename
    from app.registers.pdf_export import write_pdf

    register = REGISTERS[job.register]
    # A request context with the requester as its user: the same grant check, NIK
    # masking (reader_sees_nik) and locale as the web export, with no HTTP request.
    with current_app.test_request_context("/"):
        g._login_user = user
        g.user = user
        try:
            if not _may_export(user, job.register):
                raise RegisterError(_("You may no longer export this register."), status=403)
            filters = register.parse_filters(MultiDict(job.params or {}))
            rows = write_pdf(register, filters, out, printed_by=user.username)
            return rows, export_filename(register, filters, job.fmt)
        finally:
            # `g` may outlive this request context (it belongs to the app context): the next job's user is another.
            g.pop("_login_user", None)
            g.pop("user", None)


def run_job(job: ExportJob, token: str) -> str:
    """Make one claimed job's file; returns 'done' or 'failed'. Commits."""
    job_id, user = job.id, db.session.get(User, job.user_id)
    key = f"exports/{secrets.token_hex(16)}.{job.fmt}"
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        try:
            if user is None or job.register not in REGISTERS or job.fmt != "pdf":
                raise RegisterError(_("You may no longer export this register."), status=403)
            rows, filename = _render(job, user, cast(BinaryIO, spool))
            spool.seek(0)
            stored = storage().put(key, cast(BinaryIO, spool))
        except RegisterError as exc:
            db.session.rollback()
            storage().delete(key)
            return _fail(job_id, token, user, str(exc.message))
        except Exception:
            logger.exception("export job #%s failed", job_id)
            db.session.rollback()
            storage().delete(key)
            return _fail(
                job_id, token, user, _("The export could not be made. Ask for it again, or narrow the filters.")
            )
    if not _finish(job_id, token, status=DONE, rows=rows, result_key=key, filename=filename, size=stored.size):
        db.session.rollback()
        storage().delete(key)
        logger.warning("export job #%s: claim %s expired before the file was recorded", job_id, token)
        return FAILED
    audit.record("register.export.done", "export_job", job_id, after={"rows": rows, "size": stored.size}, user=user)
    db.session.commit()
    return DONE


def _fail(job_id: int, token: str, user: User | None, message: str) -> str:
    if _finish(job_id, token, status=FAILED, error=message):
        audit.record("register.export.failed", "export_job", job_id, after={"error": message}, user=user)
    db.session.commit()
    return FAILED


def tidy(now: Any) -> dict[str, int]:
    """Take back claims of crashed workers and delete files kept past EXPORT_KEEP_HOURS; commits."""
    config = current_app.config
    cutoff = now - timedelta(minutes=int(config.get("EXPORT_STALE_MINUTES", 30)))
    stale = and_(ExportJob.status == RUNNING, ExportJob.locked_at < cutoff)
    lost = _("The export stopped before it was finished. Ask for it again.")
    gave_up = db.session.execute(
        update(ExportJob)
        .where(stale, ExportJob.attempts >= MAX_ATTEMPTS)
        .values(status=FAILED, error=lost, locked_by=None, locked_at=None, finished_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    requeued = db.session.execute(
        update(ExportJob).where(stale).values(status=QUEUED, locked_by=None, locked_at=None),
        execution_options={"synchronize_session": False},
    ).rowcount
    keep = now - timedelta(hours=int(config.get("EXPORT_KEEP_HOURS", 24)))
    old = db.session.scalars(
        select(ExportJob)
        .where(ExportJob.status == DONE, ExportJob.finished_at < keep)
        .with_for_update(skip_locked=True)
    ).all()
    for job in old:
        if job.result_key:
            storage().delete(job.result_key)
        job.status, job.result_key = EXPIRED, None
    db.session.commit()
    return {"requeued": gave_up + requeued, "expired": len(old)}


def run_pending(limit: int = 10, worker_id: str | None = None) -> dict[str, int]:
    """Run up to `limit` queued jobs one by one; returns counts of done, failed, requeued, expired.

    Commits as it goes; call it outside any request transaction.
    """
    worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    token = f"{worker[:110]}/{uuid.uuid4().hex[:8]}"
    counts = {DONE: 0, FAILED: 0, **tidy(utcnow())}
    for _n in range(limit):
        job = _claim(token, utcnow())
        if job is None:
            break
        with carried_request_id(job.request_id):
            logger.info("export job #%s (%s %s) started", job.id, job.register, job.fmt)
            counts[run_job(job, token)] += 1
    return counts
