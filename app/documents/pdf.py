"""HTML to PDF with xhtml2pdf, behind a safety layer.

Documents carry text typed by applicants and officers (names, addresses,
findings, complaint replies). Two things keep that text inert:

* the document Jinja environment autoescapes everything, always (not only for
  `.html` names as Flask's does), so user text never becomes markup that
  xhtml2pdf or ReportLab would interpret;
* every resource the renderer asks for goes through `_LinkGate`, which only
  hands out our own files under `app/static/` and the `data:` URIs this very
  render generated (QR codes); anything else (file://, http://, absolute
  paths, foreign data: URIs) is replaced by an empty data URI and logged. The
  xhtml2pdf resource policy is also confined to `app/static/` with no network,
  as a second lock behind the first.

And a render never holds a worker for long: xhtml2pdf's time grows with the
text it lays out (a 1.5 MB address took ~30 s), so every value a template
prints is cut at DOC_TEXT_MAX characters (the longest text any input accepts,
app.core.parsing.LIMITS, so only data that bypassed validation is ever cut), and
HTML longer than DOC_HTML_MAX is refused (DocumentTooLarge) before layout.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.calendar.working_days import office_day_minutes
from app.core.formatting import (
    format_date,
    format_datetime,
    format_due,
    format_duration,
    format_number,
    format_rupiah,
)
from app.core.parsing import LIMITS

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
TEMPLATE_DIR = APP_DIR / "templates"
# What a refused resource becomes: loads nothing, and xhtml2pdf just skips it.
_NOTHING = "data:,"
# Official documents are Indonesian whatever the reader's UI language is.
DOC_LOCALE = "id"
DOC_TEXT_MAX = max(LIMITS.values())
DOC_HTML_MAX = 400_000

log = logging.getLogger(__name__)


class DocumentError(RuntimeError):
    """xhtml2pdf could not build the document."""


class DocumentTooLarge(DocumentError):
    """The document's HTML exceeds DOC_HTML_MAX: refused before layout, not rendered for minutes."""


class _LinkGate:
    """xhtml2pdf `link_callback`: our static files and our own data: URIs only."""

    def __init__(self, trusted: Iterable[str] = ()) -> None:
        self.trusted = set(trusted)
        self.refused: list[str] = []

    def __call__(self, uri: Any, rel: Any = None) -> str:
        uri = str(uri)
        if uri in self.trusted:
            return uri
        if uri.startswith("static/"):
            path = (APP_DIR / uri).resolve()
            if path.is_file() and path.is_relative_to(STATIC_DIR):
                return str(path)
        self.refused.append(uri)
        log.warning("document resource refused: %.120r", uri)
        return _NOTHING


def _policy() -> ResourceAccessPolicy:
    return ResourceAccessPolicy.server(base_dir=STATIC_DIR, allow_remote=False)


def html_to_pdf(html: str, trusted: Iterable[str] = ()) -> bytes:
    """Render already-escaped HTML to PDF bytes; `trusted` are data: URIs we made."""
    if len(html) > DOC_HTML_MAX:
        raise DocumentTooLarge(f"document HTML of {len(html)} characters exceeds {DOC_HTML_MAX}")
    from app.documents.letterhead import current_emblem

    out = io.BytesIO()
    # The letterhead's emblem is ours too: every page on _base.html (reports included) may load it.
    emblem = current_emblem()
    gate = _LinkGate(set(trusted) | ({emblem} if emblem else set()))
    result = pisa.CreatePDF(html, dest=out, link_callback=gate, resource_policy=_policy(), encoding="utf-8")
    if result.err:
        raise DocumentError(f"xhtml2pdf reported {result.err} error(s)")
    return out.getvalue()


def _tgl(value: Any) -> str:
    return format_date(value, locale=DOC_LOCALE)


def _tgl_jam(value: Any) -> str:
    return format_datetime(value, locale=DOC_LOCALE)


def clip(value: Any) -> Any:
    """Every printed value at most DOC_TEXT_MAX characters (Jinja's `finalize`); our own Markup (QR
    data: URIs) is exempt."""
    if isinstance(value, str) and not isinstance(value, Markup) and len(value) > DOC_TEXT_MAX:
        return value[:DOC_TEXT_MAX] + "…"
    return value


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=clip,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        tgl=_tgl,
        tgl_jam=_tgl_jam,
        rupiah=format_rupiah,
        durasi=lambda minutes: format_duration(minutes, office_day_minutes(), locale=DOC_LOCALE),
        tenggat=lambda value: format_due(value, locale=DOC_LOCALE),
        angka=lambda value, digits=2: format_number(value, digits, locale=DOC_LOCALE),
    )
    env.globals["office_emblem"] = _office_emblem
    return env


def _office_emblem(office: Any) -> Markup | None:
    """The data: URI of `office`'s emblem for the letterhead (base64 only: nothing to escape)."""
    from app.documents.letterhead import emblem_data_uri

    uri = emblem_data_uri(office.get("emblem") if office else None)
    return Markup(uri) if uri else None


ENV = _environment()


def render_template(name: str, ctx: dict[str, Any]) -> tuple[str, set[str]]:
    """The HTML of `documents/<name>.html` and the data: URIs it may load.

    Templates call `qr(url)` to embed a QR code; each URI so made is trusted for
    this render only.
    """
    from app.documents.qr import qr_data_uri

    trusted: set[str] = set()

    def qr(url: str) -> str:
        uri = qr_data_uri(url)
        trusted.add(uri)
        return Markup(uri)  # base64 only: nothing to escape, and never clipped

    html = ENV.get_template(f"documents/{name}.html").render(qr=qr, **ctx)
    return html, trusted
