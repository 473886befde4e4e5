"""What the public check says about a PDF a visitor uploads.

* `valid` ("Sah"): exactly the bytes we issued (SHA-256 recorded on the certificate row),
  the signature intact, covering the whole file, by a certificate that chains to
  SIGNING_TRUST_ROOTS, and the certificate not revoked;
* `revoked` ("Dicabut"): the same, but the certificate was revoked;
* `altered` ("Diubah"): a certificate of ours whose bytes differ from what we issued (a byte
  changed, something appended after signing), or any signature that no longer matches the
  document;
* `unknown`: intact signature(s), but not a certificate this office issued;
* `unsigned`, `unreadable`, `not_pdf`: refused with a message (the page answers 422).

Finding the certificate: by the SHA-256 of the whole file, else by the public check's
address our signatures carry in /ContactInfo (readable even when other bytes changed).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from app.signing import outside_event_loop
from models import Certificate

log = logging.getLogger(__name__)

VALID, REVOKED, ALTERED, UNKNOWN = "valid", "revoked", "altered", "unknown"
UNSIGNED, UNREADABLE, NOT_PDF = "unsigned", "unreadable", "not_pdf"
REFUSED = (UNSIGNED, UNREADABLE, NOT_PDF)
TOKEN_MAX = 64
_CONTACT = re.compile(rb"/ContactInfo\s*\(((?:[^()\\]|\\.){0,600})\)", re.S)
_CONTACT_HEX = re.compile(rb"/ContactInfo\s*<([0-9A-Fa-f\s]{0,2400})>")
_TOKEN = re.compile(r"/public/verify/([A-Za-z0-9_-]{1,64})")
_ESCAPE = re.compile(r"\\([0-7]{1,3}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


@dataclass(frozen=True)
class Verdict:
    """The check's answer: `status`, the certificate when it is ours, the signer's subject."""

    status: str
    certificate: Certificate | None = None
    signer: str | None = None

    @property
    def refused(self) -> bool:
        return self.status in REFUSED


def _unescape(raw: bytes) -> str:
    text = raw.decode("latin-1")

    def one(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "01234567":
            return chr(int(code, 8) & 0xFF)
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(one, text)


def contact_tokens(data: bytes) -> list[str]:
    """Verification tokens named by the /ContactInfo of the file's signature dictionaries."""
    texts = [_unescape(m.group(1)) for m in _CONTACT.finditer(data)]
    for match in _CONTACT_HEX.finditer(data):
        try:
            texts.append(bytes.fromhex(match.group(1).decode().replace(" ", "").replace("\n", "")).decode("latin-1"))
        except ValueError:
            continue
    return [m.group(1) for text in texts for m in _TOKEN.finditer(text)]


def trust_roots(paths: Any) -> list:
    """The asn1crypto certificates of SIGNING_TRUST_ROOTS (PEM or DER files; several paths
    separated by commas, spaces or the path separator)."""
    from asn1crypto import pem, x509

    if not paths:
        return []
    names = [p for p in re.split(r"[,\s:;]+", str(paths)) if p] if isinstance(paths, str) else list(paths)
    roots = []
    for name in names:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            log.warning("SIGNING_TRUST_ROOTS: cannot read %s: %s", name, exc)
            continue
        blocks = [der for _type, _headers, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        roots += [x509.Certificate.load(der) for der in blocks]
    return roots


@dataclass(frozen=True)
class SignatureCheck:
    """pyHanko's judgement of the file's last signature."""

    intact: bool
    trusted: bool
    whole_file: bool
    subject: str | None


def check_signatures(data: bytes, roots: Iterable) -> SignatureCheck | None:
    """None when the file holds no signature; ValueError when it cannot be read as a PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a damaged file: pyHanko's PdfReadError and what the parser trips on
        raise ValueError(str(exc)) from exc
    if not signatures:
        return None
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
    intact = trusted = whole = True
    subject = None
    for signature in signatures:
        try:
            status = outside_event_loop(validate_pdf_signature, signature, context)
        except Exception as exc:  # a signature so broken that it cannot even be evaluated
            log.info("signature validation failed: %s: %s", type(exc).__name__, exc)
            return SignatureCheck(False, False, False, subject)
        intact = intact and bool(status.intact and status.valid)
        trusted = trusted and bool(status.trusted)
        # The names people read (common name, organisation), not X.500's English labels.
        names = status.signing_cert.subject.native
        subject = ", ".join(str(names[k]) for k in ("common_name", "organization_name") if names.get(k)) or (
            status.signing_cert.subject.human_friendly
        )
        # Only the last signature may cover the whole file; anything after it was added unsigned.
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return SignatureCheck(intact, trusted, whole, subject)


def _by_hash(data: bytes) -> Certificate | None:
    digest = hashlib.sha256(data).hexdigest()
    return db.session.scalar(select(Certificate).where(Certificate.signed_pdf_sha256 == digest))


def _by_token(data: bytes) -> Certificate | None:
    for token in contact_tokens(data):
        if len(token) <= TOKEN_MAX:
            cert = db.session.scalar(select(Certificate).where(Certificate.verify_token == token))
            if cert is not None and cert.signed_pdf_sha256:
                return cert
    return None


def check_pdf(data: bytes, roots: Iterable) -> Verdict:
    """The verdict on an uploaded file (see the module doc)."""
    if data.lstrip()[:5] != b"%PDF-":
        return Verdict(NOT_PDF)
    roots = list(roots)
    issued = _by_hash(data)
    if issued is not None:
        try:
            check = check_signatures(data, roots)
        except ValueError:
            check = None
        if check is None or not (check.intact and check.trusted and check.whole_file):
            # Our own bytes that no longer validate: SIGNING_TRUST_ROOTS does not hold our CA.
            log.warning("certificate %s: issued file does not validate against SIGNING_TRUST_ROOTS", issued.id)
            return Verdict(UNKNOWN, None, check.subject if check else None)
        return Verdict(VALID if issued.revoked_at is None else REVOKED, issued, check.subject)
    ours = _by_token(data)
    if ours is not None:
        return Verdict(ALTERED, ours)
    try:
        check = check_signatures(data, roots)
    except ValueError:
        return Verdict(UNREADABLE)
    if check is None:
        return Verdict(UNSIGNED)
    if not (check.intact and check.whole_file):
        return Verdict(ALTERED, None, check.subject)
    return Verdict(UNKNOWN, None, check.subject)
