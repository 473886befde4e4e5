"""Language: Indonesian by default, English on request; date/money filters for templates.

FAB builds Flask-Babel before our setup modules run, so this module adjusts the
live Babel configuration instead of the config keys FAB already read: every
`app/translations/<area>` directory joins the catalogs and our locale selector
replaces FAB's (whose fallback is the first language ever stored in a session).

Only the `.po` sources ship (in git and in the installed package): start-up
compiles any missing or outdated `.mo`, in place when the package directory can
be written, else under the instance folder or the user's cache directory, and
points Babel there (app/core/i18n_compile.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, current_app, has_request_context, request, session
from flask_babel import get_babel

from app.calendar.working_days import office_day_minutes
from app.core.extensions import real_app
from app.core.formatting import (
    format_date,
    format_datetime,
    format_due,
    format_duration,
    format_month,
    format_number,
    format_rupiah,
)
from app.core.i18n_compile import ensure_compiled

TRANSLATIONS_ROOT = Path(__file__).resolve().parent.parent / "translations"
EXTENSION_KEY = "sp_translations"


def translation_directories(root: Path = TRANSLATIONS_ROOT) -> list[str]:
    """Every area's catalog directory (`app/translations/<area>`), sorted by name."""
    return [str(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(("_", "."))]


def fallback_directories(app: Flask) -> list[Path]:
    """Where to compile the catalogs when the package directory is read-only."""
    dirs = [Path(app.config["INSTANCE_PATH"]) / "translations"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if os.path.isabs(cache):
        dirs.append(Path(cache) / "sp-backoffice" / "translations")
    return dirs


def compiled_root(app: Flask) -> Path:
    """The directory holding this app's compiled catalogs, compiling them on first use."""
    if EXTENSION_KEY not in app.extensions:
        app.extensions[EXTENSION_KEY] = ensure_compiled(TRANSLATIONS_ROOT, fallback_directories(app))
    return app.extensions[EXTENSION_KEY]


def catalog_directory(area: str, app: Flask | None = None) -> str:
    """One area's compiled catalog directory (for Flask-Admin's `translations_path`)."""
    return str(compiled_root(app or real_app()) / area)


def select_locale() -> str | None:
    """`?lang=` (remembered in the session), FAB's API `?_l_=`, the session's choice, else `id`."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    asked = request.args.get("lang")
    if asked in languages:
        session["locale"] = asked
        return asked
    api_asked = request.args.get("_l_")
    if api_asked in languages:
        return api_asked
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return default


def init_app(app: Flask) -> None:
    babel = get_babel(app)
    known = set(babel.translation_directories)
    root = compiled_root(app)
    babel.translation_directories.extend(d for d in translation_directories(root) if d not in known)
    # FAB already translated menu labels inside the factory's app context, which
    # cached catalogs loaded without our directories.
    babel.instance.domain_instance.cache.clear()
    babel.locale_selector = select_locale
    app.jinja_env.filters.update(
        tgl=format_date,
        tgl_jam=format_datetime,
        rupiah=format_rupiah,
        durasi=lambda minutes: format_duration(minutes, office_day_minutes()),
        tenggat=format_due,
        angka=format_number,
        bulan=format_month,
    )

    @app.context_processor
    def _language_context() -> dict:
        return {"current_locale": select_locale()}

    @app.after_request
    def _html_lang(response: Response) -> Response:
        # FAB's init.html and Flask-Admin's base.html open with a bare <html>: give
        # every page the language it is written in (WCAG 3.1.1).
        if response.mimetype == "text/html" and not (response.direct_passthrough or response.is_streamed):
            body = response.get_data()
            if b"<html>" in body[:512]:
                lang = (select_locale() or "id").encode()
                response.set_data(body.replace(b"<html>", b'<html lang="' + lang + b'">', 1))
        return response
