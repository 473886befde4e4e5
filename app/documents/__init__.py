"""The printed documents: certificate, control card, BAP, letters and the standard.

`render(name, **ctx)` turns `app/templates/documents/<name>.html` into PDF bytes
under one letterhead and one embedded font (DejaVu Sans, so every name prints,
Latin-1 or not). The per-document functions gather a model's data into the
context; see app/documents/pdf.py for what keeps user text inert.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.documents.pdf import DocumentError, DocumentTooLarge, html_to_pdf, render_template

__all__ = [
    "DocumentError",
    "DocumentTooLarge",
    "assignment_letter_pdf",
    "bap_pdf",
    "certificate_pdf",
    "complaint_reply_letter_pdf",
    "control_card_pdf",
    "draft_available",
    "office",
    "reminder_letter_pdf",
    "render",
    "standard_pdf",
    "verify_url",
]


def office() -> dict[str, Any]:
    """The letterhead, contact lines and signer titles: the loaded office definition."""
    from app.office.definition import current_office

    return current_office()


def verify_url(token: str) -> str:
    """The public verification address printed (as a QR code) on a certificate."""
    from app.core.urls import public_base_url

    return public_base_url() + "/public/verify/" + token


def render(name: str, **ctx: Any) -> bytes:
    """PDF bytes of `documents/<name>.html`, with the letterhead and `today` set."""
    ctx.setdefault("office", office())
    ctx.setdefault("today", datetime.now(UTC))
    html, trusted = render_template(name, ctx)
    return html_to_pdf(html, trusted)


from app.documents.case_documents import (  # noqa: E402  (they use render above)
    assignment_letter_pdf,
    bap_pdf,
    certificate_pdf,
    control_card_pdf,
    draft_available,
    reminder_letter_pdf,
)
from app.documents.service_documents import complaint_reply_letter_pdf, standard_pdf  # noqa: E402
