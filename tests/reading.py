"""What a user reads: a page's text, its navbar menu, a generated PDF's text."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def page_text(rv) -> str:
    """The response body with scripts, styles and tags stripped and whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", rv.get_data(as_text=True), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def menu_text(html: str) -> str:
    """The words of the navbar's left-hand menu (the screens a role is offered)."""
    nav = html[html.index('class="nav navbar-nav"') : html.index("navbar-right")]
    return " ".join(re.sub(r"<[^>]+>", " ", nav).split())


def pdf_text(data: bytes) -> str:
    """Every page's text with runs of whitespace made one space (table cells wrap lines)."""
    assert data.startswith(b"%PDF-"), data[:40]
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
