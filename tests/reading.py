"""What a reader of a generated PDF sees: its text."""
from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Every page's text with runs of whitespace made one space (table cells wrap lines)."""
    assert data.startswith(b"%PDF-"), data[:40]
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
