"""The notification outbox: queue SMS, e-mail and letters; deliver them exactly once.

`enqueue` only adds a row to the caller's transaction, so a notification exists
if and only if the event that caused it was committed. `send_pending` (run by
`flask notify send`, from cron or a loop, on any number of machines) claims due
rows, commits the claim, and only then talks to the provider.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core.extensions import db
from app.core.phone import is_valid_phone, normalize_phone
from app.notify.backends import Backend, DeliveryError, backend_for
from models import OutboxMessage
from models.base import utcnow

__all__ = ["CHANNELS", "enqueue", "is_valid_phone", "normalize_phone", "send_pending"]

logger = logging.getLogger("app.notify.outbox")

CHANNELS = ("sms", "email", "letter")
# Rows claimed per round trip. A claim must finish well inside NOTIFY_STALE_MINUTES:
# 20 messages x the gateway timeout (10 s) is about 3 minutes against 30.
CLAIM_BATCH = 20
MAX_BACKOFF = timedelta(hours=6)

_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def enqueue(
    channel: str,
    recipient: str,
    body: str,
    *,
    subject: str | None = None,
    dedupe_key: str | None = None,
    case_id: int | None = None,
    complaint_id: int | None = None,
) -> OutboxMessage | None:
    """Add a message to the current transaction (the caller commits).

    Returns None when a message with `dedupe_key` already exists. The insert
    uses ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike), so a duplicate,
    even one a concurrent transaction is inserting right now, never raises and
    never spoils the caller's transaction. SMS numbers are normalised to +62;
    a bad number raises ValueError before anything is written.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    if channel == "sms":
        recipient = normalize_phone(recipient)
    if not (recipient or "").strip() or not (body or "").strip():
        raise ValueError("recipient and body are required")
    dialect = db.session.get_bind(mapper=OutboxMessage.__mapper__).dialect.name
    stmt = _INSERTS[dialect](OutboxMessage).values(
        channel=channel,
        recipient=recipient.strip(),
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        case_id=case_id,
        complaint_id=complaint_id,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
    return db.session.scalars(stmt.returning(OutboxMessage)).first()


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd, 4th failure."""
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


def requeue_stale(now: datetime) -> int:
    """Give claims of crashed workers back to the queue; returns how many.

    Trade-off: a worker may have crashed after the provider accepted a message
    but before recording it, so re-queueing can send that message twice. We
    accept at-least-once here because a lost "your permit is ready" SMS costs
    the applicant more than a duplicate. The threshold (NOTIFY_STALE_MINUTES)
    lies far beyond the longest claim batch, so a live worker is never
    overtaken. Each expiry counts as an attempt, so a message that crashes its
    worker every time ends `failed` instead of looping forever.
    """
    config = current_app.config
    cutoff = now - timedelta(minutes=int(config.get("NOTIFY_STALE_MINUTES", 30)))
    stale = and_(OutboxMessage.status == "sending", OutboxMessage.locked_at < cutoff)
    note = "claim expired: the worker stopped before recording the outcome"
    common = {"attempts": OutboxMessage.attempts + 1, "last_error": note, "locked_by": None, "locked_at": None}
    gave_up = db.session.execute(
        update(OutboxMessage)
        .where(stale, OutboxMessage.attempts + 1 >= int(config["NOTIFY_MAX_ATTEMPTS"]))
        .values(status="failed", **common),
        execution_options={"synchronize_session": False},
    ).rowcount
    requeued = db.session.execute(
        update(OutboxMessage).where(stale).values(status="queued", next_attempt_at=now, **common),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    return gave_up + requeued


def _claim(token: str, limit: int, now: datetime) -> list[OutboxMessage]:
    """Mark up to `limit` due messages `sending` under `token` and commit the claim.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED lets concurrent workers take
    disjoint rows without waiting on each other; the locks hold until the claim
    commits. (Not one UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP
    LOCKED): PostgreSQL may rescan that subquery and claim more than n rows.)
    SQLite renders no FOR UPDATE; it runs one writer at a time and the
    `status = 'queued'` condition of the UPDATE makes a row claimable once only.
    """
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        db.session.rollback()
        return []
    ids = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), OutboxMessage.status == "queued")
        .values(status="sending", locked_by=token, locked_at=now)
        .returning(OutboxMessage.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    if not ids:
        return []
    messages = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id))
    )
    # Detached copies: no transaction stays open while the provider is called.
    for message in messages:
        db.session.expunge(message)
    db.session.rollback()
    return messages


def _record(message: OutboxMessage, token: str, **values) -> None:
    """Write the outcome, provided the claim is still ours."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending", OutboxMessage.locked_by == token)
        .values(locked_by=None, locked_at=None, **values),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    if not done:
        logger.warning("outbox #%s: claim %s expired before the outcome was recorded", message.id, token)


def _deliver(message: OutboxMessage, token: str, clock: Callable[[], datetime], backends: dict) -> str:
    """Send one claimed message; returns 'sent', 'retry' or 'failed'."""
    config = current_app.config
    attempts = message.attempts + 1
    try:
        if message.channel not in backends:
            backends[message.channel] = backend_for(message.channel, config)
        backend: Backend = backends[message.channel]
        ref = backend.send(message)
    except DeliveryError as exc:
        error = str(exc)
    except Exception as exc:  # a backend bug must not strand the rest of the batch in 'sending'
        logger.exception("outbox #%s: backend error", message.id)
        error = f"{type(exc).__name__}: {exc}"
    else:
        _record(message, token, status="sent", attempts=attempts, sent_at=clock(), provider_ref=ref, last_error=None)
        return "sent"
    if attempts >= int(config["NOTIFY_MAX_ATTEMPTS"]):
        logger.error("outbox #%s failed for good after %d attempts: %s", message.id, attempts, error)
        _record(message, token, status="failed", attempts=attempts, last_error=error)
        return "failed"
    _record(
        message,
        token,
        status="queued",
        attempts=attempts,
        last_error=error,
        next_attempt_at=clock() + _backoff(attempts),
    )
    return "retry"


def send_pending(limit: int = 100, worker_id: str | None = None, now: datetime | None = None) -> dict[str, int]:
    """Deliver up to `limit` due messages; returns counts of sent, retry, failed, requeued.

    Commits as it goes (claims and outcomes), so call it outside any request
    transaction. `now` fixes the clock (tests); by default the real time is used.
    """
    clock = (lambda: now.astimezone(UTC)) if now is not None else utcnow
    worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    # One token per call: two calls from the same process never mistake each other's claims.
    token = f"{worker[:110]}/{uuid.uuid4().hex[:8]}"
    counts = {"sent": 0, "retry": 0, "failed": 0, "requeued": requeue_stale(clock())}
    backends: dict[str, Backend] = {}
    processed = 0
    while processed < limit:
        batch = _claim(token, min(CLAIM_BATCH, limit - processed), clock())
        if not batch:
            break
        for message in batch:
            counts[_deliver(message, token, clock, backends)] += 1
        processed += len(batch)
    return counts
