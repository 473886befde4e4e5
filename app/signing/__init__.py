"""Electronic signatures (PAdES) of the certificates the office issues.

One small interface, `Signer.sign(pdf_bytes, block) -> signed bytes`, with two backends
chosen by SIGNING_BACKEND:

* `local`: pyHanko signs with the office's key from a PKCS#12 file (SIGNING_PKCS12,
  SIGNING_PASSPHRASE or SIGNING_PASSPHRASE_FILE), with a visible block (name, NIP, title,
  time) drawn where the certificate leaves room for the signature, and an RFC 3161
  timestamp when SIGNING_TSA_URL is set;
* `http`: a remote signing service (BSrE-style `POST /api/sign/pdf`, multipart), the
  request and the answer described by configuration (app/signing/http.py);
* `none` (or unset outside production): nothing is signed; certificates are rendered on
  demand as before.

When a certificate is sealed (it has its number and its signer) is app/signing/certificates.py;
what the public check says about an uploaded PDF is app/signing/verify.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

BACKENDS = ("local", "http", "none")


class SigningError(RuntimeError):
    """The document could not be signed (key, passphrase, remote service, timestamp authority)."""


@dataclass(frozen=True)
class SignatureBlock:
    """Who signs, as the visible block prints it, and where the block goes.

    `box` is (x1, y1, x2, y2) in PDF points on page `page` (0-based; -1: the last page);
    None signs without a visible block. `contact` is the public check's address, written
    into the signature dictionary (/ContactInfo) so the check can find the certificate.
    """

    signer_name: str
    signer_nip: str | None
    title: str
    signed_at: datetime
    page: int = -1
    box: tuple[float, float, float, float] | None = None
    reason: str = ""
    location: str = ""
    contact: str = ""
    # The signing time as the block prints it (`28 November 2026 14.05 WIB`); empty: ISO 8601.
    time_text: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


class Signer(Protocol):
    """A signing backend."""

    def sign(self, pdf_bytes: bytes, block: SignatureBlock) -> bytes:
        """The PDF with a PAdES signature added (an incremental update); SigningError when it cannot."""
        ...


def backend_name(config: Mapping[str, Any]) -> str:
    """The configured backend: local | http | none (unset: none)."""
    return str(config.get("SIGNING_BACKEND") or "none").strip().lower()


def build_signer(config: Mapping[str, Any]) -> Signer | None:
    """The backend `config` names, None for `none`; SigningError for a wrong configuration."""
    kind = backend_name(config)
    if kind == "none":
        return None
    if kind == "local":
        from app.signing.local import LocalSigner

        return LocalSigner.from_config(config)
    if kind == "http":
        from app.signing.http import HttpSigner

        return HttpSigner.from_config(config)
    raise SigningError(f"SIGNING_BACKEND={kind!r}: expected one of {', '.join(BACKENDS)}")


def configured_signer() -> Signer | None:
    """The current app's signer (None when certificates are not signed electronically)."""
    from flask import current_app

    return build_signer(current_app.config)


def outside_event_loop(func, *args: Any, **kwargs: Any) -> Any:
    """`func(*args, **kwargs)`, in a helper thread when this thread already runs an asyncio loop.

    pyHanko's synchronous API wraps its async core in `asyncio.run`, which refuses to start
    inside a running loop (an async server, or a tool driving a browser in the same thread).
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()
