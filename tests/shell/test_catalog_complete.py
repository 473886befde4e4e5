"""Every string our code and templates show has its Indonesian translation.

Indonesian is the default language: a msgid without a translation would show
an officer English in the middle of an Indonesian screen.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _translated_ids() -> set[str]:
    ids: set[str] = set()
    for po_path in (ROOT / "app" / "translations").glob("*/id/LC_MESSAGES/*.po"):
        with po_path.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string and not message.fuzzy:
                    ids.add(message.id if isinstance(message.id, str) else message.id[0])
    return ids


def test_every_shown_string_has_an_indonesian_translation():
    translated = _translated_ids()
    missing = []
    for folder in ("app", "views", "models"):
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            str(ROOT / folder), METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {}}
        ):
            msgid = message if isinstance(message, str) else message[0]
            if msgid and msgid not in translated:
                missing.append(f"{folder}/{filename}:{lineno}: {msgid!r}")
    for label in _console_labels():
        if label not in translated:
            missing.append(f"models: console label {label!r}")
    assert not missing, "untranslated strings:\n" + "\n".join(missing)


def _console_labels() -> set[str]:
    """Labels the generated console shows: from `__console__` and column `info`."""
    from models import Model
    from views.console import CATEGORIES

    labels = set(CATEGORIES.values())
    for mapper in Model.registry.mappers:
        meta = mapper.class_.__dict__.get("__console__")
        if not meta:
            continue
        labels.add(meta.get("label", mapper.class_.__name__))
        for attr in mapper.column_attrs:
            info = attr.columns[0].info
            labels.update([info["label"]] if "label" in info else [])
            # A vocabulary's labels are its `_l(...)` in models/, checked with the code above.
            if not isinstance(info.get("choices"), type):
                labels.update(info.get("choices", ()))
    return labels


def test_one_msgid_reads_the_same_in_every_catalog():
    """The catalogs are merged at run time: a msgid translated two ways would show whichever loads last."""
    seen: dict[str, dict[str, str]] = {}
    for po_path in sorted((ROOT / "app" / "translations").glob("*/id/LC_MESSAGES/*.po")):
        with po_path.open("rb") as fh:
            for message in read_po(fh):
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                text = message.string if isinstance(message.string, str) else message.string[0]
                if msgid and text and not message.fuzzy:
                    seen.setdefault(msgid, {})[po_path.parts[-4]] = text
    clashes = {msgid: areas for msgid, areas in seen.items() if len(set(areas.values())) > 1}
    assert not clashes, "\n".join(f"{msgid!r}: {areas}" for msgid, areas in clashes.items())
