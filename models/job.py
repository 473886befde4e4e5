"""Background jobs (a long register PDF) and the database backend's stored bytes.

`export_job` rows are claimed by `flask notify worker` with SELECT ... FOR
UPDATE SKIP LOCKED on PostgreSQL (app.registers.jobs), like the outbox.
`stored_blob` holds scans and prepared exports when SCAN_STORAGE=database
(app.storage.database).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, UTCDateTime, utcnow


class ExportJob(Model):
    """One requested export: queued -> running -> done | failed; only its requester reads it."""

    __tablename__ = "export_job"
    __table_args__ = (Index("ix_export_job_status_created", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(40))
    fmt: Mapped[str] = mapped_column(String(10), default="pdf")
    # The query string the export was asked with; parsed again by the worker.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    # The request that asked for it: the worker logs and audits the job under the same id.
    request_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows: Mapped[int | None] = mapped_column(Integer)
    # The storage key of the finished file (app.storage) and its download name.
    result_key: Mapped[str | None] = mapped_column(String(80))
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    # What the requester reads when it failed (already in the office's language).
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StoredBlob(Model):
    """The bytes of one storage key when SCAN_STORAGE=database (bytea on PostgreSQL)."""

    __tablename__ = "stored_blob"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
