"""Scans of requirement documents: judged by content, stored under a random name.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (never by
the client's file name or declared type). The bytes go to the scan storage
(app.storage: UPLOAD_DIR or the database, SCAN_STORAGE) under a random key; the
client's name is kept, sanitised, for display only. A new upload adds a row and a file; nothing is overwritten, and
a wrong scan is removed only by marking it (it stays on record, audited).

`save_checklist` saves the case page's one checklist form (and the per-line
post): every upload, removal and tick of one request, or none of them.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _

from app.cases import workflow
from app.cases.access import require_requirement_access
from app.cases.step_kinds import UPLOAD
from app.cases.step_needs import WorkflowError
from app.core import audit
from app.core.extensions import db
from app.storage import StorageError, storage
from models import Case, CaseRequirement, RequirementScan
from models.base import utcnow

# What the file inputs say they take (`accept=`); the server still judges the first bytes.
ACCEPT = "application/pdf,image/jpeg,image/png"
ACCEPTED_LABEL = "PDF, JPEG, PNG"
# The checklist form may carry every document line's file at the limit, and this many
# limits more, so an oversize scan is still read and refused by its line (not a bare 413).
OVERSIZE_ALLOWANCE = 8

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


def max_bytes() -> int:
    """The largest scan accepted (UPLOAD_MAX_BYTES)."""
    return int(current_app.config.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


def size_label(limit: int | None = None) -> str:
    """`5 MB`: the limit as the page and the messages say it."""
    value = max_bytes() if limit is None else limit
    if value >= 1024 * 1024:
        return f"{value / 1024 / 1024:g} MB"
    return f"{max(value / 1024, 1):g} KB"


def checklist_body_limit(document_lines: int) -> int:
    """The body size the one checklist form may reach (see OVERSIZE_ALLOWANCE)."""
    return (max(document_lines, 1) + OVERSIZE_ALLOWANCE) * max_bytes() + 256 * 1024


def open_scan(scan: RequirementScan) -> BinaryIO:
    """A scan's bytes from the storage (the caller closes the stream); WorkflowError 404 when absent.

    The key is the stored name, ours (hex), never the client's; a removed scan still opens.
    """
    if not re.fullmatch(r"[0-9a-f]{32}\.(pdf|jpg|png)", scan.stored_name):
        raise WorkflowError(404, _("File not found."))
    try:
        return storage().open(scan.stored_name)
    except StorageError:
        raise WorkflowError(404, _("File not found.")) from None


def _discard(written: list[str]) -> None:
    """After a rollback: delete what the folder backend wrote (the database's rolled back already)."""
    backend = storage()
    for key in written:
        backend.delete(key)
    db.session.rollback()


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


@dataclass(frozen=True)
class Accepted:
    """A file that passed every check, not yet written."""

    content: bytes
    mime: str
    ext: str
    name: str


def check_file(file_storage: Any) -> Accepted:
    """Judge one uploaded file (name, size, first bytes); raises WorkflowError 422, writes nothing."""
    limit = max_bytes()
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
        message = _("The file is larger than %(max)s.", max=size_label(limit))
        raise WorkflowError(422, message, {"file": message})
    kind = sniff(content[:16])
    if kind is None:
        message = _("Only PDF, JPEG or PNG files are accepted.")
        raise WorkflowError(422, message, {"file": message})
    return Accepted(content, kind[0], kind[1], display_name(filename))


def _add_scan(line: CaseRequirement, accepted: Accepted, user: User, written: list[str]) -> RequirementScan:
    """Store the bytes and add the row and audit entry; the caller commits (or discards `written`)."""
    key = secrets.token_hex(16) + accepted.ext
    written.append(key)
    stored = storage().put(key, io.BytesIO(accepted.content))
    scan = RequirementScan(
        case_requirement_id=line.id,
        stored_name=key,
        original_name=accepted.name,
        mime_type=accepted.mime,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=user.id,
    )
    db.session.add(scan)
    db.session.flush()
    # `scans` is a read-only view: reload it so a tick in the same save sees the new scan.
    db.session.expire(line, ["scans", "all_scans"])
    audit.record(
        "case.scan",
        "case",
        line.case_id,
        after={"requirement": line.requirement.code, "scan_id": scan.id, "sha256": scan.sha256, "size": scan.size},
        user=user,
    )
    return scan


def _remove_scan(line: CaseRequirement, scan: RequirementScan, user: User) -> None:
    """Mark a scan removed (row and stored bytes stay); a checked document line left without a scan is unticked."""
    scan.removed_at = utcnow()
    scan.removed_by_id = user.id
    db.session.flush()
    db.session.expire(line, ["scans"])
    unticked = line.checked and line.requirement.document and not line.scans
    if unticked:
        # The tick vouched for the scan just taken away.
        line.checked, line.checked_by_id, line.checked_at = False, None, None
    audit.record(
        "case.scan.remove",
        "case",
        line.case_id,
        before={"requirement": line.requirement.code, "scan_id": scan.id, "sha256": scan.sha256},
        after={"removed_at": scan.removed_at, "unchecked": bool(unticked)},
        user=user,
    )


def store_scan(case_requirement: CaseRequirement, file_storage: Any, user: User) -> RequirementScan:
    """Check access, validate and store one uploaded scan (the API's upload); commits.

    Raises WorkflowError (403/404/409/422) and stores nothing on bad input.
    """
    written: list[str] = []
    try:
        require_requirement_access(case_requirement.case, user, UPLOAD)
        scan = _add_scan(case_requirement, check_file(file_storage), user, written)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _discard(written)
        raise
    return scan


@dataclass
class LineChange:
    """What one posted checklist line asks for; None/empty means leave it as it is."""

    line: CaseRequirement
    file: Any = None
    checked: bool | None = None
    note: str | None = None
    remove: list[int] = field(default_factory=list)


def line_label(line: CaseRequirement) -> str:
    """`line 3 (Foto Copy KTP ...)`: how a message names a checklist line (its number on the page)."""
    no = next(i for i, row in enumerate(line.case.requirements, start=1) if row.id == line.id)
    return _("Line %(no)s (%(name)s)", no=no, name=line.requirement.name)


def _refusal(line: CaseRequirement, error: WorkflowError, key: str) -> WorkflowError:
    """The same refusal with the line named first and its field key (`file-<id>`, `checked-<id>`)."""
    if error.status != 422:  # access and state refusals concern the whole checklist, not one line
        return error
    reason = error.message
    return WorkflowError(error.status, f"{line_label(line)}: {reason}", {f"{key}-{line.id}": reason})


def save_checklist(case: Case, user: User, changes: list[LineChange]) -> int:
    """Apply every line's removals, upload and tick in one transaction; commits; returns lines changed.

    All or nothing: every file is judged before anything is written, and any
    refusal (403/404/409/422, its message naming the line) rolls back the rows
    and deletes the files written so far.
    """
    written: list[str] = []
    try:
        if any(c.file is not None or c.remove for c in changes):
            require_requirement_access(case, user, UPLOAD)
        accepted: dict[int, Accepted] = {}
        for change in changes:
            if change.file is not None:
                try:
                    accepted[change.line.id] = check_file(change.file)
                except WorkflowError as error:
                    raise _refusal(change.line, error, "file") from None
        touched = set()
        for change in changes:
            line = change.line
            for scan_id in change.remove:
                scan = next((s for s in line.scans if s.id == scan_id), None)
                if scan is None:  # already removed, or not this line's: nothing to do
                    continue
                _remove_scan(line, scan, user)
                touched.add(line.id)
            if line.id in accepted:
                _add_scan(line, accepted[line.id], user, written)
                touched.add(line.id)
            # No note posted keeps the line's note; a posted one replaces it.
            note = line.note if change.note is None else (change.note.strip() or None)
            if change.checked is not None and (change.checked != line.checked or note != line.note):
                try:
                    workflow.tick_requirement(case, line.requirement.code, user, change.checked, note)
                except WorkflowError as error:
                    raise _refusal(line, error, "checked") from None
                touched.add(line.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _discard(written)
        raise
    return len(touched)
