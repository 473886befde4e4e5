"""Compile every gettext catalog under app/translations (run by `make setup`).

Catalogs are kept per screen family, `app/translations/<area>/<locale>/LC_MESSAGES/
<domain>.po`, so that work on one area never edits another's catalog; Flask-Babel
merges all the area directories (see app/setup/i18n.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent / "translations"


def compile_all(root: Path = ROOT) -> int:
    count = 0
    for po_path in sorted(root.glob("*/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parts[-3])
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        count += 1
    return count


if __name__ == "__main__":
    n = compile_all()
    print(f"translations: {n} catalog(s) compiled", file=sys.stderr)
