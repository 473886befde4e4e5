"""The letterhead's emblem as a data: URI, read from the file the office definition names.

The document renderer loads nothing from disk except `app/static/` (app.documents.pdf),
so the emblem goes in as a data: URI made here, which the renderer's link gate trusts:
every page built on documents/_base.html (the documents and the reports) prints it.
"""

from __future__ import annotations

import base64
import logging

from app.office.definition import EMBLEM_MAX_BYTES, emblem_kind, emblem_path

log = logging.getLogger(__name__)


def current_emblem() -> str | None:
    """The data: URI of the loaded office's emblem (None outside an app context or without one)."""
    from flask import has_app_context

    from app.office.definition import current_office

    return emblem_data_uri(current_office().get("emblem")) if has_app_context() else None


def emblem_data_uri(value: str | None) -> str | None:
    """`data:image/png;base64,...` of the office's emblem; None without one.

    The file was checked when the office was loaded; one that has since gone or
    changed into something else prints no emblem (logged) rather than failing the
    certificate a citizen is waiting for.
    """
    if not value:
        return None
    path = emblem_path(value)
    try:
        with path.open("rb") as fh:
            data = fh.read(EMBLEM_MAX_BYTES + 1)
    except OSError as exc:
        log.warning("office emblem unreadable, printed without it: %s (%s)", path, exc)
        return None
    kind = emblem_kind(data)
    if kind is None or len(data) > EMBLEM_MAX_BYTES:
        log.warning("office emblem is no PNG/JPEG of at most %d bytes, printed without it: %s", EMBLEM_MAX_BYTES, path)
        return None
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")
