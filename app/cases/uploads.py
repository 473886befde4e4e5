"""Scans of requirement documents: judged by content, stored under a random name.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (never by
the client's file name or declared type). The stored file gets a random name
under UPLOAD_DIR (outside static/); the client's name is kept, sanitised, for
display only. A new upload adds a row and a file; nothing is overwritten.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _

from app.cases.access import require_requirement_access
from app.cases.step_kinds import UPLOAD
from app.cases.step_needs import WorkflowError
from app.core import audit
from app.core.extensions import db
from models import CaseRequirement, RequirementScan

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(mime type, extension) of an accepted file, or None."""
    for magic, mime, ext in SIGNATURES:
        if head.startswith(magic):
            return mime, ext
    return None


def display_name(filename: str | None) -> str:
    """The client's file name reduced to a harmless label (no path, no control characters)."""
    name = unicodedata.normalize("NFKC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[^\w .()\-]", "_", name).strip(" .")
    return (name or "dokumen")[:255]


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def scan_path(scan: RequirementScan) -> Path:
    """Where a scan's bytes live; the stored name is ours (hex), never the client's."""
    if not re.fullmatch(r"[0-9a-f]{32}\.(pdf|jpg|png)", scan.stored_name):
        raise WorkflowError(404, _("File not found."))
    return upload_dir() / scan.stored_name


def _read_limited(stream: BinaryIO, limit: int) -> bytes:
    """At most limit+1 bytes: enough to know the file is too large without reading it all."""
    chunks, total = [], 0
    while total <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def store_scan(case_requirement: CaseRequirement, file_storage: Any, user: User) -> RequirementScan:
    """Check access, validate and store one uploaded scan; commits.

    Raises WorkflowError (403/404/409/422) and stores nothing on bad input.
    """
    try:
        require_requirement_access(case_requirement.case, user, UPLOAD)
    except WorkflowError:
        db.session.rollback()
        raise
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
    if file_storage is None:
        raise WorkflowError(422, _("Choose a file to upload."), {"file": _("Choose a file to upload.")})
    filename = getattr(file_storage, "filename", None) or ""
    if re.search(r"[\\/\x00-\x1f]", filename) or ".." in filename:
        # A name carrying a path is a probe, not a scan from a scanner: refuse it outright.
        message = _("The file name is not allowed.")
        raise WorkflowError(422, message, {"file": message})
    content = _read_limited(file_storage.stream, limit)
    if not content:
        raise WorkflowError(422, _("The file is empty."), {"file": _("The file is empty.")})
    if len(content) > limit:
        message = _("The file is larger than %(mb)s MB.", mb=f"{limit / 1024 / 1024:g}")
        raise WorkflowError(422, message, {"file": message})
    kind = sniff(content[:16])
    if kind is None:
        message = _("Only PDF, JPEG or PNG files are accepted.")
        raise WorkflowError(422, message, {"file": message})
    mime, ext = kind
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + ext
    path = directory / stored_name
    # O_EXCL: a random name that somehow exists is never overwritten.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        scan = RequirementScan(
            case_requirement_id=case_requirement.id,
            stored_name=stored_name,
            original_name=display_name(filename),
            mime_type=mime,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by_id=user.id,
        )
        db.session.add(scan)
        db.session.flush()
        audit.record(
            "case.scan",
            "case",
            case_requirement.case_id,
            after={
                "requirement": case_requirement.requirement.code,
                "scan_id": scan.id,
                "sha256": scan.sha256,
                "size": scan.size,
            },
            user=user,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise
    return scan
