"""Compile the gettext catalogs under app/translations: at start-up and by `make setup`.

Catalogs are kept per screen family, `app/translations/<area>/<locale>/LC_MESSAGES/
<domain>.po`, so that work on one area never edits another's catalog; Flask-Babel
merges all the area directories (see app/setup/i18n.py).

Only the `.po` sources are in git and in the installed package; the `.mo` files
Babel reads are compiled from them when missing or older than their `.po`. Next
to the `.po` when that directory can be written (a checkout, a venv install),
else (a read-only install) under a fallback directory, in a subdirectory named
after the catalogs' content so that two versions never share compiled files.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent / "translations"

log = logging.getLogger(__name__)


def catalogs(root: Path = ROOT) -> list[Path]:
    """Every `.po` of every area, sorted."""
    return sorted(root.glob("*/*/LC_MESSAGES/*.po"))


def _stale(po_path: Path, mo_path: Path) -> bool:
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_catalog(po_path: Path, mo_path: Path) -> None:
    """Write `po_path` compiled to `mo_path` atomically (concurrent workers may race)."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=po_path.parts[-3])
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=mo_path.parent, prefix=f".{mo_path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, mo_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compile_all(root: Path = ROOT) -> int:
    """Compile, next to its `.po`, every catalog whose `.mo` is missing or older; returns how many."""
    count = 0
    for po_path in catalogs(root):
        mo_path = po_path.with_suffix(".mo")
        if _stale(po_path, mo_path):
            compile_catalog(po_path, mo_path)
            count += 1
    return count


def catalogs_digest(root: Path = ROOT) -> str:
    """A short hash of every `.po`'s path and content."""
    digest = hashlib.sha256()
    for po_path in catalogs(root):
        digest.update(po_path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(po_path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _compile_into(root: Path, target: Path) -> None:
    for po_path in catalogs(root):
        mo_path = target / po_path.relative_to(root).with_suffix(".mo")
        if not mo_path.exists():
            compile_catalog(po_path, mo_path)


def ensure_compiled(root: Path = ROOT, fallbacks: Iterable[Path] = ()) -> Path:
    """The directory whose `<area>/<locale>/LC_MESSAGES/*.mo` are up to date with `root`'s `.po`.

    `root` itself when its `.mo` are fresh or can be (re)compiled there; else
    `<fallback>/<digest>` for the first fallback that can be written; else a
    private temporary directory. Should even that fail, `root` is returned and
    the interface stays in English (logged), rather than refusing to start.
    """
    try:
        compile_all(root)
        return root
    except OSError as exc:
        log.info("translations: cannot compile in %s (%s); using a fallback directory", root, exc)
    digest = catalogs_digest(root)
    for base in fallbacks:
        target = Path(base) / digest
        try:
            Path(base).mkdir(parents=True, exist_ok=True, mode=0o700)
            _compile_into(root, target)
            return target
        except OSError as exc:
            log.info("translations: cannot compile in %s (%s)", target, exc)
    try:
        target = Path(tempfile.mkdtemp(prefix="sp-backoffice-translations-"))
        _compile_into(root, target)
        return target
    except OSError as exc:
        log.warning("translations: no writable directory to compile the catalogs into (%s)", exc)
        return root


if __name__ == "__main__":
    n = compile_all()
    print(f"translations: {n} catalog(s) compiled", file=sys.stderr)
