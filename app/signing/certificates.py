"""Sealing a certificate: sign its PDF once it has both its number and its signer, and keep it.

The certificate can only be final when it carries its number and its signer. Services order
the two steps differently (TD-BKK signs at step 8 and numbers at 9), so the case engine calls
`seal_certificate` after every forward, in the action's own transaction: the first time the
case has both, the certificate PDF is rendered, signed on behalf of the officer recorded at
the sign step with the office's key (SIGNING_BACKEND), put into the scan storage and its key,
SHA-256 and size written on the Certificate row. A signing failure refuses the action
(WorkflowError): the rollback returns the drawn number and nothing is kept.

Every later download serves exactly the stored bytes (`signed_pdf`, called by
app.documents.case_documents.certificate_pdf).
"""

from __future__ import annotations

import io
import logging
import uuid
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.extensions import db
from app.signing import SignatureBlock, SigningError, backend_name, configured_signer
from models import Case, Certificate

log = logging.getLogger(__name__)

# The right-hand signature column of documents/_macros.html `signature`, when no "NIP." line is found.
FALLBACK_WIDTH, FALLBACK_HEIGHT = 220, 70
BOX_WIDTH = 220
MIN_HEIGHT = 40


def _text_items(page) -> list[tuple[str, float, float, float]]:
    """(text, x, y, font size) of every text run drawn on the page, in page coordinates."""
    items: list[tuple[str, float, float, float]] = []

    def visit(text, cm, tm, _font, size):
        if not text or not text.strip():
            return
        a, b, c, d, e, f = cm
        x = tm[4] * a + tm[5] * c + e
        y = tm[4] * b + tm[5] * d + f
        scale = (abs(tm[3] * d) or abs(tm[0] * a) or 1) * (size or 10)
        items.append((text.strip(), x, y, scale))

    page.extract_text(visitor_text=visit)
    return items


def signature_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, box) of the room left for the signature: the blank lines between the signer's
    title and name above the last "NIP." of the last page (documents/_macros.html `signature`)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    index = len(reader.pages) - 1
    page = reader.pages[index]
    width = float(page.mediabox.width)
    try:
        items = _text_items(page)
    except Exception as exc:  # text extraction is a nicety: the block then goes bottom right
        log.warning("signature box: cannot read the page's text: %s", exc)
        items = []
    nips = [i for i in items if i[0].startswith("NIP") and i[1] > width / 3]
    if nips:
        _text, x, y_nip, size = min(nips, key=lambda i: i[2])
        column = [i for i in items if i[1] >= x - 2 and i[2] > y_nip + 1]
        above = sorted({round(i[2], 1) for i in column})
        if len(above) >= 2:
            name_y, title_y = above[0], above[1]
            top, bottom = title_y - 2, name_y + size + 1
            if top - bottom >= MIN_HEIGHT:
                return index, (x, bottom, min(x + BOX_WIDTH, width - 20), top)
    right = width - 60
    return index, (right - FALLBACK_WIDTH, 90, right, 90 + FALLBACK_HEIGHT)


def _refuse(detail: str):
    from app.cases.step_needs import WorkflowError

    log.error("certificate signing refused: %s", detail)
    return WorkflowError(
        503,
        _(
            "The certificate could not be signed electronically, so nothing was saved and no number was used. "
            "Try again in a moment; if it keeps failing, ask the administrator to check the signing settings."
        ),
    )


def _check_signed(data: bytes) -> None:
    """The backend's answer must be a PDF whose signature is intact, covers it whole and, when trust
    roots are configured, chains to them: otherwise the public check would call our own file altered."""
    from app.signing.verify import check_signatures, trust_roots

    if not data.startswith(b"%PDF-"):
        raise SigningError("the signer did not return a PDF")
    roots = trust_roots(current_app.config.get("SIGNING_TRUST_ROOTS"))
    try:
        check = check_signatures(data, roots)
    except ValueError as exc:
        raise SigningError(f"the signed PDF cannot be read: {exc}") from exc
    if check is None or not (check.intact and check.whole_file):
        raise SigningError("the signed PDF carries no intact signature over the whole file")
    if roots and not check.trusted:
        raise SigningError(f"the signer {check.subject!r} does not chain to SIGNING_TRUST_ROOTS")


def signature_block(case: Case, cert: Certificate, pdf: bytes, now: datetime) -> SignatureBlock:
    """What the visible block prints, and where (see `signature_box`)."""
    from app.documents import verify_url
    from app.documents.case_documents import signer_title
    from app.office.definition import current_office
    from app.signing.local import office_time_text

    page, box = signature_box(pdf)
    office = current_office()
    return SignatureBlock(
        signer_name=cert.signer_name or "",
        signer_nip=cert.signer_nip,
        title=signer_title(case),
        signed_at=now,
        time_text=office_time_text(now),
        page=page,
        box=box,
        reason=f"Penerbitan {case.service.certificate_title or case.service.product} nomor {cert.number}",
        location=str(getattr(office, "city", "") or ""),
        contact=verify_url(cert.verify_token),
    )


def seal_certificate(case: Case, now: datetime) -> Certificate | None:
    """Sign and store the case's certificate the first time it has both its number and its signer.

    Runs inside the action's transaction; raises WorkflowError (503) when signing fails.
    Nothing happens when signing is not configured or the certificate is already sealed.
    """
    if backend_name(current_app.config) == "none" or case.signed_by_id is None:
        return None
    cert = db.session.scalar(select(Certificate).where(Certificate.case_id == case.id))
    if cert is None or cert.signed_pdf_key:
        return None
    try:
        signer = configured_signer()
    except SigningError as exc:
        raise _refuse(str(exc)) from exc
    if signer is None:
        return None
    if not cert.signer_name:
        # Numbered before it was signed: the signer is known only now.
        from app.cases.numbering import signer_fields

        for name, value in signer_fields(case).items():
            setattr(cert, name, value)
    db.session.flush()
    # The sign step's card row (Plt./Plh.) and the new certificate, as the document prints them.
    db.session.expire(case, ["control_card", "certificate"])
    from app.documents.case_documents import render_certificate
    from app.storage import storage

    try:
        unsigned = render_certificate(case, cert, esign=True)
        signed = signer.sign(unsigned, signature_block(case, cert, unsigned, now))
        _check_signed(signed)
        # A key like a scan's: the backup carries it with the scans (app/ops/backup.py SCAN_ROWS).
        key = f"{uuid.uuid4().hex}.pdf"
        stored = storage().put(key, io.BytesIO(signed))
    except Exception as exc:  # signer, remote service, timestamp authority, storage: one refusal
        raise _refuse(f"{type(exc).__name__}: {exc}") from exc
    cert.signed_pdf_key = key
    cert.signed_pdf_sha256 = stored.sha256
    cert.signed_pdf_size = stored.size
    cert.signed_pdf_at = now
    return cert


def signed_pdf(cert: Certificate) -> bytes | None:
    """The stored signed bytes of a sealed certificate (None when it was not signed electronically)."""
    if not cert.signed_pdf_key:
        return None
    from app.documents import DocumentError
    from app.storage import StorageError, storage

    try:
        with storage().open(cert.signed_pdf_key) as stream:
            return stream.read()
    except StorageError as exc:
        # Never re-rendered instead: the signed file is the certificate. Restore it from a backup.
        log.error("certificate %s: the signed file %s is missing from the storage", cert.id, cert.signed_pdf_key)
        raise DocumentError("the signed certificate file is missing") from exc
